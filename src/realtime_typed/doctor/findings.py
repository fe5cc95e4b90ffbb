"""A finding of ``realtime-doctor``: its level, the object, what is wrong, the SQL that fixes it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Finding", "Level"]

Level = Literal["ok", "warn", "error"]


@dataclass(frozen=True)
class Finding:
    """One line of the report.

    ``error``: changes of ``subject`` cannot arrive at all (for the roles checked); ``warn``:
    they arrive partially, or only for some roles; ``ok``: checked and fine (with what to know).
    """

    level: Level
    subject: str
    """The object the finding is about: a table, the publication, the database."""
    message: str
    fix: str | None = None
    """SQL that fixes it, or ``None``."""

    def line(self) -> str:
        """The finding as one line: ``LEVEL subject: message; fix: SQL``."""
        text = f"{self.level:<5} {self.subject}: {self.message}"
        if self.fix is not None:
            text += f"; fix: {self.fix}"
        return text
