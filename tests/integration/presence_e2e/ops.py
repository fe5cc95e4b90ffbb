"""Presence operations a test can apply to a swarm of clients, and their hypothesis strategies.

Each operation names the client it acts on by index. :func:`expected_state` is the model: the
presence every key must end with once the swarm settles, whatever sockets were dropped on the
way (clients re-track their last meta after each rejoin).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

from hypothesis import strategies as st

__all__ = [
    "KEYS",
    "Drop",
    "DropAll",
    "Op",
    "Rejoin",
    "Track",
    "Untrack",
    "expected_state",
    "ops",
    "presence_keys",
]

KEYS = ("a", "b", "__proto__", "ü 🙂")
"""Presence keys the clients draw from; several clients may share one."""


@dataclass(frozen=True)
class Track:
    """Client ``client`` tracks (or updates to) the meta ``{n, label}``."""

    client: int
    n: int
    label: str


@dataclass(frozen=True)
class Untrack:
    """Client ``client`` untracks."""

    client: int


@dataclass(frozen=True)
class Drop:
    """The server drops the socket of client ``client``: a close frame, or TCP cut when abrupt."""

    client: int
    abrupt: bool


@dataclass(frozen=True)
class DropAll:
    """The server drops every socket (``disconnect_all``, or every TCP connection cut)."""

    abrupt: bool


@dataclass(frozen=True)
class Rejoin:
    """Client ``client`` leaves the topic and joins it again with a new channel (untracked)."""

    client: int


Op: TypeAlias = Track | Untrack | Drop | DropAll | Rejoin


def presence_keys(clients: int) -> st.SearchStrategy[list[str]]:
    """One presence key per client."""
    return st.lists(st.sampled_from(KEYS), min_size=clients, max_size=clients)


def ops(clients: int, max_size: int) -> st.SearchStrategy[list[Op]]:
    """Random operation sequences over ``clients`` clients."""
    index = st.integers(0, clients - 1)
    op: st.SearchStrategy[Op] = st.one_of(
        st.builds(Track, index, st.integers(0, 2), st.sampled_from(("", "x", "é"))),
        st.builds(Untrack, index),
        st.builds(Drop, index, st.booleans()),
        st.builds(DropAll, st.booleans()),
        st.builds(Rejoin, index),
    )
    return st.lists(op, max_size=max_size)


def expected_state(keys: Sequence[str], applied: Sequence[Op]) -> dict[str, list[tuple[int, str]]]:
    """Key -> the ``(n, label)`` of each meta present after ``applied``."""
    tracked: dict[int, tuple[int, str]] = {}
    for op in applied:
        if isinstance(op, Track):
            tracked[op.client] = (op.n, op.label)
        elif isinstance(op, Untrack | Rejoin):
            tracked.pop(op.client, None)
    state: dict[str, list[tuple[int, str]]] = {}
    for client, meta in tracked.items():
        state.setdefault(keys[client], []).append(meta)
    return state
