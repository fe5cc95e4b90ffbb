"""The server's use of ``realtime.messages``: RLS checks plus live stored broadcasts.

Started after the Postgres-changes feed, which installs the ``realtime`` schema (including
``realtime.messages``, see ``postgres/sql/messages.sql``).
"""

from __future__ import annotations

from realtime_typed.local.auth.authorization import Authorizer
from realtime_typed.local.channels.private_channels import deliver_stored
from realtime_typed.local.channels.shared import SharedState
from realtime_typed.local.postgres.stored_messages import MessageListener

__all__ = ["MessagesDatabase"]


class MessagesDatabase:
    """The authorizer of private channels and the listener of stored broadcasts for one DSN."""

    def __init__(self, dsn: str) -> None:
        self.authorizer: Authorizer = Authorizer(dsn)
        self._dsn = dsn
        self._listener: MessageListener | None = None

    async def start(self, state: SharedState) -> None:
        """Connect; committed broadcast rows then reach the channels of ``state``."""
        await self.authorizer.start()
        listener = MessageListener(self._dsn, lambda message: deliver_stored(state, message))
        await listener.start()
        self._listener = listener

    async def stop(self) -> None:
        """Stop listening and close the connections."""
        if self._listener is not None:
            await self._listener.stop()
            self._listener = None
        await self.authorizer.stop()
