"""The rename map: ``--rename audit.events=AuditLog`` and ``--rename public.t."x-y"=x_dash_y``.

The left side is a SQL name as PostgreSQL reads it: parts separated by dots, each a plain
identifier (folded to lower case) or a double-quoted one (kept as written, ``""`` for a quote).
One part is a table or type in ``public``, two are ``schema.name``, three name a column of a
table (or an attribute of a composite type): ``schema.table.column``. The right side is the
Python name to use. Every entry must name an object the schema has, so a typo is an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from realtime_typed.errors import SchemaError
from realtime_typed.gen.names import check_class_name, check_field_name

__all__ = ["Renames", "parse_renames", "sql_name"]


def _split_sql_name(text: str) -> list[str]:
    parts: list[str] = []
    index = 0
    while True:
        if index < len(text) and text[index] == '"':
            end = index + 1
            part: list[str] = []
            while True:
                quote = text.find('"', end)
                if quote < 0:
                    raise ValueError("unterminated quoted identifier")
                part.append(text[end:quote])
                if text[quote + 1 : quote + 2] == '"':
                    part.append('"')
                    end = quote + 2
                    continue
                index = quote + 1
                break
            parts.append("".join(part))
        else:
            dot = text.find(".", index)
            plain = text[index:] if dot < 0 else text[index:dot]
            if not plain or '"' in plain:
                raise ValueError("empty or malformed name part")
            parts.append(plain.lower())
            index = len(text) if dot < 0 else dot
        if index == len(text):
            return parts
        if text[index] != ".":
            raise ValueError("expected a dot between name parts")
        index += 1


def sql_name(*parts: str) -> str:
    """``parts`` as a dotted SQL name, quoting the parts that need it."""
    return ".".join(
        part
        if part.isidentifier() and part == part.lower()
        else '"' + part.replace('"', '""') + '"'
        for part in parts
    )


@dataclass(slots=True)
class Renames:
    """Class names by ``(schema, name)`` and field names by ``(schema, name, column)``."""

    classes: dict[tuple[str, str], str] = field(default_factory=dict[tuple[str, str], str])
    fields: dict[tuple[str, str, str], str] = field(default_factory=dict[tuple[str, str, str], str])
    used: set[tuple[str, ...]] = field(default_factory=set[tuple[str, ...]])

    def class_for(self, schema: str, name: str) -> str | None:
        """The class name given to ``schema.name``, if any."""
        key = (schema, name)
        if key in self.classes:
            self.used.add(key)
        return self.classes.get(key)

    def field_for(self, schema: str, name: str, column: str) -> str | None:
        """The field name given to ``schema.name.column``, if any."""
        key = (schema, name, column)
        if key in self.fields:
            self.used.add(key)
        return self.fields.get(key)

    def check_all_used(self) -> None:
        """Every entry named something the module has; else an error naming the first."""
        entries = [*self.classes, *self.fields]
        for key in entries:
            if key not in self.used:
                raise SchemaError(f"--rename {sql_name(*key)}: no such table, type or column")


def parse_renames(entries: Iterable[str]) -> Renames:
    """The rename map of ``--rename`` arguments; a malformed entry is a :class:`SchemaError`."""
    renames = Renames()
    for entry in entries:
        target, equals, name = entry.rpartition("=")
        where = f"--rename {entry}"
        if not equals or not target:
            raise SchemaError(f"{where}: expected SQL_NAME=PythonName")
        try:
            parts = _split_sql_name(target)
        except ValueError as exc:
            raise SchemaError(f"{where}: {exc}") from None
        if len(parts) == 1:
            parts = ["public", *parts]
        if len(parts) == 2:
            renames.classes[(parts[0], parts[1])] = check_class_name(name, where)
        elif len(parts) == 3:
            renames.fields[(parts[0], parts[1], parts[2])] = check_field_name(name, where)
        else:
            raise SchemaError(f"{where}: expected schema.name or schema.table.column")
    return renames
