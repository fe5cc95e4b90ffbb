"""What one private channel may do, as its RLS policies on ``realtime.messages`` decided.

Each permission is ``None`` until checked: read at the join (presence read only when presence
is enabled), write lazily on the first broadcast or presence track. Public channels carry no
``Policies`` at all: everything is allowed there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["EXTENSIONS", "Extension", "Policies"]

Extension = Literal["broadcast", "presence"]
EXTENSIONS: Final[tuple[Extension, ...]] = ("broadcast", "presence")


@dataclass(slots=True)
class Policies:
    """Read and write permissions for broadcast and presence (``None``: not checked yet)."""

    broadcast_read: bool | None = None
    broadcast_write: bool | None = None
    presence_read: bool | None = None
    presence_write: bool | None = None

    def read(self, extension: Extension) -> bool | None:
        """The read check of ``extension`` (``None``: not checked)."""
        return self.broadcast_read if extension == "broadcast" else self.presence_read

    def can_read(self, extension: Extension) -> bool:
        """Whether reading ``extension`` was granted (unchecked counts as denied)."""
        return self.read(extension) is True

    def can_write(self, extension: Extension) -> bool:
        """Whether writing ``extension`` was granted (unchecked counts as denied)."""
        granted = self.broadcast_write if extension == "broadcast" else self.presence_write
        return granted is True

    def set_read(self, extension: Extension, granted: bool) -> None:
        """Record the read check of ``extension``."""
        if extension == "broadcast":
            self.broadcast_read = granted
        else:
            self.presence_read = granted

    def set_write(self, extension: Extension, granted: bool) -> None:
        """Record the write check of ``extension``."""
        if extension == "broadcast":
            self.broadcast_write = granted
        else:
            self.presence_write = granted

    def read_revoked_by(self, current: Policies) -> bool:
        """Whether a read granted here is denied in ``current`` (after a token refresh)."""
        return any(
            self.read(extension) is True and current.read(extension) is False
            for extension in EXTENSIONS
        )
