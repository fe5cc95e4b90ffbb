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
  new join and makes it pending again. Unlike the reference client, whose buffer has no bound,
  the buffered diffs hold at most :data:`MAX_PENDING_METAS` metas: beyond that the oldest
  diffs are dropped (the newest is always kept) and counted in
  :attr:`PresenceSync.overflowed_diffs`. The state that ends the wait supersedes what they said
  up to the moment it was taken, and the newest diffs are the ones that may come after it.
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
from collections import deque
from collections.abc import Callable
from itertools import repeat
from typing import Any, Final, Literal, NamedTuple, cast

from realtime_typed.errors import ProtocolError

__all__ = [
    "MAX_PENDING_METAS",
    "Meta",
    "PresenceEvent",
    "PresenceSync",
    "to_user_meta",
]

logger: logging.Logger = logging.getLogger(__name__)

Meta = dict[str, Any]
"""A presence meta in user shape: ``presence_ref`` plus the tracked fields."""

_Groups = dict[str, list[Meta]]
"""Parsed presences: key -> user-shaped metas in wire order, one per ``presence_ref``."""
_Diff = tuple[_Groups, _Groups]
"""Parsed joins and leaves."""

MAX_PENDING_METAS: Final = 10_000
"""Metas (a diff counts at least one) held in the diffs buffered before a presence_state."""


class PresenceEvent(NamedTuple):
    """One presence callback, in the order the reference client fires them.

    * ``join``: ``current`` is the key's metas *before* the join (``[]`` if it was absent),
      ``changed`` the joined metas.
    * ``leave``: ``current`` is the key's metas *after* removal, ``changed`` the left metas.
    * ``sync``: fired once after each applied state or diff; ``key`` is ``None`` and both
      lists are empty.

    The lists and metas are shared with :meth:`PresenceSync.state` and between events (every
    sync of every :class:`PresenceSync` is the same event, and a full state's joins of new keys
    have one empty ``current``): read them, copy before changing them.
    """

    kind: Literal["join", "leave", "sync"]
    key: str | None
    current: list[Meta]
    changed: list[Meta]


_REF: Final = "phx_ref"
_REF_PREV: Final = "phx_ref_prev"
_USER_REF: Final = "presence_ref"
_NOTHING: Final[dict[str, object]] = {}
_NO_GROUPS: Final[_Groups] = {}
"""The parsed side of a diff that has no presences (never changed)."""
_JOINS: Final = "presence_diff joins"
_LEAVES: Final = "presence_diff leaves"
_new_event: Final = cast(
    "Callable[[type[PresenceEvent], tuple[Any, ...]], PresenceEvent]",
    tuple.__new__,  # pyright: ignore[reportUnknownMemberType]
)
"""Builds a :class:`PresenceEvent` from one tuple, without the Python-level ``__new__``."""
_SYNC: Final = PresenceEvent("sync", None, [], [])
"""The one sync event, shared by every :class:`PresenceSync` (its lists stay empty)."""


def to_user_meta(meta: Meta) -> Meta:
    """The user shape of a wire meta: ``presence_ref`` from ``phx_ref``, no ``phx_ref_prev``."""
    user = dict(meta)
    user[_USER_REF] = user.pop(_REF)
    user.pop(_REF_PREV, None)
    return user


class PresenceSync:
    """The presence state of one channel, kept in sync from presence_state and presence_diff.

    Call :meth:`reset` when the channel sends each ``phx_join`` (before any reply can arrive),
    :meth:`apply_state` on ``presence_state`` and :meth:`apply_diff` on ``presence_diff``, then
    deliver the returned :class:`PresenceEvent` list in order. A malformed payload raises
    :class:`~realtime_typed.errors.ProtocolError` and changes nothing.
    """

    __slots__ = (
        "_join_ref",
        "_pending",
        "_pending_metas",
        "_snapshot",
        "_state",
        "_synced",
        "discarded_diffs",
        "overflowed_diffs",
        "stale_states",
    )

    def __init__(self) -> None:
        self._join_ref: str | None = None
        self._synced = False
        self._pending: deque[tuple[_Groups, _Groups, int]] | None = None
        """Diffs received while pending, oldest first; made by the first one, dropped when used."""
        self._pending_metas = 0
        self._state: _Groups = {}
        self._snapshot: dict[str, list[Meta]] | None = None
        self.stale_states: int = 0
        """presence_state messages ignored because they belong to an earlier join."""
        self.discarded_diffs: int = 0
        """Buffered diffs dropped by :meth:`reset` (the new join's state supersedes them)."""
        self.overflowed_diffs: int = 0
        """Buffered diffs dropped, oldest first, to keep at most :data:`MAX_PENDING_METAS`."""

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
        pending = self._pending
        if pending is not None:
            logger.debug("presence: %d buffered diffs superseded by a rejoin", len(pending))
            self.discarded_diffs += len(pending)
            self._pending = None
            self._pending_metas = 0
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
        if self._state:
            events = self._apply(*self._reconcile(new_state))
        else:  # all joins: the parsed groups become the state, one event per key
            self._state = new_state
            self._snapshot = None
            absent: list[Meta] = []
            events = list(
                map(
                    _new_event,
                    repeat(PresenceEvent),
                    zip(repeat("join"), new_state, repeat(absent), new_state.values()),
                )
            )
        pending = self._pending
        if pending is not None:
            self._pending = None
            self._pending_metas = 0
            for joins, leaves, _metas in pending:
                events += self._apply(joins, leaves)
        events.append(_SYNC)
        return events

    def apply_diff(self, payload: object) -> list[PresenceEvent]:
        """Apply a ``presence_diff``, or buffer it (returning ``[]``) while pending."""
        if not isinstance(payload, dict):
            raise ProtocolError("presence_diff payload is not an object")
        fields: dict[str, object] = payload  # pyright: ignore[reportUnknownVariableType]
        raw_joins = fields.get("joins", _NOTHING)
        raw_leaves = fields.get("leaves", _NOTHING)
        joins = _NO_GROUPS if raw_joins == _NOTHING else _parse_groups(raw_joins, _JOINS)
        leaves = _NO_GROUPS if raw_leaves == _NOTHING else _parse_groups(raw_leaves, _LEAVES)
        if not self._synced:
            self._buffer(joins, leaves)
            return []
        events = self._apply(joins, leaves)
        events.append(_SYNC)
        return events

    @property
    def pending_metas(self) -> int:
        """Metas held in buffered diffs (at most :data:`MAX_PENDING_METAS`, or one diff's)."""
        return self._pending_metas

    def _buffer(self, joins: _Groups, leaves: _Groups) -> None:
        size = max(1, sum(map(len, joins.values())) + sum(map(len, leaves.values())))
        pending = self._pending
        if pending is None:
            pending = self._pending = deque()
        pending.append((joins, leaves, size))
        self._pending_metas += size
        while self._pending_metas > MAX_PENDING_METAS and len(pending) > 1:
            self._pending_metas -= pending.popleft()[2]
            self.overflowed_diffs += 1

    def state(self) -> dict[str, list[Meta]]:
        """Key -> metas in user shape.

        The result is a snapshot, reused until the next change and never changed afterwards;
        treat it and its metas as read-only.
        """
        if self._snapshot is None:
            self._snapshot = dict(self._state)
        return self._snapshot

    def _reconcile(self, new_state: _Groups) -> _Diff:
        """The diff from the current state to ``new_state``, as Phoenix ``syncState`` has it."""
        state = self._state
        joins: _Groups = {}
        leaves: _Groups = {key: metas for key, metas in state.items() if key not in new_state}
        for key, metas in new_state.items():
            current = state.get(key)
            if current is None:
                joins[key] = metas
                continue
            current_refs = {meta[_USER_REF] for meta in current}
            new_refs = {meta[_USER_REF] for meta in metas}
            if current_refs == new_refs:
                continue
            joined = [meta for meta in metas if meta[_USER_REF] not in current_refs]
            if joined:
                joins[key] = joined
            left = [meta for meta in current if meta[_USER_REF] not in new_refs]
            if left:
                leaves[key] = left
        return joins, leaves

    def _apply(self, joins: _Groups, leaves: _Groups) -> list[PresenceEvent]:
        """Phoenix ``syncDiff``: joins first, then leaves; their events in that order.

        No list of metas is changed once built: the state, its snapshots and the events share
        them, and a change to a key puts a new list in its place.
        """
        state = self._state
        events: list[PresenceEvent] = []
        if joins:
            for key in joins:
                joined = joins[key]
                current = state.get(key)
                if current is None:
                    state[key] = joined
                    events.append(_new_event(PresenceEvent, ("join", key, [], joined)))
                else:
                    state[key] = _without(current, joined) + joined
                    events.append(_new_event(PresenceEvent, ("join", key, current, joined)))
        if leaves:
            for key in leaves:
                left = leaves[key]
                current = state.get(key)
                if current is None:
                    continue
                if len(current) == 1 and len(left) == 1:  # the usual leave, inline
                    after = [] if current[0][_USER_REF] == left[0][_USER_REF] else current
                else:
                    after = _without(current, left)
                if after:
                    state[key] = after
                else:
                    del state[key]
                events.append(_new_event(PresenceEvent, ("leave", key, after, left)))
        if events:
            self._snapshot = None
        return events


def _without(metas: list[Meta], removed: list[Meta]) -> list[Meta]:
    """``metas`` but those whose ``presence_ref`` is one of ``removed``'s (itself if none is)."""
    if len(metas) == 1:
        ref = metas[0][_USER_REF]
        for meta in removed:
            if meta[_USER_REF] == ref:
                return []
        return metas
    if len(removed) == 1:  # refs are unique under a key: at most one meta goes
        ref = removed[0][_USER_REF]
        for index, meta in enumerate(metas):
            if meta[_USER_REF] == ref:
                rest = metas.copy()
                del rest[index]
                return rest
        return metas
    refs = {meta[_USER_REF] for meta in removed}
    return [meta for meta in metas if meta[_USER_REF] not in refs]


def _parse_groups(value: object, what: str) -> _Groups:
    """Check ``{key: {"metas": [{"phx_ref": str, ...}, ...]}}`` and convert it to user shape.

    A ref repeated under one key keeps its first position and its last meta. The result is
    new: its dict and lists belong to the caller.
    """
    if not isinstance(value, dict):
        raise ProtocolError(f"{what} is not an object")
    groups: _Groups = {}
    presences: dict[str, Any] = value  # pyright: ignore[reportUnknownVariableType]
    key = ""
    try:
        for key in presences:
            metas: object = presences[key]["metas"]
            if not isinstance(metas, list):
                raise TypeError
            users: list[Meta] = []
            for meta in metas:  # pyright: ignore[reportUnknownVariableType]
                user: Meta = {**meta}
                ref = user.pop(_REF)
                if not isinstance(ref, str):
                    raise TypeError
                user[_USER_REF] = ref
                if _REF_PREV in user:
                    del user[_REF_PREV]
                users.append(user)
            if len(users) > 1:
                by_ref = {user[_USER_REF]: user for user in users}
                if len(by_ref) < len(users):
                    users = list(by_ref.values())
            groups[key] = users
    except (KeyError, TypeError):
        raise ProtocolError(
            f"{what}: presence {key!r} is not {{'metas': [{{'phx_ref': str, ...}}, ...]}}"
        ) from None
    return groups
