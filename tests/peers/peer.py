"""What every peer in these tests can do, whichever client library is behind it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pydantic import JsonValue

from .inbox import Inbox

JsonObject = dict[str, JsonValue]


@dataclass(frozen=True)
class Received:
    """A broadcast as a peer's library handed it over; ``topic`` is the name the test joined."""

    topic: str
    event: str
    payload: JsonValue


class Peer(Protocol):
    """A connected client of one library, joined to channels by name (without ``realtime:``)."""

    @property
    def name(self) -> str:
        """The library and protocol version, for failure messages and test ids."""
        ...

    @property
    def broadcasts(self) -> Inbox[Received]:
        """Every broadcast received on any joined channel."""
        ...

    async def join(self, topic: str) -> None:
        """Join ``topic`` with broadcast ack on and self off; return once subscribed."""
        ...

    async def send(self, topic: str, event: str, payload: JsonObject) -> None:
        """Broadcast ``payload`` as ``event`` on a joined channel."""
        ...
