"""SQL files as text the DDL parser can take whole, or a :class:`DDLError` saying where not.

A file must be UTF-8 (PostgreSQL's and the Supabase CLI's encoding); a byte that is not is
reported with its line and column. A NUL character is refused too: PostgreSQL refuses it,
and the parser would stop reading at it without a word. A leading byte-order mark is
read as a blank, and psql meta-commands (``\\connect``, ``\\set``...) are blanked out, so
every offset still points at the same place in the file.
"""

from __future__ import annotations

import re
from pathlib import Path

from realtime_typed.errors import DDLError

__all__ = ["check_text", "read_sql_file"]

_META_COMMAND = re.compile(r"^[ \t]*\\[^\n]*", re.MULTILINE)
_BOM = "\ufeff"


def _line_and_column(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def read_sql_file(path: Path, display: str) -> str:
    """The text of the SQL file at ``path``, checked by :func:`check_text`."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DDLError(f"cannot read SQL: {exc.strerror or exc}", file=display) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8", errors="replace")
        line, column = _line_and_column(before, len(before))
        raise DDLError(
            f"byte 0x{data[exc.start]:02x} at byte offset {exc.start} is not UTF-8; "
            "save the file as UTF-8",
            file=display,
            line=line,
            column=column,
        ) from exc
    return check_text(text, display)


def check_text(sql: str, display: str) -> str:
    """``sql`` ready to parse: NUL refused, byte-order mark and psql meta-commands blanked."""
    nul = sql.find("\0")
    if nul >= 0:
        line, column = _line_and_column(sql, nul)
        raise DDLError(
            "NUL character in SQL: PostgreSQL refuses it and nothing after it would be read",
            file=display,
            line=line,
            column=column,
        )
    if sql.startswith(_BOM):
        sql = " " + sql[1:]
    return _META_COMMAND.sub(lambda match: " " * len(match.group()), sql)
