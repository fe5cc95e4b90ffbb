"""Backoff policies: how long to wait before the n-th reconnect or rejoin attempt.

A policy is a pure function of the attempt number (1 for the first retry) returning seconds.
The client takes any ``Callable[[int], float]`` in their place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, TypeAlias

__all__ = ["Backoff", "reconnect_after", "rejoin_after"]

Backoff: TypeAlias = Callable[[int], float]

_RECONNECT_STEPS: Final = (1.0, 2.0, 5.0, 10.0)
_REJOIN_STEPS: Final = (1.0, 2.0, 5.0)
_CEILING: Final = 10.0


def _step(steps: tuple[float, ...], tries: int) -> float:
    if 1 <= tries <= len(steps):
        return steps[tries - 1]
    return steps[0] if tries < 1 else _CEILING


def reconnect_after(tries: int) -> float:
    """Socket reconnect delay: 1, 2, 5, 10 s, then 10 s for ever."""
    return _step(_RECONNECT_STEPS, tries)


def rejoin_after(tries: int) -> float:
    """Channel rejoin delay: 1, 2, 5 s, then 10 s for ever."""
    return _step(_REJOIN_STEPS, tries)
