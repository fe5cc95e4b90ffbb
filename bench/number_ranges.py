"""``NumberRanges``: a set of integers kept as sorted, disjoint, half-open ranges.

The soak's bookkeeping: sequence numbers arrive nearly in order, so the numbers seen collapse
into a few ranges, and the memory grows with the gaps between them, not with the count.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator

__all__ = ["NumberRanges"]


class NumberRanges:
    """A set of integers; ``len`` is how many it holds."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._count = 0

    def add(self, number: int) -> bool:
        """Add ``number``; ``False`` when it was already in the set."""
        index = bisect_right(self._starts, number)
        if index and number < self._ends[index - 1]:
            return False
        extends_left = index > 0 and self._ends[index - 1] == number
        extends_right = index < len(self._starts) and self._starts[index] == number + 1
        if extends_left and extends_right:
            self._ends[index - 1] = self._ends[index]
            del self._starts[index], self._ends[index]
        elif extends_left:
            self._ends[index - 1] = number + 1
        elif extends_right:
            self._starts[index] = number
        else:
            self._starts.insert(index, number)
            self._ends.insert(index, number + 1)
        self._count += 1
        return True

    def __len__(self) -> int:
        return self._count

    @property
    def range_count(self) -> int:
        """How many disjoint ranges hold the numbers (what the memory grows with)."""
        return len(self._starts)

    def ranges(self) -> Iterator[tuple[int, int]]:
        """The ranges, ``(start, end)`` with ``end`` excluded, in increasing order."""
        return zip(self._starts, self._ends, strict=True)

    def without(self, other: NumberRanges) -> Iterator[tuple[int, int]]:
        """The ranges of the numbers in this set but not in ``other``, in increasing order."""
        theirs = list(other.ranges())
        index = 0
        for start, end in self.ranges():
            while index < len(theirs) and theirs[index][1] <= start:
                index += 1
            cursor, scan = start, index
            while scan < len(theirs) and theirs[scan][0] < end:
                their_start, their_end = theirs[scan]
                if their_start > cursor:
                    yield cursor, their_start
                cursor = max(cursor, their_end)
                scan += 1
            if cursor < end:
                yield cursor, end

    def missing_from(self, other: NumberRanges) -> int:
        """How many numbers of this set ``other`` lacks."""
        return sum(end - start for start, end in self.without(other))

    def first_missing_from(self, other: NumberRanges, count: int) -> list[int]:
        """Up to ``count`` of the smallest numbers of this set that ``other`` lacks."""
        found: list[int] = []
        for start, end in self.without(other):
            found.extend(range(start, min(end, start + count - len(found))))
            if len(found) >= count:
                break
        return found
