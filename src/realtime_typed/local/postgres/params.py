"""A client's ``postgres_changes`` binding map, parsed as Supabase Realtime parses it.

``parse_binding(params)`` returns :class:`SubscriptionParams` or the exact error text the real
server pushes: the event becomes an action filter (anything unknown is ``*``), a missing table
means ``*``, a missing schema means ``public``, and the filter string becomes a list of
:class:`ColumnFilter` (``col=[not.]op.value``, comma-separated AND, double-quoted values).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from realtime_typed.local.postgres.elixir_terms import inspect_term, inspect_tuple

__all__ = ["FILTER_OPERATORS", "ColumnFilter", "SubscriptionParams", "parse_binding"]

FILTER_OPERATORS: Final = frozenset(
    {"eq", "neq", "lt", "lte", "gt", "gte", "in"}
    | {"like", "ilike", "is", "match", "imatch", "isdistinct"}
)
_ACTIONS: Final = frozenset({"INSERT", "UPDATE", "DELETE"})
_NO_PARAMS: Final = (
    "No subscription params provided. Please provide at least a `schema` or `table` to "
    "subscribe to: "
)
_WILDCARD_SELECT: Final = (
    "Column selection is not supported for wildcard subscriptions. Provide an explicit schema "
    "and table name."
)
_SELECT_NOT_LIST: Final = (
    'Error parsing `select` params: expected a list of column name strings, e.g. select: ["col1", '
    '"col2"]'
)


@dataclass(frozen=True)
class ColumnFilter:
    """One ``column=[not.]op.value`` condition; ``in`` values are a Postgres array literal."""

    column: str
    op: str
    value: str
    negate: bool

    def inspect(self) -> str:
        """As the server prints it in error messages: ``{"id", "eq", "1", false}``."""
        return inspect_tuple([self.column, self.op, self.value, self.negate])


@dataclass(frozen=True)
class SubscriptionParams:
    """What one binding subscribes to."""

    action_filter: str
    schema: str
    table: str
    filters: tuple[ColumnFilter, ...]
    selected_columns: tuple[str, ...] | None

    def describe(self) -> str:
        """The ``event: …, schema: …`` list quoted in subscription error messages."""
        filters = "[" + ", ".join(f.inspect() for f in self.filters) + "]"
        select = "nil" if self.selected_columns is None else inspect_term(self.selected_columns)
        return (
            f"event: {self.action_filter}, schema: {self.schema}, table: {self.table}, "
            f"filters: {filters}, select: {select}"
        )


class _FilterError(ValueError):
    """A filter string that cannot be parsed; the message is the server's detail."""


def _action_filter(params: Mapping[str, Any]) -> str:
    event = params.get("event")
    if isinstance(event, str) and event.upper() in _ACTIONS:
        return event.upper()
    return "*"


def _split_top_level(text: str) -> list[str]:
    """Split on commas outside parentheses and double-quoted values (quotes open after . ( ,)."""
    segments: list[str] = []
    current: list[str] = []
    depth = 0
    quoted = False
    previous = ""
    index = 0
    while index < len(text):
        char = text[index]
        if quoted:
            if char == "\\" and index + 1 < len(text):
                current.append(text[index : index + 2])
                previous = text[index + 1]
                index += 2
                continue
            if char == '"':
                quoted = False
            current.append(char)
        elif char == '"' and previous in (".", "(", ","):
            quoted = True
            current.append(char)
        elif char == "(":
            depth += 1
            current.append(char)
        elif char == ")":
            depth = max(0, depth - 1)
            current.append(char)
        elif char == "," and depth == 0:
            segments.append("".join(current))
            current = []
            char = ""
        else:
            current.append(char)
        previous = char
        index += 1
    segments.append("".join(current))
    return segments


def _unquote(value: str) -> str:
    if not value.startswith('"'):
        return value
    out: list[str] = []
    index = 1
    while index < len(value):
        char = value[index]
        if char == '"':
            return "".join(out) if index == len(value) - 1 else value
        if char == "\\" and index + 1 < len(value):
            out.append(value[index + 1])
            index += 2
            continue
        out.append(char)
        index += 1
    return value


def _parse_segment(segment: str) -> ColumnFilter:
    trimmed = segment.strip()
    if not trimmed:
        raise _FilterError("filter must not contain empty segments (check for extra commas)")
    column, equals, rest = trimmed.partition("=")
    if not equals:
        raise _FilterError(inspect_term([trimmed]))
    negate = rest.startswith("not.")
    op_value = rest[4:] if negate else rest
    op, dot, value = op_value.partition(".")
    if not dot:
        raise _FilterError(inspect_term([op_value]))
    if op not in FILTER_OPERATORS:
        raise _FilterError(inspect_term([op, value]))
    if op == "in":
        if len(value) < 2 or not (value.startswith("(") and value.endswith(")")):
            raise _FilterError("`in` filter value must be wrapped by parentheses")
        return ColumnFilter(column, op, "{" + value[1:-1] + "}", negate)
    return ColumnFilter(column, op, _unquote(value), negate)


def _parse_filters(text: str) -> tuple[ColumnFilter, ...]:
    trimmed = text.strip()
    if not trimmed:
        return ()
    return tuple(_parse_segment(segment) for segment in _split_top_level(trimmed))


def _selected_columns(params: Mapping[str, Any]) -> tuple[str, ...] | None:
    select = params.get("select")
    if isinstance(select, str):
        raise _FilterError(_SELECT_NOT_LIST)
    if isinstance(select, list):
        names = tuple(name for name in select if isinstance(name, str))  # pyright: ignore[reportUnknownVariableType]
        return names or None
    return None


def _no_params(params: Mapping[str, Any]) -> str:
    if "user_token" in params or "auth_token" in params:
        return _NO_PARAMS + "<redacted>"
    return _NO_PARAMS + inspect_term(params)


def parse_binding(params: Mapping[str, Any]) -> SubscriptionParams | str:
    """The subscription one binding map asks for, or the error message the server sends."""
    action = _action_filter(params)
    try:
        selected = _selected_columns(params)
    except _FilterError as error:
        return str(error)
    schema, table, text_filter = params.get("schema"), params.get("table"), params.get("filter")
    filters: tuple[ColumnFilter, ...] = ()
    if isinstance(schema, str) and isinstance(table, str) and isinstance(text_filter, str):
        try:
            filters = _parse_filters(text_filter)
        except _FilterError as error:
            return f"Error parsing `filter` params: {error}"
    elif isinstance(schema, str) and isinstance(table, str) and "filter" not in params:
        pass
    elif isinstance(schema, str) and "table" not in params and "filter" not in params:
        table = "*"
    elif isinstance(table, str) and "schema" not in params and "filter" not in params:
        schema = "public"
    else:
        return _no_params(params)
    assert isinstance(schema, str) and isinstance(table, str)
    if selected is not None and "*" in (schema, table):
        return _WILDCARD_SELECT
    return SubscriptionParams(action, schema, table, filters, selected)
