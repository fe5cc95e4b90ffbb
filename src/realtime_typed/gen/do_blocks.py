"""The SQL statements a ``DO`` block runs, read from its PL/pgSQL body.

Migrations create types and tables inside ``DO $$ ... $$`` blocks to make them idempotent
(``IF NOT EXISTS (select from pg_type ...) THEN CREATE TYPE ...``, or ``BEGIN CREATE TYPE
...; EXCEPTION WHEN duplicate_object THEN null; END``). The body is parsed with pglast's
PL/pgSQL parser and walked in order: every embedded SQL statement comes out with whether it
is *guarded* (under ``IF``/``CASE``, in a loop, or in a block with exception handlers), so
the caller can skip it when the object already exists, or does not, as the guard would.
A condition that asks anything but the catalog (``IF current_setting('app.env') = 'dev'``,
a loop) comes out too: only running the block can tell whether the statement runs.
``PERFORM`` and ``CALL`` come out as the ``SELECT``/``CALL`` they run. ``EXECUTE`` of a string
literal is an embedded statement like the others; ``EXECUTE`` of a computed string cannot be
read and comes out as :class:`DynamicSQL`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

from pglast import ast, parse_plpgsql, parse_sql
from pglast.parser import ParseError

__all__ = ["BlockStatement", "DynamicSQL", "block_statements"]

_GUARDING = frozenset(
    {
        "PLpgSQL_stmt_if",
        "PLpgSQL_stmt_case",
        "PLpgSQL_stmt_loop",
        "PLpgSQL_stmt_while",
        "PLpgSQL_stmt_fori",
        "PLpgSQL_stmt_fors",
        "PLpgSQL_stmt_forc",
        "PLpgSQL_stmt_foreach_a",
        "PLpgSQL_stmt_dynfors",
    }
)


_CATALOG_CHECK = re.compile(
    r"\bpg_[a-z_]+\b|\binformation_schema\.|\bto_reg[a-z]*\s*\(|\bexists\b", re.IGNORECASE
)
_BOOLEAN_VARIABLE = re.compile(r"^\s*(not\s+)?[a-z_][a-z0-9_]*\s*$", re.IGNORECASE)
"""A flag set from an earlier lookup (``select exists (...) into found_it``)."""


@dataclass(frozen=True, slots=True)
class BlockStatement:
    """One SQL statement of a ``DO`` block, as written, and whether a guard surrounds it.

    ``condition`` is the text of a condition it runs under that is not a check of what the
    catalog holds (``IF current_setting('app.env') = 'dev'``, a loop), which nothing short
    of running the block can evaluate.
    """

    sql: str
    guarded: bool
    condition: str | None = None


@dataclass(frozen=True, slots=True)
class DynamicSQL:
    """``EXECUTE`` of a string computed at run time (``format(...)``): unknowable here."""

    expression: str


def block_statements(do_statement: str) -> list[BlockStatement | DynamicSQL]:
    """The statements ``do_statement`` (a whole ``DO`` statement) runs, in order.

    Raises :class:`pglast.parser.ParseError` when the body is not valid PL/pgSQL.
    """
    functions = parse_plpgsql(do_statement)
    found: list[BlockStatement | DynamicSQL] = []
    for function in functions:
        found.extend(_walk(function, guarded=False))
    return found


def _walk(
    node: Any, *, guarded: bool, condition: str | None = None
) -> Iterator[BlockStatement | DynamicSQL]:
    if isinstance(node, list):
        items: list[Any] = node  # pyright: ignore[reportUnknownVariableType]
        for item in items:
            yield from _walk(item, guarded=guarded, condition=condition)
        return
    if not isinstance(node, dict):
        return
    for kind, fields in cast("dict[str, Any]", node).items():
        if not isinstance(fields, dict):
            continue
        body = cast("dict[str, Any]", fields)
        if kind == "PLpgSQL_stmt_execsql":
            yield BlockStatement(_query(body.get("sqlstmt")), guarded, condition)
        elif kind in {"PLpgSQL_stmt_perform", "PLpgSQL_stmt_call"}:
            yield BlockStatement(_query(body.get("expr")), guarded, condition)
        elif kind == "PLpgSQL_stmt_dynexecute":
            expression = _query(body.get("query"))
            literal = _string_literal(expression)
            if literal is None:
                yield DynamicSQL(expression)
            else:
                yield BlockStatement(literal, guarded, condition)
        else:
            inner = guarded or kind in _GUARDING
            if kind == "PLpgSQL_stmt_block" and body.get("exceptions"):
                inner = True
            inner_condition = condition or _unknowable_condition(kind, body)
            for value in body.values():
                yield from _walk(value, guarded=inner, condition=inner_condition)


def _unknowable_condition(kind: str, body: dict[str, Any]) -> str | None:
    """The condition a statement puts on what it holds, unless it only checks the catalog."""
    if kind == "PLpgSQL_stmt_if":
        conditions = [_query(body.get("cond"))]
        for branch in cast("list[Any]", body.get("elsif_list") or []):
            inner: dict[str, Any] = cast("dict[str, Any]", branch).get("PLpgSQL_if_elsif") or {}
            conditions.append(_query(inner.get("cond")))
        return next((c for c in conditions if not _checks_the_catalog(c)), None)
    if kind == "PLpgSQL_stmt_case":
        return "a CASE"
    if kind in _GUARDING:
        return "a loop"
    return None


def _checks_the_catalog(condition: str) -> bool:
    """Whether an IF condition is the idempotency kind: it asks what already exists."""
    return bool(_CATALOG_CHECK.search(condition) or _BOOLEAN_VARIABLE.match(condition))


def _query(expression: Any) -> str:
    """The text of a ``PLpgSQL_expr`` node."""
    if isinstance(expression, dict):
        inner = cast("dict[str, Any]", expression).get("PLpgSQL_expr")
        if isinstance(inner, dict):
            query = cast("dict[str, Any]", inner).get("query")
            if isinstance(query, str):
                return query
    return ""


def _string_literal(expression: str) -> str | None:
    """The value of ``expression`` when it is a plain string constant, else None."""
    try:
        parsed = parse_sql(f"select {expression}")
    except ParseError:
        return None
    select = parsed[0].stmt if len(parsed) == 1 else None
    targets: list[Any] = list(select.targetList or ()) if isinstance(select, ast.SelectStmt) else []
    if len(targets) != 1:
        return None
    value = targets[0].val if isinstance(targets[0], ast.ResTarget) else None
    if isinstance(value, ast.A_Const) and isinstance(value.val, ast.String):
        return value.val.sval
    return None
