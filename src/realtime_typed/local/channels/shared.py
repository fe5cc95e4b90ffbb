"""What the channels of one server share, as the channel features use it.

The transport's ``ServerState`` provides it; the features reach it through their socket
(``channel.session.state``) and never import the transport.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from realtime_typed.local.auth.authorization import Authorizer
from realtime_typed.local.auth.tokens import JwtVerifier
from realtime_typed.local.channels.postgres_wiring import PostgresWiring
from realtime_typed.local.channels.presence import PresenceTracker
from realtime_typed.local.channels.rate_limit import RollingRateLimit
from realtime_typed.local.channels.registry import ChannelRegistry
from realtime_typed.local.options import ServerOptions

if TYPE_CHECKING:
    from realtime_typed.local.channels.event_limit import EventRateMeter

__all__ = ["SharedState"]


class SharedState(Protocol):
    """Options, token checks, topics, presence, Postgres changes and RLS checks of one server."""

    oversized_payloads: int
    """Broadcasts refused for their size."""

    @property
    def users(self) -> set[object]:
        """Sockets counted against ``max_concurrent_users``: those that joined a channel."""
        ...

    @property
    def joins(self) -> RollingRateLimit:
        """Joins per second, against ``max_joins_per_second``."""
        ...

    @property
    def events(self) -> EventRateMeter:
        """Broadcast events per second, against ``max_events_per_second``."""
        ...

    @property
    def options(self) -> ServerOptions:
        """The server's limits and delays."""
        ...

    @property
    def verifier(self) -> JwtVerifier:
        """Verifies the tokens of joins and refreshes."""
        ...

    @property
    def clock(self) -> Callable[[], float]:
        """The wall clock tokens are checked against (seconds since the epoch)."""
        ...

    @property
    def registry(self) -> ChannelRegistry:
        """The members of each topic."""
        ...

    @property
    def presence(self) -> PresenceTracker:
        """Presences by topic."""
        ...

    @property
    def postgres(self) -> PostgresWiring:
        """Postgres-changes subscriptions of the joined channels."""
        ...

    @property
    def authorizer(self) -> Authorizer | None:
        """RLS checks of private channels; ``None`` without a database."""
        ...
