"""What every peer in these tests can do, whichever client library is behind it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from pydantic import JsonValue

from .inbox import Inbox

JsonObject = dict[str, JsonValue]
PresenceState = dict[str, list[JsonObject]]
ChangeEvent = Literal["INSERT", "UPDATE", "DELETE", "*"]


@dataclass(frozen=True)
class Received:
    """A broadcast as a peer's library handed it over; ``topic`` is the name the test joined."""

    topic: str
    event: str
    payload: JsonValue


@dataclass(frozen=True)
class StateChange:
    """A subscribe state a library reported for a topic, with its error as text."""

    topic: str
    state: str
    error: str | None


@dataclass(frozen=True)
class Binding:
    """A Postgres-changes listener; ``label`` says which one fired."""

    label: str
    event: ChangeEvent
    table: str
    schema: str = "public"
    filter: str | None = None


@dataclass(frozen=True)
class Change:
    """A Postgres change as one listener received it, in the wire's JSON terms."""

    label: str
    type: str
    record: JsonObject | None
    old_record: JsonObject | None


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

    @property
    def presence_syncs(self) -> Inbox[str]:
        """The topic of every presence sync, as the library reported it."""
        ...

    @property
    def changes(self) -> Inbox[Change]:
        """Every Postgres change delivered to a listener."""
        ...

    async def join(
        self, topic: str, *, presence_key: str | None = None, bindings: Sequence[Binding] = ()
    ) -> None:
        """Join ``topic`` (broadcast ack on, self off; presence on when a key is given, with
        its listeners; one listener per binding) and return once subscribed."""
        ...

    async def send(self, topic: str, event: str, payload: JsonObject) -> None:
        """Broadcast ``payload`` as ``event`` on a joined channel."""
        ...

    async def track(self, topic: str, meta: JsonObject) -> None:
        """Track this client's presence on a joined channel."""
        ...

    async def untrack(self, topic: str) -> None:
        """Stop tracking this client's presence."""
        ...

    async def presence_state(self, topic: str) -> PresenceState:
        """The library's current presence state: key to metas (with ``presence_ref``)."""
        ...
