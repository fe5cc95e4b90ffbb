"""A channel's presence: the synced state, the presence callbacks and the tracked meta.

The sync algorithm is :class:`realtime_typed.protocol.presence.PresenceSync`. A typed channel
(``presence=PresenceSpec``) validates each meta into the spec's model once, when it joins, and
keeps the model until it leaves; an untyped one hands out the user-shaped dicts
(``presence_ref`` plus the tracked fields).

A meta that does not validate is handed to ``on_invalid`` when it joins and is left out of the
typed state and of the callbacks' lists (a callback whose list of joined or left metas would
be empty is not called): one peer's bad meta never makes the state unreadable for the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Generic, Literal, TypeVar, cast

from pydantic import ValidationError

from realtime_typed.client.listeners import Listener
from realtime_typed.protocol.presence import Meta, PresenceEvent, PresenceSync
from realtime_typed.typed import PresenceSpec

__all__ = ["InvalidMetaCallback", "PresenceKind", "PresenceUpdate", "PresenceView"]

MetaT = TypeVar("MetaT")
PresenceKind = Literal["sync", "join", "leave"]
InvalidMetaCallback = Callable[[str, Meta, ValidationError], None]
"""``on_invalid(key, meta, error)``: a joined meta that does not fit the spec's model."""

_REF: Final = "presence_ref"


@dataclass(frozen=True, slots=True)
class PresenceUpdate(Generic[MetaT]):
    """One presence event, for a listener of every kind (``Channel.on_presence``).

    * ``join``: ``current`` holds the key's metas before the join, ``changed`` the joined ones;
    * ``leave``: ``current`` holds the metas left after removal, ``changed`` the left ones;
    * ``sync``: after each applied state or diff; ``key`` is ``None``, both lists empty.
    """

    event: PresenceKind
    key: str | None
    current: list[MetaT]
    changed: list[MetaT]


class PresenceView(Generic[MetaT]):
    """Presence of one channel as its user sees it."""

    __slots__ = ("_models", "_on_invalid", "any_listeners", "listeners", "spec", "sync", "tracked")

    def __init__(
        self, spec: PresenceSpec[Any] | None, on_invalid: InvalidMetaCallback | None = None
    ) -> None:
        self.spec: PresenceSpec[Any] | None = spec
        self.sync: PresenceSync = PresenceSync()
        self.listeners: dict[PresenceKind, list[Listener]] = {}
        """Listeners by kind; a kind appears with its first listener (see :meth:`add_listener`)."""
        self.any_listeners: list[Listener] = []
        """Listeners of every event, called with a :class:`PresenceUpdate`."""
        self.tracked: dict[str, Any] | None = None
        """The meta last tracked (as sent), re-tracked after every rejoin; None if untracked."""
        self._on_invalid = on_invalid
        self._models: dict[object, tuple[Meta, Any]] = {}
        """presence_ref -> (the meta, its model or None when invalid), for metas present."""

    @property
    def has_listeners(self) -> bool:
        """Whether any presence callback is registered."""
        return bool(self.any_listeners or self.listeners)

    def add_listener(self, kind: PresenceKind, listener: Listener) -> None:
        """Call ``listener`` for every event of ``kind``."""
        self.listeners.setdefault(kind, []).append(listener)

    def encode(self, meta: MetaT) -> dict[str, Any]:
        """The JSON object to track for ``meta``."""
        if self.spec is not None:
            return self.spec.encode(meta)
        return dict(cast("dict[str, Any]", meta))

    def _model(self, spec: PresenceSpec[Any], key: str, meta: Meta, report: bool) -> Any:
        """The model of ``meta`` (validated once), or None when it does not validate."""
        ref = meta.get(_REF)
        known = self._models.get(ref)
        if known is not None and known[0] is meta:
            return known[1]
        try:
            model: Any = spec.decode(meta)
        except ValidationError as exc:
            model = None
            if report and self._on_invalid is not None:
                self._on_invalid(key, meta, exc)
        self._models[ref] = (meta, model)
        return model

    def _typed(self, key: str, metas: list[Meta], report: bool = False) -> list[MetaT]:
        spec = self.spec
        if spec is None:
            return cast("list[MetaT]", metas)
        models = [self._model(spec, key, meta, report) for meta in metas]
        return [model for model in models if model is not None]

    def _left(self, metas: list[Meta]) -> list[MetaT]:
        """The models of metas that left (as they were when they joined); forgets them."""
        if self.spec is None:
            return cast("list[MetaT]", metas)
        models = self._models
        left: list[MetaT] = []
        for meta in metas:
            known = models.pop(meta.get(_REF), None)
            if known is not None and known[1] is not None:
                left.append(known[1])
        return left

    def state(self) -> dict[str, list[MetaT]]:
        """Key -> the metas present under it (typed: the valid ones; keys without any omitted)."""
        current = self.sync.state()
        if self.spec is None:
            return cast("dict[str, list[MetaT]]", current)
        typed: dict[str, list[MetaT]] = {}
        for key, metas in current.items():
            models = self._typed(key, metas)
            if models:
                typed[key] = models
        return typed

    def deliver(self, events: list[PresenceEvent]) -> None:
        """Fire the callbacks for ``events``, in order (typed: validating joined metas)."""
        listeners = self.listeners
        typed = self.spec is not None
        every = self.any_listeners
        for event in events:
            kind = event.kind
            if kind == "sync":
                for listener in listeners.get("sync", ()):
                    listener()
                if every:
                    synced: PresenceUpdate[MetaT] = PresenceUpdate("sync", None, [], [])
                    for listener in every:
                        listener(synced)
                continue
            key = cast("str", event.key)
            targets = listeners.get(kind, ())
            changed: list[MetaT]
            if kind == "join":
                changed = (
                    self._typed(key, event.changed, report=True)
                    if typed
                    else cast("list[MetaT]", event.changed)
                )
            else:
                changed = self._left(event.changed)
            if (targets or every) and (changed or not typed):
                current = self._typed(key, event.current)
                for listener in targets:
                    listener(key, current, changed)
                for listener in every:
                    listener(PresenceUpdate(kind, key, current, changed))
