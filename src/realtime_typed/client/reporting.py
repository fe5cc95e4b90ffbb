"""Which background errors to report, with bounded memory and a bounded number of reports.

A hostile or broken server can send errors of endless distinct kinds (300,000 event names, one
malformed frame each). :class:`ReportFilter` reports the first error of each kind for the first
:data:`MAX_KINDS` kinds and remembers no more (each kind's key cut to :data:`MAX_KEY_CHARS`);
errors of kinds beyond those are reported at their 1st, 2nd, 4th, 8th, ... occurrence, so
``n`` of them give about ``log2(n)`` reports. Every error not reported is counted. Nothing here
depends on time, so the same input always gives the same reports.
"""

from __future__ import annotations

from typing import Final

__all__ = ["MAX_KEY_CHARS", "MAX_KINDS", "ReportFilter"]

MAX_KINDS: Final = 256
"""Kinds of errors remembered (and reported once each)."""
MAX_KEY_CHARS: Final = 200
"""Characters of a kind's key kept; longer keys that share this prefix are one kind."""


class ReportFilter:
    """Decides which errors of a kind are reported: the first of each known kind, then a
    doubling sample of the rest."""

    __slots__ = ("_kinds", "_max_kinds", "_overflow", "suppressed")

    def __init__(self, max_kinds: int = MAX_KINDS) -> None:
        self._max_kinds = max_kinds
        self._kinds: set[str] = set()
        self._overflow = 0
        self.suppressed: int = 0
        """Errors not reported (repeats of a known kind, and unsampled ones past the cap)."""

    def __len__(self) -> int:
        return len(self._kinds)

    @property
    def overflow(self) -> int:
        """Errors whose kind came after :data:`MAX_KINDS` kinds were known."""
        return self._overflow

    def should_report(self, kind: str) -> bool:
        """Whether to report an error of ``kind`` now (every call counts one error)."""
        key = kind[:MAX_KEY_CHARS]
        kinds = self._kinds
        if key in kinds:
            self.suppressed += 1
            return False
        if len(kinds) < self._max_kinds:
            kinds.add(key)
            return True
        self._overflow += 1
        count = self._overflow
        if count & (count - 1) == 0:  # 1, 2, 4, 8, ...
            return True
        self.suppressed += 1
        return False
