"""Client-side presence: the Phoenix presence sync algorithm, sans-I/O.

The server sends ``presence_state`` (every presence on the topic, grouped by key as
``{key: {"metas": [meta, ...]}}``) after each join, and ``presence_diff`` (``{"joins": ...,
"leaves": ...}``, grouped alike) on every change. Each meta carries a unique ``phx_ref``;
an update arrives as a join of the new meta (with ``phx_ref_prev``) plus a leave of the old one,
and collapses to one meta, because joins are applied before leaves.

:class:`PresenceSync` applies these messages exactly as the reference client (Phoenix
``Presence`` under realtime-js) does:

* Until the ``presence_state`` of the current join arrives the sync is *pending*: diffs are
  buffered, then applied in order right after that state. :meth:`PresenceSync.reset` starts a
  new join and makes it pending again.
* A state is reconciled with what is known: presences that stayed give no events, new metas
  give joins, missing ones give leaves.
* Every key in a diff's joins gives a join event; a key in its leaves gives a leave event if
  the key is known. A key goes away when its last meta leaves. Keys are plain strings:
  ``__proto__``, ``constructor`` and ``""`` are ordinary keys.

Metas come out in the realtime-js user shape: ``phx_ref`` renamed to ``presence_ref``,
``phx_ref_prev`` dropped. A diff costs time in proportion to its own size (and the metas of
the keys it touches), not to the size of the state.
"""

from __future__ import annotations

import logging
from typing import Any, Final, Literal, NamedTuple, cast

from realtime_typed.errors import ProtocolError

__all__ = ["Meta", "PresenceEvent", "PresenceSync", "to_user_meta"]

logger = logging.getLogger(__name__)

Meta = dict[str, Any]
"""A presence meta in user shape: ``presence_ref`` plus the tracked fields."""

_Groups = dict[str, list[tuple[str, Meta]]]
"""Parsed presences: key -> ``(phx_ref, user-shaped meta)`` in wire order."""


class _Diff(NamedTuple):
    joins: _Groups
    leaves: _Groups


class PresenceEvent(NamedTuple):
    """One presence callback, in the order the reference client fires them.

    * ``join``: ``current`` is the key's metas *before* the join (``[]`` if it was absent),
      ``changed`` the joined metas.
    * ``leave``: ``current`` is the key's metas *after* removal, ``changed`` the left metas.
    * ``sync``: fired once after each applied state or diff; ``key`` is ``None`` and both
      lists are empty.

    The metas are shared with :meth:`PresenceSync.state`: read them, copy before changing.
    """

    kind: Literal["join", "leave", "sync"]
    key: str | None
    current: list[Meta]
    changed: list[Meta]


_REF: Final = "phx_ref"
_REF_PREV: Final = "phx_ref_prev"
_USER_REF: Final = "presence_ref"


def to_user_meta(meta: Meta) -> Meta:
    """The user shape of a wire meta: ``presence_ref`` from ``phx_ref``, no ``phx_ref_prev``."""
    user: Meta = {_USER_REF: meta[_REF], **meta}
    user[_USER_REF] = meta[_REF]
    del user[_REF]
    user.pop(_REF_PREV, None)
    return user


class PresenceSync:
    """The presence state of one channel, kept in sync from presence_state and presence_diff.

    Call :meth:`reset` when the channel sends each ``phx_join`` (before any reply can arrive),
    :meth:`apply_state` on ``presence_state`` and :meth:`apply_diff` on ``presence_diff``, then
    deliver the returned :class:`PresenceEvent` list in order. A malformed payload raises
    :class:`~realtime_typed.errors.ProtocolError` and changes nothing.
    """

    def __init__(self) -> None:
        self._join_ref: str | None = None
        self._synced = False
        self._pending: list[_Diff] = []
        self._refs: dict[str, dict[str, Meta]] = {}
        self._lists: dict[str, list[Meta]] = {}
        self._snapshot: dict[str, list[Meta]] | None = None
        self.stale_states = 0
        """presence_state messages ignored because they belong to an earlier join."""
        self.discarded_diffs = 0
        """Buffered diffs dropped by :meth:`reset` (the new join's state supersedes them)."""

    @property
    def join_ref(self) -> str | None:
        """The join whose state is awaited or applied (``None`` before the first one)."""
        return self._join_ref

    @property
    def pending(self) -> bool:
        """True until the current join's presence_state has been applied."""
        return not self._synced

    def reset(self, join_ref: str) -> None:
        """Start a (re)join: pending until the presence_state of ``join_ref`` arrives.

        The state is kept, so the next presence_state gives events only for what changed.
        Diffs still buffered from an earlier join are dropped (and counted in
        :attr:`discarded_diffs`): they predate the new state, which already reflects them.
        """
        if self._pending:
            logger.debug("presence: %d buffered diffs superseded by a rejoin", len(self._pending))
            self.discarded_diffs += len(self._pending)
            self._pending.clear()
        self._join_ref = join_ref
        self._synced = False

    def apply_state(self, join_ref: str | None, payload: object) -> list[PresenceEvent]:
        """Apply a ``presence_state``, then the diffs buffered meanwhile; one ``sync`` at the end.

        ``join_ref`` is the frame's join_ref (``None`` when the frame has none, meaning the
        current join). A state for an earlier join is ignored, counted in :attr:`stale_states`.
        """
        new_state = _parse_groups(payload, "presence_state")
        if join_ref is not None and self._join_ref is not None and join_ref != self._join_ref:
            logger.debug("presence: ignored a presence_state of an earlier join")
            self.stale_states += 1
            return []
        if self._join_ref is None:
            self._join_ref = join_ref
        self._synced = True
        events: list[PresenceEvent] = []
        self._apply(self._reconcile(new_state), events)
        for diff in self._pending:
            self._apply(diff, events)
        self._pending.clear()
        events.append(PresenceEvent("sync", None, [], []))
        return events

    def apply_diff(self, payload: object) -> list[PresenceEvent]:
        """Apply a ``presence_diff``, or buffer it (returning ``[]``) while pending."""
        if not isinstance(payload, dict):
            raise ProtocolError("presence_diff payload is not an object")
        fields = cast("dict[str, object]", payload)
        diff = _Diff(
            _parse_groups(fields.get("joins", {}), "presence_diff joins"),
            _parse_groups(fields.get("leaves", {}), "presence_diff leaves"),
        )
        if not self._synced:
            self._pending.append(diff)
            return []
        events: list[PresenceEvent] = []
        self._apply(diff, events)
        events.append(PresenceEvent("sync", None, [], []))
        return events

    def state(self) -> dict[str, list[Meta]]:
        """Key -> metas in user shape.

        The result is a snapshot, reused until the next change and never changed afterwards;
        treat it and its metas as read-only.
        """
        if self._snapshot is None:
            self._snapshot = dict(self._lists)
        return self._snapshot

    def _reconcile(self, new_state: _Groups) -> _Diff:
        """The diff from the current state to ``new_state``, as Phoenix ``syncState`` has it."""
        joins: _Groups = {}
        leaves: _Groups = {
            key: list(metas.items()) for key, metas in self._refs.items() if key not in new_state
        }
        for key, entries in new_state.items():
            current = self._refs.get(key)
            if current is None:
                joins[key] = entries
                continue
            joined = [entry for entry in entries if entry[0] not in current]
            if joined:
                joins[key] = joined
            new_refs = {ref for ref, _ in entries}
            left = [(ref, meta) for ref, meta in current.items() if ref not in new_refs]
            if left:
                leaves[key] = left
        return _Diff(joins, leaves)

    def _apply(self, diff: _Diff, events: list[PresenceEvent]) -> None:
        """Phoenix ``syncDiff``: joins first, then leaves; events appended in that order."""
        refs = self._refs
        lists = self._lists
        for key, entries in diff.joins.items():
            before = lists.get(key)
            metas = refs.get(key)
            if metas is None:
                metas = refs[key] = {}
            for ref, meta in entries:
                metas.pop(ref, None)
                metas[ref] = meta
            lists[key] = list(metas.values())
            joined = [meta for _, meta in entries]
            events.append(PresenceEvent("join", key, [] if before is None else before, joined))
        for key, entries in diff.leaves.items():
            metas = refs.get(key)
            if metas is None:
                continue
            for ref, _ in entries:
                metas.pop(ref, None)
            after = list(metas.values())
            events.append(PresenceEvent("leave", key, after, [meta for _, meta in entries]))
            if metas:
                lists[key] = after
            else:
                del refs[key]
                del lists[key]
        if diff.joins or diff.leaves:
            self._snapshot = None


def _parse_groups(value: object, what: str) -> _Groups:
    """Check ``{key: {"metas": [{"phx_ref": str, ...}, ...]}}`` and convert it to user shape."""
    if not isinstance(value, dict):
        raise ProtocolError(f"{what} is not an object")
    groups: _Groups = {}
    for key, presence in cast("dict[str, object]", value).items():
        metas = (
            cast("dict[str, object]", presence).get("metas") if isinstance(presence, dict) else None
        )
        if not isinstance(metas, list):
            raise ProtocolError(f"{what}: presence {key!r} has no metas list")
        entries: list[tuple[str, Meta]] = []
        for meta in cast("list[object]", metas):
            if not isinstance(meta, dict):
                raise ProtocolError(f"{what}: a meta of presence {key!r} is not an object")
            wire = cast("Meta", meta)
            ref = wire.get(_REF)
            if not isinstance(ref, str):
                raise ProtocolError(f"{what}: a meta of presence {key!r} has no string phx_ref")
            entries.append((ref, to_user_meta(wire)))
        groups[key] = entries
    return groups
