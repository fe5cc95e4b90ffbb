"""Broadcast messages as callbacks and iterators receive them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["BroadcastMessage", "BroadcastMeta"]

PayloadT = TypeVar("PayloadT", covariant=True)


@dataclass(frozen=True, slots=True)
class BroadcastMeta:
    """Metadata of a stored broadcast: ``replayed`` is true for messages sent by a replay."""

    id: str | None = None
    replayed: bool = False


@dataclass(slots=True)
class BroadcastMessage(Generic[PayloadT]):
    """One broadcast: the user event name, its payload and, for stored messages, ``meta``.

    Built once per message and listener on the receive path, so it is a plain slotted
    dataclass (a frozen one costs three times as much to build); treat it as read-only.
    """

    event: str
    payload: PayloadT
    meta: BroadcastMeta | None = None
