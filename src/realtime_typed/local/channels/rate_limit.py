"""A fixed-window call limiter, sans-I/O: time comes in as ``now``."""

from __future__ import annotations

__all__ = ["FixedWindowLimiter"]


class FixedWindowLimiter:
    """At most ``max_calls`` per window of ``window`` seconds; the window opens on first use."""

    __slots__ = ("_count", "_max_calls", "_reset_at", "_window")

    def __init__(self, max_calls: int, window: float) -> None:
        self._max_calls = max_calls
        self._window = window
        self._count = 0
        self._reset_at: float | None = None

    def allow(self, now: float) -> bool:
        """Count one call at ``now``; ``False`` when the window's budget is spent."""
        if self._reset_at is None or now > self._reset_at:
            self._count = 1
            self._reset_at = now + self._window
            return True
        if self._count >= self._max_calls:
            return False
        self._count += 1
        return True
