"""Stored broadcasts: the ``replay`` option of a join and the ``persist`` option of a send.

Both are for private channels only, as in the reference client, which refuses them on public
channels before anything is sent; ``persist`` over the socket also needs the 2.0.0 serializer
(it travels as metadata of a binary broadcast frame).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeAlias

__all__ = ["BroadcastReplay", "Persist", "check_persist", "check_replay", "persist_query"]

BroadcastReplay: TypeAlias = Mapping[str, int]
"""``{"since": <ms since the epoch>, "limit": <n>}`` (``limit`` optional)."""
Persist: TypeAlias = bool | Mapping[str, int]
"""``True`` to store the broadcast, ``{"ttl": n}`` to store it for a while, ``False`` not to."""

_REPLAY_KEYS = frozenset({"since", "limit"})


def check_replay(topic: str, replay: Mapping[str, object], *, private: bool) -> None:
    """Raise ``ValueError`` unless ``replay`` is a valid option for ``topic``."""
    if not private:
        raise ValueError(
            f"tried to use replay on public channel {topic!r}: it must be a private channel"
        )
    unknown = set(replay) - _REPLAY_KEYS
    if unknown:
        raise ValueError(f"unknown replay options {sorted(unknown)}: use since and limit")
    if not isinstance(replay.get("since"), int):
        raise ValueError("replay needs since: milliseconds since the epoch, as an int")
    limit = replay.get("limit")
    if limit is not None and not isinstance(limit, int):
        raise ValueError("the replay limit must be an int")


def check_persist(topic: str, persist: Persist, *, private: bool, vsn: str | None) -> None:
    """Raise ``ValueError`` unless ``persist`` may be used on ``topic`` (``vsn``: socket sends)."""
    if not private:
        raise ValueError(f"persist needs a private channel; {topic!r} is public")
    if vsn == "1.0.0":
        raise ValueError("persist over the socket needs the 2.0.0 serializer")
    if not isinstance(persist, bool) and not _is_ttl(persist):
        raise ValueError('persist takes True, False or {"ttl": <int>}')


def _is_ttl(persist: Mapping[str, object]) -> bool:
    return set(persist) == {"ttl"} and isinstance(persist["ttl"], int)


def persist_query(persist: Persist) -> str:
    """The REST query parameter for ``persist`` (``persist=true`` or ``persist[ttl]=N``)."""
    if isinstance(persist, bool):
        return "persist=true"
    return f"persist[ttl]={persist['ttl']}"
