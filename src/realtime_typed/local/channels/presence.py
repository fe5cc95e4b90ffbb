"""Server-side presence: a pure, in-memory tracker with Phoenix.Presence semantics.

Each channel (a ``(topic, conn_id)`` pair) tracks at most one presence, under its key. Every
track gives the stored meta a fresh ``phx_ref``; a re-track with a changed payload is an update:
the new meta carries ``phx_ref_prev`` (the ref it replaces) and the diff holds the new meta in
``joins`` and the old one in ``leaves``. A re-track with an identical payload is a no-op.

The tracker does no I/O and knows nothing of sockets: each call returns the ``presence_diff``
payload to broadcast on the topic (``{"joins": {...}, "leaves": {...}}``, grouped by key as
``{key: {"metas": [...]}}``), or ``None`` when nothing changed. ``state(topic)`` is the
``presence_state`` payload pushed to a channel after its join. The metas in these payloads are
shared with the tracker: encode them, do not mutate them.
"""

from __future__ import annotations

import base64
import itertools
import secrets
import struct
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Final, cast

__all__ = ["Diff", "Groups", "Meta", "PresenceTracker", "new_ref_factory"]

Meta = dict[str, Any]
Groups = dict[str, dict[str, list[Meta]]]
"""Presences grouped by key, ``{key: {"metas": [meta, ...]}}``: a state, or a diff's half."""
Diff = dict[str, Groups]
"""A ``presence_diff`` payload, ``{"joins": Groups, "leaves": Groups}``."""

_REF_KEYS: Final = frozenset({"phx_ref", "phx_ref_prev"})


def new_ref_factory() -> Callable[[], str]:
    """A source of unique ``phx_ref`` strings: 16 URL-safe base64 characters each.

    Each ref encodes a per-factory random salt and a counter, so refs never repeat within a
    factory and are unlikely to collide across factories (the real server's refs look alike).
    """
    salt = secrets.randbits(32)
    counter = itertools.count(secrets.randbits(40))

    def next_ref() -> str:
        raw = struct.pack(">QI", next(counter), salt)
        return base64.urlsafe_b64encode(raw).decode("ascii")

    return next_ref


@dataclass(slots=True, frozen=True)
class _Tracked:
    """One channel's presence: its key, the payload it tracked, and the stored meta."""

    key: str
    payload: Meta
    meta: Meta


class PresenceTracker:
    """Presence of every channel on every topic, with Phoenix.Presence diffs.

    Args:
        ref_factory: returns a unique ``phx_ref`` per call; defaults to :func:`new_ref_factory`.
    """

    def __init__(self, *, ref_factory: Callable[[], str] | None = None) -> None:
        self._new_ref = ref_factory if ref_factory is not None else new_ref_factory()
        self._topics: dict[str, dict[Hashable, _Tracked]] = {}
        self._conn_topics: dict[Hashable, dict[str, None]] = {}

    def track(
        self, topic: str, conn_id: Hashable, key: str, meta: Mapping[str, Any]
    ) -> Diff | None:
        """Track (or update) the presence of ``conn_id`` on ``topic`` under ``key``.

        ``phx_ref`` and ``phx_ref_prev`` in ``meta`` are the tracker's own fields and are
        replaced. Returns the ``presence_diff`` payload, or ``None`` when the channel already
        tracks an identical payload under the same key (the server replies ok, broadcasts
        nothing). A channel that tracks under a new key leaves the old one in the same diff.
        """
        payload = {name: value for name, value in meta.items() if name not in _REF_KEYS}
        entries = self._topics.setdefault(topic, {})
        previous = entries.get(conn_id)
        if previous is not None and previous.key == key and _same(previous.payload, payload):
            return None
        stored = dict(payload)
        stored["phx_ref"] = self._new_ref()
        diff: Diff = {"joins": {key: {"metas": [stored]}}, "leaves": {}}
        if previous is not None:
            if previous.key == key:
                stored["phx_ref_prev"] = previous.meta["phx_ref"]
            diff["leaves"] = {previous.key: {"metas": [previous.meta]}}
        entries[conn_id] = _Tracked(key, payload, stored)
        self._conn_topics.setdefault(conn_id, {})[topic] = None
        return diff

    def untrack(self, topic: str, conn_id: Hashable) -> Diff | None:
        """Stop tracking ``conn_id`` on ``topic``; the diff, or ``None`` if it tracked nothing."""
        entries = self._topics.get(topic)
        tracked = entries.pop(conn_id, None) if entries is not None else None
        if tracked is None:
            return None
        if not entries:
            del self._topics[topic]
        topics = self._conn_topics[conn_id]
        del topics[topic]
        if not topics:
            del self._conn_topics[conn_id]
        return {"joins": {}, "leaves": {tracked.key: {"metas": [tracked.meta]}}}

    def untrack_all(self, conn_id: Hashable) -> list[tuple[str, Diff]]:
        """Untrack ``conn_id`` everywhere (its socket went away): ``(topic, diff)`` per topic."""
        diffs: list[tuple[str, Diff]] = []
        for topic in list(self._conn_topics.get(conn_id, ())):
            diff = self.untrack(topic, conn_id)
            if diff is not None:
                diffs.append((topic, diff))
        return diffs

    def state(self, topic: str) -> Groups:
        """The ``presence_state`` payload of ``topic``: ``{key: {"metas": [...]}}``."""
        grouped: Groups = {}
        for tracked in self._topics.get(topic, {}).values():
            entry = grouped.get(tracked.key)
            if entry is None:
                grouped[tracked.key] = {"metas": [tracked.meta]}
            else:
                entry["metas"].append(tracked.meta)
        return grouped


def _same(left: object, right: object) -> bool:
    """JSON equality that, unlike ``==``, tells ``true`` from ``1`` and ``1`` from ``1.0``."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        left_map = cast("dict[str, object]", left)
        right_map = cast("dict[str, object]", right)
        return left_map.keys() == right_map.keys() and all(
            _same(value, right_map[name]) for name, value in left_map.items()
        )
    if isinstance(left, list):
        left_list = cast("list[object]", left)
        right_list = cast("list[object]", right)
        return len(left_list) == len(right_list) and all(map(_same, left_list, right_list))
    return left == right
