"""A queue of deadlines: every timer of the core, driven by the caller's clock.

Nothing here sleeps. The caller asks :meth:`DeadlineQueue.next_deadline` when to come back and
calls :meth:`DeadlineQueue.fire_due` with the time it is then. Cancelled entries stay in the heap
until they reach the top, so cancelling is O(1).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from itertools import count

__all__ = ["Deadline", "DeadlineQueue"]


class Deadline:
    """One scheduled action; :meth:`cancel` makes it a no-op."""

    __slots__ = ("action", "cancelled", "when")

    def __init__(self, when: float, action: Callable[[float], None]) -> None:
        self.when: float = when
        self.action: Callable[[float], None] = action
        self.cancelled: bool = False

    def cancel(self) -> None:
        """Never run this action."""
        self.cancelled = True


class DeadlineQueue:
    """Deadlines ordered by time; ties fire in the order they were added."""

    __slots__ = ("_heap", "_seq")

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Deadline]] = []
        self._seq = count()

    def add(self, when: float, action: Callable[[float], None]) -> Deadline:
        """Run ``action(now)`` once ``now >= when``."""
        deadline = Deadline(when, action)
        heapq.heappush(self._heap, (when, next(self._seq), deadline))
        return deadline

    def next_deadline(self) -> float | None:
        """The earliest live deadline, or ``None`` when nothing is scheduled."""
        heap = self._heap
        while heap and heap[0][2].cancelled:
            heapq.heappop(heap)
        return heap[0][0] if heap else None

    def fire_due(self, now: float) -> None:
        """Run every live action whose time has come, earliest first."""
        heap = self._heap
        while heap and heap[0][0] <= now:
            _when, _seq, deadline = heapq.heappop(heap)
            if not deadline.cancelled:
                deadline.cancelled = True
                deadline.action(now)

    def clear(self) -> None:
        """Drop every deadline."""
        for _when, _seq, deadline in self._heap:
            deadline.cancelled = True
        self._heap.clear()
