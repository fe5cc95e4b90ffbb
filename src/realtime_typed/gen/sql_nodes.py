"""Reading pglast's parse trees: names, constraints, options and statement spans.

Small pure functions shared by the DDL applier's modules, and the list of statements it
skips on purpose (:data:`IGNORED_STATEMENTS`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pglast import ast, parse_sql
from pglast.enums import ConstrType
from pglast.parser import ParseError
from pglast.visitors import Visitor

from realtime_typed.errors import DDLError
from realtime_typed.gen.sql_source import check_text

__all__ = [
    "IGNORED_STATEMENTS",
    "FunctionCalls",
    "boolean_option",
    "builtin_typmods",
    "constraint_of",
    "extension_statements",
    "multirange_name",
    "not_null_from",
    "object_names",
    "parse_error",
    "raw_statements",
    "relation_names",
    "schema_of",
    "search_path_of",
    "statement_spans",
    "strings",
]

IGNORED_STATEMENTS: frozenset[str] = frozenset(
    {
        "AlterFunctionStmt",
        "CreateTrigStmt",
        "CreatePolicyStmt",
        "AlterPolicyStmt",
        "GrantStmt",
        "GrantRoleStmt",
        "AlterDefaultPrivilegesStmt",
        "AlterOwnerStmt",
        "CreateSeqStmt",
        "AlterSeqStmt",
        "ViewStmt",
        "AlterExtensionStmt",
        "AlterExtensionContentsStmt",
        "InsertStmt",
        "UpdateStmt",
        "DeleteStmt",
        "MergeStmt",
        "TruncateStmt",
        "CopyStmt",
        "TransactionStmt",
        "CreateRoleStmt",
        "AlterRoleStmt",
        "AlterRoleSetStmt",
        "DropRoleStmt",
        "CreateEventTrigStmt",
        "AlterEventTrigStmt",
        "RuleStmt",
        "NotifyStmt",
        "ListenStmt",
        "UnlistenStmt",
        "ExplainStmt",
        "LockStmt",
        "VacuumStmt",
        "RefreshMatViewStmt",
        "ClusterStmt",
        "ReindexStmt",
        "CreateCastStmt",
        "DefineStmt",
        "CreateOpClassStmt",
        "CreateOpFamilyStmt",
        "AlterOpFamilyStmt",
        "SecLabelStmt",
        "AlterSystemStmt",
        "CreateForeignTableStmt",
        "CreateFdwStmt",
        "AlterFdwStmt",
        "CreateForeignServerStmt",
        "AlterForeignServerStmt",
        "CreateUserMappingStmt",
        "AlterUserMappingStmt",
        "DropUserMappingStmt",
        "ImportForeignSchemaStmt",
        "CreatePLangStmt",
        "CreateConversionStmt",
        "CreateStatsStmt",
        "AlterStatsStmt",
        "AlterCollationStmt",
        "CreateTransformStmt",
        "CreateAmStmt",
        "AlterDatabaseSetStmt",
        "AlterDatabaseStmt",
        "AlterDatabaseRefreshCollStmt",
        "CreatedbStmt",
        "DropdbStmt",
        "PrepareStmt",
        "ExecuteStmt",
        "DeallocateStmt",
        "DiscardStmt",
        "VariableShowStmt",
        "CheckPointStmt",
        "LoadStmt",
        "CreateTableSpaceStmt",
        "DropTableSpaceStmt",
        "AlterTableSpaceOptionsStmt",
        "AlterObjectDependsStmt",
        "AlterOperatorStmt",
        "AlterTypeStmt",
        "AlterTSConfigurationStmt",
        "AlterTSDictionaryStmt",
        "CreateSubscriptionStmt",
        "AlterSubscriptionStmt",
        "DropSubscriptionStmt",
        "ReassignOwnedStmt",
        "DropOwnedStmt",
        "ClosePortalStmt",
        "DeclareCursorStmt",
        "FetchStmt",
        "ConstraintsSetStmt",
        "AlterTableMoveAllStmt",
    }
)
"""Statements skipped on purpose: they change no table's columns, keys, replica identity
or row security (functions, triggers, policies, grants, sequences, views, data, roles,
foreign tables, which Realtime does not stream...). Any other statement the parser knows
and this module does not handle is reported as a warning, never skipped in silence."""


_INTERVAL_FULL_PRECISION = 0xFFFF


class FunctionCalls(Visitor):
    """The names of the functions a statement calls."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def visit_FuncCall(self, ancestors: Any, node: ast.FuncCall) -> None:
        """Record the called function's name (its last name part)."""
        self.names += strings(node.funcname)[-1:]


def parse_error(exc: ParseError) -> tuple[str, int | None]:
    """The message of a pglast parse error and the offset it points at (None: no offset, as
    for an escape that makes an invalid UTF-8 byte)."""
    args: tuple[Any, ...] = exc.args
    message = str(args[0]) if args else str(exc)
    index = args[1] if len(args) > 1 else 0
    return message, None if index is None else int(index)


def raw_statements(sql: str, file: str) -> list[tuple[Any, int, int]]:
    """Each statement of ``sql`` with its offset and length; a parse error is located."""
    try:
        statements = parse_sql(check_text(sql, file))
    except ParseError as exc:
        message, index = parse_error(exc)
        if index is None:
            raise DDLError(message, file=file) from exc
        line = sql.count("\n", 0, index) + 1
        column = index - (sql.rfind("\n", 0, index) + 1) + 1
        raise DDLError(message, file=file, line=line, column=column) from exc
    spans: list[tuple[Any, int, int]] = []
    for raw in statements:
        start = raw.stmt_location or 0
        spans.append((raw.stmt, start, raw.stmt_len or len(sql) - start))
    return spans


def statement_spans(sql: str, file: str) -> list[tuple[int, int]]:
    """The offset and length of each statement of ``sql``, in order."""
    return [(start, length) for _, start, length in raw_statements(sql, file)]


def extension_statements(sql: str, file: str) -> list[tuple[str, int, int]]:
    """The ``CREATE EXTENSION`` statements of ``sql``: name, offset and length of each."""
    return [
        (stmt.extname or "", start, length)
        for stmt, start, length in raw_statements(sql, file)
        if isinstance(stmt, ast.CreateExtensionStmt)
    ]


def strings(nodes: Iterable[Any] | None) -> list[str]:
    """The non-empty string values among ``nodes``."""
    return [node.sval for node in nodes or () if isinstance(node, ast.String) and node.sval]


def not_null_from(constraints: Iterable[Any] | None) -> bool | None:
    """True when the constraints make a column NOT NULL, False for an explicit NULL."""
    result: bool | None = None
    for constraint in constraints or ():
        if not isinstance(constraint, ast.Constraint):
            continue
        if constraint.contype in {
            ConstrType.CONSTR_NOTNULL,
            ConstrType.CONSTR_PRIMARY,
            ConstrType.CONSTR_IDENTITY,
        }:
            result = True
        elif constraint.contype == ConstrType.CONSTR_NULL:
            result = False
    return result


def constraint_of(constraints: Iterable[Any] | None, kind: ConstrType) -> ast.Constraint | None:
    """The first constraint of ``kind`` among ``constraints``, if any."""
    return next(
        (c for c in constraints or () if isinstance(c, ast.Constraint) and c.contype == kind),
        None,
    )


def schema_of(names: list[str]) -> str | None:
    """The schema part of a qualified name, if it has one."""
    return names[-2] if len(names) >= 2 else None


def object_names(obj: Any) -> list[str]:
    """The name parts of a DROP/COMMENT/RENAME target: a list of strings or a TypeName."""
    if isinstance(obj, ast.TypeName):
        return strings(obj.names)
    return strings(obj)


def relation_names(relation: ast.RangeVar | None) -> list[str]:
    """A relation's name parts: schema (when given) and name."""
    assert relation is not None and relation.relname is not None
    return [relation.schemaname, relation.relname] if relation.schemaname else [relation.relname]


def builtin_typmods(name: str, typmods: tuple[int, ...]) -> tuple[int, ...]:
    """Type modifiers as PostgreSQL stores them: ``numeric(p)`` is ``numeric(p, 0)``, an
    interval's fields and precision are one number (fields << 16 | precision)."""
    if name == "numeric" and len(typmods) == 1:
        return (typmods[0], 0)
    if name == "interval" and typmods:
        fields, *precision = typmods
        return ((fields << 16) | (precision[0] if precision else _INTERVAL_FULL_PRECISION),)
    return typmods


def multirange_name(range_name: str) -> str:
    """PostgreSQL's name for a range type's multirange: ``range`` becomes ``multirange``."""
    at = range_name.find("range")
    if at < 0:
        return f"{range_name}_multirange"
    return f"{range_name[:at]}multirange{range_name[at + len('range') :]}"


def search_path_of(values: Iterable[str]) -> list[str]:
    """The schemas of a ``search_path`` setting, in order, without ``$user``."""
    schemas = [value.strip().strip('"') for value in values]
    return [schema for schema in schemas if schema and schema != "$user"]


def boolean_option(value: Any) -> bool:
    """A boolean option's value: absent means true, as PostgreSQL reads ``WITH (option)``."""
    if value is None:
        return True
    if isinstance(value, ast.Boolean):
        return bool(value.boolval)
    if isinstance(value, ast.Integer):
        return bool(value.ival)
    text = value.sval if isinstance(value, ast.String) else ""
    return (text or "").lower() in {"true", "on", "yes", "1", "t", "y"}
