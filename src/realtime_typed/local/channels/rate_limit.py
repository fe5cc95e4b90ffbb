"""Rate limits, sans-I/O (time comes in as ``now``): a fixed-window call limiter, and the
real server's rolling-average rate counter."""

from __future__ import annotations

__all__ = ["FixedWindowLimiter", "RollingRateLimit"]


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


class RollingRateLimit:
    """An average rate over a rolling window, checked against a limit, as the real server's
    rate counters: every ``tick`` seconds (the first at creation) the count since the last tick
    joins a window of the last ``buckets`` counts; the average is their sum over their span,
    per second. The limit triggers at a tick where the average reaches ``limit`` and releases
    at a tick where it has fallen below. Defaults: 5 s ticks, 12 buckets (one minute)."""

    __slots__ = ("_buckets", "_count", "_limit", "_max_buckets", "_next_tick", "_tick", "triggered")

    def __init__(self, limit: float, now: float, *, tick: float = 5.0, buckets: int = 12) -> None:
        self._limit = limit
        self._tick = tick
        self._max_buckets = buckets
        self._buckets: list[int] = []
        self._count = 0
        self._next_tick = now
        self.triggered: bool = False
        """Whether the limit held at the last tick."""

    def add(self, now: float, count: int = 1) -> None:
        """Count ``count`` events at ``now``."""
        if now >= self._next_tick:
            self.advance(now)
        self._count += count

    def advance(self, now: float) -> bool:
        """Run the ticks due by ``now``; returns :attr:`triggered`."""
        span = self._tick * self._max_buckets
        if now - self._next_tick > span:  # a long quiet spell: only empty buckets remain
            self._buckets = [0] * (self._max_buckets - 1)
            self._count = 0
            self._next_tick += (now - self._next_tick) // self._tick * self._tick
        while now >= self._next_tick:
            self._buckets.insert(0, self._count)
            del self._buckets[self._max_buckets :]
            self._count = 0
            self._next_tick += self._tick
            average = sum(self._buckets) / len(self._buckets) / self._tick
            self.triggered = average >= self._limit
        return self.triggered

    @property
    def average(self) -> float:
        """Events per second over the window at the last tick."""
        if not self._buckets:
            return 0.0
        return sum(self._buckets) / len(self._buckets) / self._tick
