"""Typed Postgres-changes filters: ``Todos.c.user_id.eq(42)`` and their wire form.

A :class:`Column` is typed by the Python type of its values, so ``eq`` on an ``int`` column
takes an ``int``. A :class:`Filter` renders to the server's grammar, ``column=op.value``;
filters combine with ``&`` into a comma-separated AND (newer servers only). Values that hold
``, ( ) " \\`` or outer whitespace are double-quoted, PostgREST style.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Generic, Literal, TypeVar
from uuid import UUID

__all__ = ["Column", "Filter", "FilterOp", "format_filter_value"]

ValueT = TypeVar("ValueT", contravariant=True)

FilterOp = Literal[
    "eq",
    "neq",
    "lt",
    "lte",
    "gt",
    "gte",
    "in",
    "like",
    "ilike",
    "is",
    "match",
    "imatch",
    "isdistinct",
]

_NEEDS_QUOTES = frozenset(',()"\\')


def format_filter_value(value: object) -> str:
    """The text of one filter value, quoted when the server's grammar needs it."""
    if value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, Enum):
        text = str(value.value)
    elif isinstance(value, datetime | date | time):
        text = value.isoformat()
    elif isinstance(value, int | float | Decimal | UUID | str):
        text = str(value)
    else:
        text = json.dumps(value, separators=(",", ":"))
    if text != text.strip() or any(ch in _NEEDS_QUOTES for ch in text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


@dataclass(frozen=True, slots=True)
class Filter:
    """One or more conditions, rendered by :meth:`build` as the join's ``filter`` string."""

    conditions: tuple[str, ...]

    def build(self) -> str:
        """The wire form: conditions joined by commas (AND)."""
        return ",".join(self.conditions)

    def __and__(self, other: Filter) -> Filter:
        return Filter(self.conditions + other.conditions)

    def __str__(self) -> str:
        return self.build()


@dataclass(frozen=True)
class Column(Generic[ValueT]):
    """A typed column of a generated table; its methods build :class:`Filter` values."""

    name: str

    def _op(self, op: str, value: object, *, negate: bool = False) -> Filter:
        prefix = "not." if negate else ""
        return Filter((f"{self.name}={prefix}{op}.{format_filter_value(value)}",))

    def eq(self, value: ValueT) -> Filter:
        """``column = value``."""
        return self._op("eq", value)

    def neq(self, value: ValueT) -> Filter:
        """``column <> value``."""
        return self._op("neq", value)

    def lt(self, value: ValueT) -> Filter:
        """``column < value``."""
        return self._op("lt", value)

    def lte(self, value: ValueT) -> Filter:
        """``column <= value``."""
        return self._op("lte", value)

    def gt(self, value: ValueT) -> Filter:
        """``column > value``."""
        return self._op("gt", value)

    def gte(self, value: ValueT) -> Filter:
        """``column >= value``."""
        return self._op("gte", value)

    def in_(self, values: Iterable[ValueT]) -> Filter:
        """``column IN (values)``; the server accepts at most 100 values."""
        items = ",".join(format_filter_value(value) for value in values)
        return Filter((f"{self.name}=in.({items})",))

    def not_in(self, values: Iterable[ValueT]) -> Filter:
        """``column NOT IN (values)`` (newer servers)."""
        items = ",".join(format_filter_value(value) for value in values)
        return Filter((f"{self.name}=not.in.({items})",))

    def like(self: Column[str], pattern: str) -> Filter:
        """``column LIKE pattern`` (newer servers)."""
        return self._op("like", pattern)

    def ilike(self: Column[str], pattern: str) -> Filter:
        """``column ILIKE pattern`` (newer servers)."""
        return self._op("ilike", pattern)

    def is_(self, value: Literal["null", "true", "false", "unknown"] | None) -> Filter:
        """``column IS value``: null, or true/false/unknown on boolean columns (newer servers)."""
        return Filter((f"{self.name}=is.{value or 'null'}",))

    def is_not(self, value: Literal["null", "true", "false", "unknown"] | None) -> Filter:
        """``column IS NOT value`` (newer servers)."""
        return Filter((f"{self.name}=not.is.{value or 'null'}",))
