"""A channel's presence: the synced state, the presence callbacks and the tracked meta.

The sync algorithm is :class:`realtime_typed.protocol.presence.PresenceSync`. A typed channel
(``presence=PresenceSpec``) validates every meta into the spec's model for callbacks and
:meth:`PresenceView.state`; an untyped one hands out the user-shaped dicts (``presence_ref``
plus the tracked fields).
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar, cast

from realtime_typed.client.listeners import Listener
from realtime_typed.protocol.presence import Meta, PresenceEvent, PresenceSync
from realtime_typed.typed import PresenceSpec

__all__ = ["PresenceKind", "PresenceView"]

MetaT = TypeVar("MetaT")
PresenceKind = Literal["sync", "join", "leave"]


class PresenceView(Generic[MetaT]):
    """Presence of one channel as its user sees it."""

    def __init__(self, spec: PresenceSpec[Any] | None) -> None:
        self.spec: PresenceSpec[Any] | None = spec
        self.sync: PresenceSync = PresenceSync()
        self.listeners: dict[PresenceKind, list[Listener]] = {"sync": [], "join": [], "leave": []}
        self.tracked: dict[str, Any] | None = None
        """The meta last tracked (as sent), re-tracked after every rejoin; None if untracked."""

    @property
    def has_listeners(self) -> bool:
        """Whether any presence callback is registered."""
        return any(self.listeners.values())

    def encode(self, meta: MetaT) -> dict[str, Any]:
        """The JSON object to track for ``meta``."""
        if self.spec is not None:
            return self.spec.encode(meta)
        return dict(cast("dict[str, Any]", meta))

    def _metas(self, metas: list[Meta]) -> list[MetaT]:
        if self.spec is None:
            return cast("list[MetaT]", metas)
        decode = self.spec.decode
        return [decode(meta) for meta in metas]

    def state(self) -> dict[str, list[MetaT]]:
        """Key -> the metas present under it."""
        current = self.sync.state()
        if self.spec is None:
            return cast("dict[str, list[MetaT]]", current)
        return {key: self._metas(metas) for key, metas in current.items()}

    def deliver(self, events: list[PresenceEvent]) -> None:
        """Fire the callbacks for ``events``, in order."""
        listeners = self.listeners
        for event in events:
            if event.kind == "sync":
                for listener in listeners["sync"]:
                    listener()
                continue
            targets = listeners[event.kind]
            if targets:
                current, changed = self._metas(event.current), self._metas(event.changed)
                for listener in targets:
                    listener(event.key, current, changed)
