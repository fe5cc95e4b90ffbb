"""Typed Postgres-changes filters: ``Todos.c.user_id.eq(42)`` and their wire form.

A generated table offers each column as the class of filters the server evaluates correctly
on its type:

* :class:`Column` (``eq``, ``neq``, ``lt``, ``lte``, ``gt``, ``gte``, ``in_``, ``not_in``,
  ``is_distinct``, ``is_not_distinct``) for types with an order; :class:`EqColumn` (no
  ordering) for types with only an equality; :class:`TextColumn` adds ``like``/``ilike`` and
  their negations (text, name, citext); :class:`BoolColumn` takes ``is_("true")``;
* :class:`NullColumn` (only ``is_(None)``/``is_not(None)``) for types the server has no
  equality for (geometric types, ``xml``) or whose cast drops characters (``char(n)``).

The server compares the text of the column's JSON value cast back to the column's type, which
fails for arrays, composites and JSON values (``[1,2]`` is no array literal), and the failure
stops the changes of every subscriber; such columns are not offered at all.

Values are typed by the column's Python type, so ``eq`` on an ``int`` column takes an ``int``.
A :class:`Filter` renders to the server's grammar, ``column=[not.]op.value``; filters combine
with ``&`` into a comma-separated AND (newer servers only). Values are written as PostgreSQL
reads them (a ``bytes`` value as the bare hex wal2json gives the column); a value holding
``, ( ) " \\`` or outer whitespace is double-quoted, with ``\\`` escapes, and ``in`` lists are
array-literal elements.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from ipaddress import (
    IPv4Address,
    IPv4Interface,
    IPv4Network,
    IPv6Address,
    IPv6Interface,
    IPv6Network,
)
from typing import Generic, Literal, TypeVar
from uuid import UUID

__all__ = [
    "BoolColumn",
    "Column",
    "EqColumn",
    "Filter",
    "FilterOp",
    "NullColumn",
    "TextColumn",
    "format_filter_value",
]

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
_ELEMENT_NEEDS_QUOTES = frozenset(',(){}"\\')
_NetworkValue = (
    IPv4Address | IPv6Address | IPv4Interface | IPv6Interface | IPv4Network | IPv6Network
)


def _scalar_text(value: object) -> str:
    """The PostgreSQL input text of one scalar value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        # wal2json writes a bytea column as bare hex and the server casts both sides with
        # ::bytea, so the filter's text is that same bare hex (not the \\x form).
        return bytes(value).hex()
    if isinstance(value, int | float | Decimal | UUID | str | _NetworkValue):
        return str(value)
    raise TypeError(f"no filter text for a value of type {type(value).__name__}")


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _element_text(text: str) -> str:
    """One value of an ``in`` list, an element of the array literal the server builds."""
    if (
        not text
        or text.upper() == "NULL"
        or any(ch in _ELEMENT_NEEDS_QUOTES or ch.isspace() for ch in text)
    ):
        return _quoted(text)
    return text


def _value(text: str) -> str:
    """A single filter value, double-quoted when the filter grammar needs it."""
    if text != text.strip() or any(ch in _NEEDS_QUOTES for ch in text):
        return _quoted(text)
    return text


def format_filter_value(value: object) -> str:
    """The text of one scalar filter value, quoted when the server's grammar needs it."""
    return _value("null" if value is None else _scalar_text(value))


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
class NullColumn:
    """A column of a generated table; only ``IS [NOT] NULL`` is offered on this class."""

    name: str

    def _condition(self, op: str, text: str, *, negate: bool = False) -> Filter:
        prefix = "not." if negate else ""
        return Filter((f"{self.name}={prefix}{op}.{text}",))

    def is_(self, value: Literal["null"] | None = None) -> Filter:
        """``column IS NULL`` (newer servers)."""
        return self._condition("is", "null")

    def is_not(self, value: Literal["null"] | None = None) -> Filter:
        """``column IS NOT NULL`` (newer servers)."""
        return self._condition("is", "null", negate=True)


@dataclass(frozen=True)
class EqColumn(NullColumn, Generic[ValueT]):
    """A column whose type has an equality: ``eq``, ``neq``, ``in_`` and ``not_in``."""

    def _op(self, op: str, value: object) -> Filter:
        return self._condition(op, _value(_scalar_text(value)))

    def _in(self, values: Iterable[object], *, negate: bool) -> Filter:
        items = ",".join(_element_text(_scalar_text(value)) for value in values)
        return self._condition("in", f"({items})", negate=negate)

    def eq(self, value: ValueT) -> Filter:
        """``column = value``."""
        return self._op("eq", value)

    def neq(self, value: ValueT) -> Filter:
        """``column <> value``."""
        return self._op("neq", value)

    def in_(self, values: Iterable[ValueT]) -> Filter:
        """``column IN (values)``; the server accepts at most 100 values."""
        return self._in(values, negate=False)

    def not_in(self, values: Iterable[ValueT]) -> Filter:
        """``column NOT IN (values)`` (newer servers)."""
        return self._in(values, negate=True)

    def is_distinct(self, value: ValueT) -> Filter:
        """``column IS DISTINCT FROM value``: like ``neq``, but a NULL column matches too."""
        return self._op("isdistinct", value)

    def is_not_distinct(self, value: ValueT) -> Filter:
        """``column IS NOT DISTINCT FROM value``: ``eq`` for a non-null value (newer servers)."""
        return self._condition("isdistinct", _value(_scalar_text(value)), negate=True)


@dataclass(frozen=True)
class Column(EqColumn[ValueT]):
    """A column whose type is ordered: the equality filters, ``lt``, ``lte``, ``gt``, ``gte``."""

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


@dataclass(frozen=True)
class TextColumn(Column[str]):
    """A ``text``, ``name`` or ``citext`` column: the ordered filters, ``like`` and ``ilike``."""

    def like(self, pattern: str) -> Filter:
        """``column LIKE pattern`` (newer servers)."""
        return self._op("like", pattern)

    def ilike(self, pattern: str) -> Filter:
        """``column ILIKE pattern`` (newer servers)."""
        return self._op("ilike", pattern)

    def not_like(self, pattern: str) -> Filter:
        """``column NOT LIKE pattern`` (newer servers)."""
        return self._condition("like", _value(_scalar_text(pattern)), negate=True)

    def not_ilike(self, pattern: str) -> Filter:
        """``column NOT ILIKE pattern`` (newer servers)."""
        return self._condition("ilike", _value(_scalar_text(pattern)), negate=True)


@dataclass(frozen=True)
class BoolColumn(Column[bool]):
    """A ``boolean`` column: the ordered filters, and ``IS [NOT] TRUE/FALSE/UNKNOWN``."""

    def is_(self, value: Literal["null", "true", "false", "unknown"] | None = None) -> Filter:
        """``column IS value``: null, true, false or unknown (newer servers)."""
        return self._condition("is", value or "null")

    def is_not(self, value: Literal["null", "true", "false", "unknown"] | None = None) -> Filter:
        """``column IS NOT value`` (newer servers)."""
        return self._condition("is", value or "null", negate=True)
