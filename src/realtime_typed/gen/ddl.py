"""SQL DDL to a :class:`~realtime_typed.gen.catalog.Catalog`, with PostgreSQL's own grammar.

Statements are parsed by pglast (libpg_query) and applied in order, the way a migration runner
would: tables (partitioned, partitions and inheritance children too), columns, primary keys
(inline, added later, or ``PRIMARY KEY USING INDEX`` over a unique index), replica identity,
row level security, enums, domains, composite and range types, renames, drops, comments,
``search_path``, the ``supabase_realtime`` publication's ``publish_via_partition_root`` and
the SQL that ``DO`` blocks run (:mod:`realtime_typed.gen.do_blocks`).

Deliberately ignored, because they do not change a table's columns, keys or what Realtime
sends: functions and procedures (their bodies run later, not at migration time), triggers,
policies, grants and ownership, sequences, views, non-unique indexes, extensions (their
types are recognised by name), publication membership, data (``INSERT``, ``UPDATE``...).
Running a function created by the migrations whose body changes tables or types (``SELECT
create_partitions()``) is a warning: its effect is not modelled.
What cannot be modelled is an error, never a silent guess: ``CREATE TABLE ... AS`` and
``SELECT ... INTO`` (columns come from a query), ``CREATE SCHEMA`` with elements. A ``DO``
block's ``EXECUTE`` of a computed string is a warning: the statement it runs is unknowable.
Anything that cannot be parsed or applied raises :class:`~realtime_typed.errors.DDLError`
with the file, line, column and statement.

This is the only module that imports pglast (GPL-3.0, in the ``gen`` extra), with
:mod:`~realtime_typed.gen.do_blocks`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pglast import ast, parse_sql
from pglast.enums import (
    AlterTableType,
    ConstrType,
    DropBehavior,
    ObjectType,
    TableLikeOption,
    VariableSetKind,
)
from pglast.parser import ParseError
from pglast.visitors import Visitor

from realtime_typed.errors import DDLError
from realtime_typed.gen.catalog import (
    BuiltinType,
    Catalog,
    ColumnDef,
    CompositeType,
    DomainType,
    EnumType,
    Location,
    OpaqueType,
    ReplicaIdentity,
    Table,
    TypeRef,
)
from realtime_typed.gen.do_blocks import BlockStatement, block_statements
from realtime_typed.gen.pgtypes import BUILTIN_TYPES, EXTENSION_TYPE_SOURCES, EXTENSION_TYPES
from realtime_typed.gen.sql_source import check_text, read_sql_file

__all__ = [
    "IGNORED_STATEMENTS",
    "DDLApplier",
    "extension_statements",
    "migration_files",
    "statement_spans",
]

_SERIALS = {
    "serial": "int4",
    "serial4": "int4",
    "bigserial": "int8",
    "serial8": "int8",
    "smallserial": "int2",
    "serial2": "int2",
}
_STATEMENT_PREVIEW = 300
_DEFAULT_SEARCH_PATH = ("public", "extensions")
"""A Supabase database's: objects are created in ``public``, extension types found too."""
_REPLICA_IDENTITIES: dict[str, ReplicaIdentity] = {
    "d": "default",
    "f": "full",
    "i": "index",
    "n": "nothing",
}
_REALTIME_PUBLICATION = "supabase_realtime"
_INTERVAL_FULL_PRECISION = 0xFFFF

UserType = EnumType | DomainType | CompositeType

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


class _FunctionCalls(Visitor):
    """The names of the functions a statement calls."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def visit_FuncCall(self, ancestors: Any, node: ast.FuncCall) -> None:
        self.names += _strings(node.funcname)[-1:]


class _Existence(DDLError):
    """An object that already exists, or does not: what a guard in a ``DO`` block avoids."""


@dataclass(eq=False, slots=True)
class _Index:
    """A unique index (or the index of a primary key or unique constraint)."""

    table: Table
    columns: tuple[str, ...]
    plain: bool
    """No expression and no predicate: fit for a primary key or a replica identity."""


@dataclass(slots=True)
class _Frame:
    """The statement being applied: where its text sits in the file."""

    text: str
    start: int
    base: int | None
    """Offset in the file of the text pglast parsed (None: not in the file verbatim)."""


def migration_files(directory: Path) -> list[Path]:
    """The ``.sql`` files of a migrations folder in the order they apply (by name)."""
    return sorted(path for path in directory.iterdir() if path.suffix == ".sql" and path.is_file())


def _parse_error(exc: ParseError) -> tuple[str, int]:
    """The message of a pglast parse error and the offset it points at."""
    args: tuple[Any, ...] = exc.args
    message = str(args[0]) if args else str(exc)
    return message, int(args[1]) if len(args) > 1 else 0


def _raw_statements(sql: str, file: str) -> list[tuple[Any, int, int]]:
    """Each statement of ``sql`` with its offset and length; a parse error is located."""
    try:
        statements = parse_sql(check_text(sql, file))
    except ParseError as exc:
        message, index = _parse_error(exc)
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
    return [(start, length) for _, start, length in _raw_statements(sql, file)]


def extension_statements(sql: str, file: str) -> list[tuple[str, int, int]]:
    """The ``CREATE EXTENSION`` statements of ``sql``: name, offset and length of each."""
    return [
        (stmt.extname or "", start, length)
        for stmt, start, length in _raw_statements(sql, file)
        if isinstance(stmt, ast.CreateExtensionStmt)
    ]


def _strings(nodes: Iterable[Any] | None) -> list[str]:
    return [node.sval for node in nodes or () if isinstance(node, ast.String) and node.sval]


def _not_null_from(constraints: Iterable[Any] | None) -> bool | None:
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


def _constraint(constraints: Iterable[Any] | None, kind: ConstrType) -> ast.Constraint | None:
    return next(
        (c for c in constraints or () if isinstance(c, ast.Constraint) and c.contype == kind),
        None,
    )


class DDLApplier:
    """Applies DDL files to a catalog, in the order given."""

    def __init__(self, catalog: Catalog | None = None) -> None:
        self.catalog: Catalog = catalog or Catalog()
        self.search_path: list[str] = list(_DEFAULT_SEARCH_PATH)
        self.warnings: list[str] = []
        """Statements seen but not modelled, as ``file:line:column: warning: ...`` lines."""
        self._file = ""
        self._sql = ""
        self._frame = _Frame("", 0, 0)
        self._outer_start = 0
        """File offset of the ``DO`` statement whose embedded SQL is not in it verbatim."""
        self._indexes: dict[tuple[str, str], _Index] = {}
        self._inherits: list[tuple[Table, Table]] = []
        """(child, parent) pairs: partitions and ``INHERITS`` children."""
        self._opaque: dict[tuple[str, str], OpaqueType] = {}
        """Range and multirange types made by ``CREATE TYPE ... AS RANGE``."""
        self._extensions: dict[str, str] = {}
        """Extensions created so far, and their schema."""
        self._handlers: dict[type[Any], Callable[[Any], None]] = {
            ast.CreateStmt: self._create_table,
            ast.AlterTableStmt: self._alter_table,
            ast.RenameStmt: self._rename,
            ast.AlterObjectSchemaStmt: self._set_schema,
            ast.DropStmt: self._drop,
            ast.CommentStmt: self._comment,
            ast.CreateEnumStmt: self._create_enum,
            ast.AlterEnumStmt: self._alter_enum,
            ast.CreateDomainStmt: self._create_domain,
            ast.AlterDomainStmt: self._alter_domain,
            ast.CompositeTypeStmt: self._create_composite,
            ast.CreateRangeStmt: self._create_range,
            ast.VariableSetStmt: self._set_variable,
            ast.SelectStmt: self._select,
            ast.IndexStmt: self._create_index,
            ast.CreatePublicationStmt: self._publication,
            ast.AlterPublicationStmt: self._publication,
            ast.CreateExtensionStmt: self._create_extension,
            ast.CreateSchemaStmt: self._create_schema,
            ast.CreateTableAsStmt: self._create_table_as,
            ast.DoStmt: self._do,
            ast.CreateFunctionStmt: self._create_function,
            ast.CallStmt: self._call,
        }
        self._changing_functions: set[str] = set()
        """Functions created so far whose body changes tables or types when it runs."""

    # -- input ---------------------------------------------------------------------------

    def apply_file(self, path: Path, display: str | None = None) -> None:
        """Apply every statement of one SQL file; ``display`` names it in errors."""
        name = display or str(path)
        self.apply_sql(read_sql_file(path, name), name)

    def apply_sql(self, sql: str, file: str) -> None:
        """Apply every statement of ``sql``; psql meta-commands (``\\connect``) are ignored."""
        self._file = file
        self._sql = check_text(sql, file)
        self._run(self._sql, 0, guarded=False)

    def _run(self, sql: str, base: int | None, *, guarded: bool) -> None:
        """Apply the statements of ``sql``, found at offset ``base`` of the file."""
        try:
            statements = parse_sql(sql)
        except ParseError as exc:
            message, index = _parse_error(exc)
            start = sql.rfind(";", 0, index) + 1
            end = sql.find(";", index)
            self._frame = _Frame(sql[start : len(sql) if end < 0 else end], start, base)
            raise self._error(str(message), index) from exc
        outer = self._frame
        for raw in statements:
            start = raw.stmt_location or 0
            length = raw.stmt_len or len(sql) - start
            self._frame = _Frame(sql[start : start + length], start, base)
            handler = self._handlers.get(type(raw.stmt))
            if handler is None:
                kind = type(raw.stmt).__name__
                if kind not in IGNORED_STATEMENTS:
                    self._warn(f"{kind} statement not modelled by realtime-gen; skipped")
                continue
            try:
                handler(raw.stmt)
            except _Existence:
                if not guarded:
                    raise
        self._frame = outer

    def location(self, index: int | None = None) -> Location:
        """The file, line and column of an offset of the parsed text (default: the statement)."""
        frame = self._frame
        if frame.base is None:
            offset = self._outer_start
        elif index is None or index < 0:
            offset = frame.base + frame.start
            offset += len(frame.text) - len(frame.text.lstrip())
        else:
            offset = frame.base + index
        line = self._sql.count("\n", 0, offset) + 1
        column = offset - (self._sql.rfind("\n", 0, offset) + 1) + 1
        text = " ".join(frame.text.split())
        if len(text) > _STATEMENT_PREVIEW:
            text = text[: _STATEMENT_PREVIEW - 3] + "..."
        return Location(self._file, line, column, text)

    def _error(self, message: str, index: int | None = None) -> DDLError:
        return self._make_error(DDLError, message, index)

    def _missing(self, message: str, index: int | None = None) -> DDLError:
        """An object that does not exist, or already does (a guard may have avoided it)."""
        return self._make_error(_Existence, message, index)

    def _make_error(self, kind: type[DDLError], message: str, index: int | None) -> DDLError:
        where = self.location(index)
        return kind(
            f"{message}\n    {where.statement}",
            file=where.file,
            line=where.line,
            column=where.column,
        )

    def _warn(self, message: str) -> None:
        where = self.location()
        self.warnings.append(f"{where.file}:{where.line}:{where.column}: warning: {message}")

    # -- statements that are not DDL proper ----------------------------------------------

    def _do(self, stmt: ast.DoStmt) -> None:
        language = next(
            (
                arg.arg.sval
                for arg in stmt.args or ()
                if isinstance(arg, ast.DefElem)
                and arg.defname == "language"
                and isinstance(arg.arg, ast.String)
            ),
            "plpgsql",
        )
        if language != "plpgsql":
            self._warn(f"DO block in {language} ignored: realtime-gen reads PL/pgSQL only")
            return
        frame = self._frame
        try:
            found = block_statements(frame.text)
        except ParseError as exc:
            raise self._error(f"invalid PL/pgSQL in DO block: {exc.args[0]}") from exc
        cursor = 0
        for item in found:
            if not isinstance(item, BlockStatement):
                self._warn(
                    f"DO block runs EXECUTE {item.expression}: a computed statement realtime-gen "
                    "cannot see; if it changes tables or types, generate with --apply or --db-url"
                )
                continue
            at = frame.text.find(item.sql, cursor)
            base: int | None = None
            if at >= 0 and frame.base is not None:
                cursor = at + len(item.sql)
                base = frame.base + frame.start + at
            else:
                self._outer_start = (frame.base or 0) + frame.start
            self._run(item.sql, base, guarded=item.guarded)
            self._frame = frame

    def _create_function(self, stmt: ast.CreateFunctionStmt) -> None:
        """Functions are not run at migration time; remember those whose body changes tables
        or types, so that running one during the migrations is a warning."""
        options = {
            option.defname: option.arg
            for option in stmt.options or ()
            if isinstance(option, ast.DefElem) and option.defname
        }
        language = options.get("language")
        body = options.get("as")
        if not isinstance(body, tuple) or not body or not isinstance(body[0], ast.String):
            return
        text = body[0].sval or ""
        name = (_strings(stmt.funcname) or [""])[-1]
        if isinstance(language, ast.String) and language.sval == "plpgsql":
            try:
                found = block_statements(f"do $realtime_gen$ {text} $realtime_gen$")
            except ParseError:
                return
            sources = [item.sql if isinstance(item, BlockStatement) else None for item in found]
        else:
            sources = [text]
        if any(source is None or self._changes_schema(source) for source in sources):
            self._changing_functions.add(name)
        else:
            self._changing_functions.discard(name)

    def _changes_schema(self, sql: str) -> bool:
        """Whether ``sql`` holds a statement that changes tables or types."""
        try:
            statements = parse_sql(sql)
        except ParseError:
            return False
        harmless = {ast.SelectStmt, ast.VariableSetStmt, ast.CallStmt}
        return any(
            type(raw.stmt) in self._handlers and type(raw.stmt) not in harmless
            for raw in statements
        )

    def _warn_on_calls(self, node: Any) -> None:
        calls = _FunctionCalls()
        calls(node)
        for name in sorted(set(calls.names) & self._changing_functions):
            self._warn(
                f"runs {name}(), which changes tables or types, and realtime-gen does not run "
                "functions; generate with --apply or --db-url"
            )

    def _call(self, stmt: ast.CallStmt) -> None:
        self._warn_on_calls(stmt)

    def _select(self, stmt: ast.SelectStmt) -> None:
        """``SELECT set_config('search_path', ...)`` (pg_dump), ``SELECT ... INTO`` and calls
        of functions that change the schema."""
        self._warn_on_calls(stmt)
        if stmt.intoClause is not None:
            into = stmt.intoClause.rel
            if into is not None and into.relpersistence != "t":
                raise self._error(
                    "SELECT ... INTO a table is not supported: its columns come from a query; "
                    "generate with --apply or --db-url"
                )
        for target in stmt.targetList or ():
            call = target.val if isinstance(target, ast.ResTarget) else None
            if not isinstance(call, ast.FuncCall) or _strings(call.funcname)[-1:] != ["set_config"]:
                continue
            args = [
                a.val.sval if isinstance(a, ast.A_Const) and isinstance(a.val, ast.String) else None
                for a in call.args or ()
            ]
            if len(args) == 3 and args[0] == "search_path" and args[1] is not None:
                self.search_path = _search_path(args[1].split(","))

    def _create_table_as(self, stmt: ast.CreateTableAsStmt) -> None:
        into = stmt.into.rel if stmt.into is not None else None
        if stmt.objtype != ObjectType.OBJECT_TABLE or into is None or into.relpersistence == "t":
            return
        raise self._error(
            "CREATE TABLE ... AS is not supported: its columns come from a query; "
            "generate with --apply or --db-url"
        )

    def _create_schema(self, stmt: ast.CreateSchemaStmt) -> None:
        if stmt.schemaElts:
            raise self._error(
                "CREATE SCHEMA with elements is not supported: create them in statements of "
                "their own"
            )

    def _create_extension(self, stmt: ast.CreateExtensionStmt) -> None:
        name = stmt.extname or ""
        if name in self._extensions:
            return
        schema = next(
            (
                option.arg.sval
                for option in stmt.options or ()
                if isinstance(option, ast.DefElem)
                and option.defname == "schema"
                and isinstance(option.arg, ast.String)
            ),
            None,
        )
        self._extensions[name] = schema or self._creation_schema()

    def _publication(self, stmt: ast.CreatePublicationStmt | ast.AlterPublicationStmt) -> None:
        if stmt.pubname != _REALTIME_PUBLICATION:
            return
        if isinstance(stmt, ast.CreatePublicationStmt):
            self.catalog.publish_via_partition_root = False
        for option in stmt.options or ():
            if isinstance(option, ast.DefElem) and option.defname == "publish_via_partition_root":
                self.catalog.publish_via_partition_root = _boolean(option.arg)

    def _set_variable(self, stmt: ast.VariableSetStmt) -> None:
        if stmt.kind == VariableSetKind.VAR_RESET_ALL:
            self.search_path = list(_DEFAULT_SEARCH_PATH)
            return
        if stmt.name != "search_path":
            return
        if stmt.kind == VariableSetKind.VAR_SET_VALUE:
            values = [
                arg.val.sval or ""
                for arg in stmt.args or ()
                if isinstance(arg, ast.A_Const) and isinstance(arg.val, ast.String)
            ]
            self.search_path = _search_path(values)
        elif stmt.kind in {VariableSetKind.VAR_SET_DEFAULT, VariableSetKind.VAR_RESET}:
            self.search_path = list(_DEFAULT_SEARCH_PATH)

    # -- names ---------------------------------------------------------------------------

    def _creation_schema(self) -> str:
        if not self.search_path:
            raise self._error("no schema has been selected to create in (search_path is empty)")
        return self.search_path[0]

    def _qualified(self, names: list[str]) -> tuple[str, str]:
        if len(names) >= 2:
            return names[-2], names[-1]
        return self._creation_schema(), names[-1]

    def _relation(self, relation: ast.RangeVar | None) -> tuple[str, str]:
        assert relation is not None and relation.relname is not None
        return relation.schemaname or self._creation_schema(), relation.relname

    def _find_table(self, relation: ast.RangeVar | None) -> Table | None:
        assert relation is not None and relation.relname is not None
        schemas = [relation.schemaname] if relation.schemaname else self.search_path
        for schema in schemas:
            table = self.catalog.tables.get((schema, relation.relname))
            if table is not None:
                return table
        return None

    def _table(self, relation: ast.RangeVar | None, missing_ok: bool = False) -> Table | None:
        table = self._find_table(relation)
        if table is None and not missing_ok:
            assert relation is not None
            schema = relation.schemaname or (self.search_path or ["pg_catalog"])[0]
            name = f"{schema}.{relation.relname}"
            raise self._missing(f'relation "{name}" does not exist', relation.location)
        return table

    def _find_type(self, names: list[str]) -> UserType | None:
        schemas = [names[-2]] if len(names) >= 2 else self.search_path
        for schema in schemas:
            found = self.catalog.types.get((schema, names[-1]))
            if found is not None:
                return found
        return None

    def _find_opaque(self, names: list[str]) -> OpaqueType | None:
        """A range type, or the row type of a table (PostgreSQL makes one per table)."""
        schemas = [names[-2]] if len(names) >= 2 else self.search_path
        for schema in schemas:
            found = self._opaque.get((schema, names[-1]))
            if found is not None:
                return found
            if (schema, names[-1]) in self.catalog.tables:
                return OpaqueType(schema, names[-1], json_cast=True)
        return None

    def _user_type(self, names: list[str], location: int | None = None) -> UserType:
        found = self._find_type(names)
        if found is None:
            raise self._missing(f'type "{".".join(names)}" does not exist', location)
        return found

    def _taken(self, schema: str, name: str) -> bool:
        """Whether a type or relation called ``schema.name`` exists (they share names)."""
        key = (schema, name)
        return key in self.catalog.types or key in self.catalog.tables or key in self._opaque

    def _type_ref(self, type_name: ast.TypeName | None) -> tuple[TypeRef, bool]:
        """The type a ``TypeName`` names, and whether it is a serial (implicitly NOT NULL)."""
        assert type_name is not None
        names = _strings(type_name.names)
        location = type_name.location
        if type_name.pct_type:
            raise self._error("%TYPE column types are not supported", location)
        typmods = tuple(
            node.val.ival or 0
            for node in type_name.typmods or ()
            if isinstance(node, ast.A_Const) and isinstance(node.val, ast.Integer)
        )
        dims = len(type_name.arrayBounds or ())
        name = names[-1]
        qualifier = names[-2] if len(names) >= 2 else None
        if qualifier is None and name in _SERIALS:
            return TypeRef(BuiltinType(_SERIALS[name]), (), dims), True
        if qualifier == "pg_catalog" or (qualifier is None and name in BUILTIN_TYPES):
            if name not in BUILTIN_TYPES:
                raise self._missing(f'type "{".".join(names)}" does not exist', location)
            return TypeRef(BuiltinType(name), _builtin_typmods(name, typmods), dims), False
        user = self._find_type(names)
        if user is not None:
            return TypeRef(user, typmods, dims), False
        opaque = self._find_opaque(names)
        if opaque is not None:
            return TypeRef(opaque, typmods, dims), False
        if name in EXTENSION_TYPES:
            extension = EXTENSION_TYPE_SOURCES.get(name, "")
            schema = qualifier or self._extensions.get(extension) or self._creation_schema()
            return TypeRef(OpaqueType(schema, name), typmods, dims), False
        raise self._missing(f'type "{".".join(names)}" does not exist', location)

    def _column(self, node: ast.ColumnDef) -> tuple[ColumnDef, bool]:
        """A column definition and whether it declares itself the primary key."""
        assert node.colname is not None
        ref, serial = self._type_ref(node.typeName)
        not_null = bool(_not_null_from(node.constraints)) or serial
        column = ColumnDef(node.colname, ref, not_null, location=self.location(node.location))
        return column, _constraint(node.constraints, ConstrType.CONSTR_PRIMARY) is not None

    # -- tables --------------------------------------------------------------------------

    def _create_table(self, stmt: ast.CreateStmt) -> None:
        relation = stmt.relation
        assert relation is not None
        if relation.relpersistence == "t":
            return
        key = self._relation(relation)
        if key in self.catalog.tables:
            if stmt.if_not_exists:
                return
            raise self._missing(f'relation "{key[0]}.{key[1]}" already exists', relation.location)
        if self._taken(*key):
            raise self._missing(f'type "{key[0]}.{key[1]}" already exists', relation.location)
        table = Table(key[0], key[1], [], location=self.location(relation.location))
        table.partitioned = stmt.partspec is not None
        table.unlogged = relation.relpersistence == "u"
        parents = [p for p in stmt.inhRelations or () if isinstance(p, ast.RangeVar)]
        if stmt.ofTypename is not None:
            composite = self._type_ref(stmt.ofTypename)[0].type
            if not isinstance(composite, CompositeType):
                raise self._error(
                    "CREATE TABLE OF needs a composite type", stmt.ofTypename.location
                )
            table.columns = [
                ColumnDef(a.name, a.type, location=table.location) for a in composite.attributes
            ]
        for parent_relation in parents:
            parent = self._table(parent_relation)
            assert parent is not None
            for inherited in parent.columns:
                self._merge_column(table, inherited)
            if stmt.partbound is not None:
                table.partition_of = (parent.schema, parent.name)
                table.primary_key = parent.primary_key
                if parent.primary_key:
                    table.primary_key_name = f"{key[1]}_pkey"
            self._inherits.append((table, parent))
        for element in stmt.tableElts or ():
            self._table_element(table, element, partition=stmt.partbound is not None)
        self._check_primary_key(table)
        self.catalog.tables[key] = table
        if table.primary_key_name:
            self._add_index(table, table.primary_key_name, table.primary_key)

    def _merge_column(self, table: Table, column: ColumnDef) -> None:
        existing = table.column(column.name)
        if existing is None:
            table.columns.append(
                ColumnDef(column.name, column.type, column.not_null, location=table.location)
            )
        else:
            existing.not_null = existing.not_null or column.not_null

    def _table_element(self, table: Table, element: Any, *, partition: bool) -> None:
        if isinstance(element, ast.ColumnDef):
            existing = table.column(element.colname or "")
            if existing is not None and (partition or element.typeName is None):
                existing.not_null = existing.not_null or bool(_not_null_from(element.constraints))
                if _constraint(element.constraints, ConstrType.CONSTR_PRIMARY) is not None:
                    table.primary_key = (existing.name,)
                return
            column, primary = self._column(element)
            if existing is not None:
                if existing.type != column.type:
                    raise self._error(
                        f'column "{column.name}" specified more than once', element.location
                    )
                existing.not_null = existing.not_null or column.not_null
            else:
                table.columns.append(column)
            if primary:
                self._set_primary_key(table, (column.name,), None)
            unique = _constraint(element.constraints, ConstrType.CONSTR_UNIQUE)
            if unique is not None:
                self._unique_constraint(table, unique, (column.name,))
        elif isinstance(element, ast.Constraint):
            self._table_constraint(table, element)
        elif isinstance(element, ast.TableLikeClause):
            self._like(table, element)

    def _like(self, table: Table, clause: ast.TableLikeClause) -> None:
        source = self._table(clause.relation)
        assert source is not None
        options = TableLikeOption(clause.options or 0)
        for column in source.columns:
            if table.column(column.name) is not None:
                raise self._error(f'column "{column.name}" specified more than once')
            comment = (
                column.comment if options & TableLikeOption.CREATE_TABLE_LIKE_COMMENTS else None
            )
            table.columns.append(
                ColumnDef(column.name, column.type, column.not_null, comment, table.location)
            )
        if options & TableLikeOption.CREATE_TABLE_LIKE_INDEXES and source.primary_key:
            table.primary_key = source.primary_key
            table.primary_key_name = f"{table.name}_pkey"

    def _table_constraint(self, table: Table, constraint: ast.Constraint) -> None:
        if constraint.contype == ConstrType.CONSTR_PRIMARY:
            if constraint.indexname:
                index = self._index_for_constraint(table, constraint)
                keys = index.columns
            else:
                keys = tuple(_strings(constraint.keys))
            if keys:
                self._set_primary_key(table, keys, constraint.conname, constraint.location)
                if constraint.indexname:
                    self._rename_index(table.schema, constraint.indexname, table.primary_key_name)
        elif constraint.contype == ConstrType.CONSTR_UNIQUE:
            if constraint.indexname:
                self._index_for_constraint(table, constraint)
                if constraint.conname:
                    self._rename_index(table.schema, constraint.indexname, constraint.conname)
            else:
                self._unique_constraint(table, constraint, tuple(_strings(constraint.keys)))
        elif constraint.contype == ConstrType.CONSTR_NOTNULL:
            for name in _strings(constraint.keys):
                self._existing_column(table, name, constraint.location).not_null = True

    def _index_for_constraint(self, table: Table, constraint: ast.Constraint) -> _Index:
        """The index a ``PRIMARY KEY``/``UNIQUE USING INDEX`` constraint takes over."""
        name = constraint.indexname or ""
        index = self._indexes.get((table.schema, name))
        if index is None:
            raise self._missing(f'index "{name}" does not exist', constraint.location)
        if index.table is not table:
            raise self._error(
                f'index "{name}" does not belong to table "{table.name}"', constraint.location
            )
        if not index.plain:
            raise self._error(
                f'index "{name}" has expressions or a predicate: it cannot back a constraint',
                constraint.location,
            )
        return index

    def _unique_constraint(
        self, table: Table, constraint: ast.Constraint, columns: tuple[str, ...]
    ) -> None:
        name = constraint.conname or f"{table.name}_{'_'.join(columns)}_key"
        self._add_index(table, name, columns)

    def _add_index(
        self, table: Table, name: str | None, columns: tuple[str, ...], *, plain: bool = True
    ) -> None:
        if name:
            self._indexes[(table.schema, name)] = _Index(table, columns, plain)

    def _rename_index(self, schema: str, old: str, new: str | None) -> None:
        index = self._indexes.pop((schema, old), None)
        if index is not None and new:
            self._indexes[(schema, new)] = index

    def _create_index(self, stmt: ast.IndexStmt) -> None:
        if not stmt.unique or not stmt.idxname:
            return
        table = self._table(stmt.relation)
        assert table is not None
        if (table.schema, stmt.idxname) in self._indexes:
            if stmt.if_not_exists:
                return
            raise self._missing(f'relation "{stmt.idxname}" already exists')
        params = [p for p in stmt.indexParams or () if isinstance(p, ast.IndexElem)]
        columns = tuple(p.name for p in params if p.name)
        plain = stmt.whereClause is None and len(columns) == len(params)
        for name in columns:
            self._existing_column(table, name)
        self._add_index(table, stmt.idxname, columns, plain=plain)

    def _set_primary_key(
        self,
        table: Table,
        keys: tuple[str, ...],
        name: str | None,
        location: int | None = None,
    ) -> None:
        if table.primary_key:
            raise self._missing(
                f'multiple primary keys for table "{table.name}" are not allowed', location
            )
        table.primary_key = keys
        table.primary_key_name = name or f"{table.name}_pkey"
        self._add_index(table, table.primary_key_name, keys)

    def _check_primary_key(self, table: Table) -> None:
        for name in table.primary_key:
            self._existing_column(table, name).not_null = True

    def _drop_primary_key(self, table: Table) -> None:
        if table.primary_key_name:
            self._indexes.pop((table.schema, table.primary_key_name), None)
        if table.replica_identity == "index" and table.identity_index == table.primary_key:
            table.identity_index = ()
        table.primary_key, table.primary_key_name = (), None

    def _existing_column(self, table: Table, name: str, location: int | None = None) -> ColumnDef:
        column = table.column(name)
        if column is None:
            raise self._missing(
                f'column "{name}" of relation "{table.schema}.{table.name}" does not exist',
                location,
            )
        return column

    def _children(self, table: Table) -> list[Table]:
        return [child for child, parent in self._inherits if parent is table]

    def _alter_table(self, stmt: ast.AlterTableStmt) -> None:
        if stmt.objtype == ObjectType.OBJECT_TYPE:
            self._alter_composite(stmt)
            return
        if stmt.objtype != ObjectType.OBJECT_TABLE:
            return
        table = self._table(stmt.relation, missing_ok=bool(stmt.missing_ok))
        if table is None:
            return
        recurse = stmt.relation is None or stmt.relation.inh is not False
        for cmd in stmt.cmds or ():
            if isinstance(cmd, ast.AlterTableCmd):
                self._alter_table_cmd(table, cmd, recurse=recurse)

    def _alter_table_cmd(self, table: Table, cmd: ast.AlterTableCmd, *, recurse: bool) -> None:
        subtype = cmd.subtype
        inherited = {
            AlterTableType.AT_AddColumn,
            AlterTableType.AT_DropColumn,
            AlterTableType.AT_AlterColumnType,
            AlterTableType.AT_SetNotNull,
            AlterTableType.AT_DropNotNull,
        }
        if subtype in inherited and recurse:
            for child in self._children(table):
                self._alter_table_cmd(child, cmd, recurse=True)
        if subtype == AlterTableType.AT_AddColumn and isinstance(cmd.def_, ast.ColumnDef):
            self._add_column(table, cmd.def_, missing_ok=bool(cmd.missing_ok))
        elif subtype == AlterTableType.AT_DropColumn:
            if table.column(cmd.name or "") is None and cmd.missing_ok:
                return
            self._drop_column(table, self._existing_column(table, cmd.name or ""))
        elif subtype == AlterTableType.AT_AlterColumnType and isinstance(cmd.def_, ast.ColumnDef):
            column = self._existing_column(table, cmd.name or "")
            column.type = self._type_ref(cmd.def_.typeName)[0]
        elif subtype in {AlterTableType.AT_SetNotNull, AlterTableType.AT_AddIdentity}:
            self._existing_column(table, cmd.name or "").not_null = True
        elif subtype == AlterTableType.AT_DropNotNull:
            self._existing_column(table, cmd.name or "").not_null = False
        elif subtype == AlterTableType.AT_AddConstraint and isinstance(cmd.def_, ast.Constraint):
            self._table_constraint(table, cmd.def_)
            self._check_primary_key(table)
            if cmd.def_.contype == ConstrType.CONSTR_PRIMARY and recurse and table.partitioned:
                self._inherit_primary_key(table)
        elif subtype == AlterTableType.AT_DropConstraint:
            if table.primary_key_name and cmd.name == table.primary_key_name:
                self._drop_primary_key(table)
            else:
                self._indexes.pop((table.schema, cmd.name or ""), None)
        elif subtype == AlterTableType.AT_ReplicaIdentity and isinstance(
            cmd.def_, ast.ReplicaIdentityStmt
        ):
            self._replica_identity(table, cmd.def_)
        elif subtype in {AlterTableType.AT_SetLogged, AlterTableType.AT_SetUnLogged}:
            table.unlogged = subtype == AlterTableType.AT_SetUnLogged
        elif subtype == AlterTableType.AT_EnableRowSecurity:
            table.row_security = True
        elif subtype == AlterTableType.AT_DisableRowSecurity:
            table.row_security = False
        elif subtype == AlterTableType.AT_AddInherit and isinstance(cmd.def_, ast.RangeVar):
            parent = self._table(cmd.def_)
            assert parent is not None
            self._inherits.append((table, parent))
        elif subtype == AlterTableType.AT_DropInherit and isinstance(cmd.def_, ast.RangeVar):
            parent = self._table(cmd.def_)
            self._inherits = [(c, p) for c, p in self._inherits if (c, p) != (table, parent)]
        elif subtype == AlterTableType.AT_AttachPartition and isinstance(
            cmd.def_, ast.PartitionCmd
        ):
            self._attach(table, cmd.def_)
        elif subtype == AlterTableType.AT_DetachPartition and isinstance(
            cmd.def_, ast.PartitionCmd
        ):
            self._detach(table, cmd.def_)

    def _add_column(self, table: Table, node: ast.ColumnDef, *, missing_ok: bool) -> None:
        if table.column(node.colname or "") is not None:
            if missing_ok:
                return
            raise self._missing(
                f'column "{node.colname}" of relation "{table.name}" already exists',
                node.location,
            )
        column, primary = self._column(node)
        table.columns.append(column)
        if primary:
            self._set_primary_key(table, (column.name,), None, node.location)
        unique = _constraint(node.constraints, ConstrType.CONSTR_UNIQUE)
        if unique is not None:
            self._unique_constraint(table, unique, (column.name,))

    def _drop_column(self, table: Table, column: ColumnDef) -> None:
        """Drop a column, and the indexes and keys over it, as PostgreSQL does."""
        table.columns.remove(column)
        if column.name in table.primary_key:
            self._drop_primary_key(table)
        if column.name in table.identity_index:
            table.identity_index = ()
        for key, index in list(self._indexes.items()):
            if index.table is table and column.name in index.columns:
                del self._indexes[key]

    def _inherit_primary_key(self, table: Table) -> None:
        """A primary key added to a partitioned table reaches every partition."""
        for child in self._children(table):
            if not child.primary_key:
                self._set_primary_key(child, table.primary_key, None)
                self._check_primary_key(child)
            if child.partitioned:
                self._inherit_primary_key(child)

    def _replica_identity(self, table: Table, stmt: ast.ReplicaIdentityStmt) -> None:
        identity = _REPLICA_IDENTITIES[stmt.identity_type or "d"]
        if identity == "index":
            index = self._indexes.get((table.schema, stmt.name or ""))
            if index is None:
                raise self._missing(f'index "{stmt.name}" for table "{table.name}" does not exist')
            if index.table is not table or not index.plain:
                raise self._error(f'index "{stmt.name}" cannot be used as replica identity')
            for name in index.columns:
                if not self._existing_column(table, name).not_null:
                    raise self._error(
                        f'index "{stmt.name}" cannot be used as replica identity because '
                        f'column "{name}" is nullable'
                    )
            table.identity_index = index.columns
        else:
            table.identity_index = ()
        table.replica_identity = identity

    def _attach(self, table: Table, command: ast.PartitionCmd) -> None:
        child = self._table(command.name)
        assert child is not None
        if child.partition_of is not None:
            raise self._error(f'"{child.name}" is already a partition')
        child.partition_of = (table.schema, table.name)
        self._inherits.append((child, table))
        if table.primary_key and not child.primary_key:
            self._set_primary_key(child, table.primary_key, None)
            self._check_primary_key(child)

    def _detach(self, table: Table, command: ast.PartitionCmd) -> None:
        child = self._table(command.name)
        assert child is not None
        if child.partition_of != (table.schema, table.name):
            raise self._missing(f'relation "{child.name}" is not a partition of "{table.name}"')
        child.partition_of = None
        self._inherits = [(c, p) for c, p in self._inherits if c is not child or p is not table]

    def _rename(self, stmt: ast.RenameStmt) -> None:
        kind = stmt.renameType
        new = stmt.newname or ""
        if kind == ObjectType.OBJECT_TABLE:
            table = self._table(stmt.relation, missing_ok=bool(stmt.missing_ok))
            if table is not None:
                self._move_table(table, table.schema, new)
        elif kind == ObjectType.OBJECT_COLUMN and stmt.relationType == ObjectType.OBJECT_TABLE:
            table = self._table(stmt.relation, missing_ok=bool(stmt.missing_ok))
            if table is not None:
                recurse = stmt.relation is None or stmt.relation.inh is not False
                self._rename_column(table, stmt.subname or "", new, recurse=recurse)
        elif kind == ObjectType.OBJECT_TABCONSTRAINT:
            table = self._table(stmt.relation, missing_ok=bool(stmt.missing_ok))
            if table is not None:
                self._rename_index(table.schema, stmt.subname or "", new)
                if stmt.subname == table.primary_key_name:
                    table.primary_key_name = new
        elif kind == ObjectType.OBJECT_INDEX:
            self._rename_index_statement(stmt, new)
        elif kind == ObjectType.OBJECT_SCHEMA:
            self._rename_schema(stmt.subname or "", new)
        elif kind == ObjectType.OBJECT_ATTRIBUTE:
            composite = self._composite(_relation_names(stmt.relation))
            attribute = next((a for a in composite.attributes if a.name == stmt.subname), None)
            if attribute is None:
                raise self._missing(f'attribute "{stmt.subname}" does not exist')
            attribute.name = new
        elif kind in {ObjectType.OBJECT_TYPE, ObjectType.OBJECT_DOMAIN}:
            user = self._user_type(_object_names(stmt.object))
            self._move_type(user, user.schema, new)

    def _rename_column(self, table: Table, old: str, new: str, *, recurse: bool) -> None:
        if table.column(new) is not None:
            raise self._missing(f'column "{new}" of relation "{table.name}" already exists')
        self._existing_column(table, old).name = new

        def renamed(names: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(new if name == old else name for name in names)

        table.primary_key = renamed(table.primary_key)
        table.identity_index = renamed(table.identity_index)
        for index in self._indexes.values():
            if index.table is table:
                index.columns = renamed(index.columns)
        if recurse:
            for child in self._children(table):
                self._rename_column(child, old, new, recurse=True)

    def _rename_index_statement(self, stmt: ast.RenameStmt, new: str) -> None:
        relation = stmt.relation
        assert relation is not None and relation.relname is not None
        schemas = [relation.schemaname] if relation.schemaname else self.search_path
        for schema in schemas:
            index = self._indexes.get((schema, relation.relname))
            if index is not None:
                self._rename_index(schema, relation.relname, new)
                if index.table.primary_key_name == relation.relname:
                    index.table.primary_key_name = new
                return

    def _rename_schema(self, old: str, new: str) -> None:
        for table in [t for t in self.catalog.tables.values() if t.schema == old]:
            self._move_table(table, new, table.name)
        for user in [t for t in self.catalog.types.values() if t.schema == old]:
            self._move_type(user, new, user.name)
        for key in [k for k in self._opaque if k[0] == old]:
            opaque = self._opaque.pop(key)
            self._opaque[(new, key[1])] = OpaqueType(new, key[1], opaque.json_cast)
        for schema, name in [k for k in self._indexes if k[0] == old]:
            self._indexes[(new, name)] = self._indexes.pop((schema, name))

    def _set_schema(self, stmt: ast.AlterObjectSchemaStmt) -> None:
        schema = stmt.newschema or ""
        if stmt.objectType == ObjectType.OBJECT_TABLE:
            table = self._table(stmt.relation, missing_ok=bool(stmt.missing_ok))
            if table is not None:
                old = table.schema
                self._move_table(table, schema, table.name)
                for key in [k for k, i in self._indexes.items() if i.table is table]:
                    self._indexes[(schema, key[1])] = self._indexes.pop((old, key[1]))
        elif stmt.objectType in {ObjectType.OBJECT_TYPE, ObjectType.OBJECT_DOMAIN}:
            user = self._user_type(_object_names(stmt.object))
            self._move_type(user, schema, user.name)

    def _move_table(self, table: Table, schema: str, name: str) -> None:
        if self._taken(schema, name):
            raise self._missing(f'relation "{schema}.{name}" already exists')
        del self.catalog.tables[(table.schema, table.name)]
        table.schema, table.name = schema, name
        self.catalog.tables[(schema, name)] = table
        for child in self._children(table):
            child.partition_of = (schema, name) if child.partition_of else None

    def _move_type(self, user: UserType, schema: str, name: str) -> None:
        if self._taken(schema, name):
            raise self._missing(f'type "{schema}.{name}" already exists')
        del self.catalog.types[(user.schema, user.name)]
        user.schema, user.name = schema, name
        self.catalog.types[(schema, name)] = user

    def _drop(self, stmt: ast.DropStmt) -> None:
        cascade = stmt.behavior == DropBehavior.DROP_CASCADE
        for obj in stmt.objects or ():
            if stmt.removeType == ObjectType.OBJECT_TABLE:
                names = _strings(obj)
                relation = ast.RangeVar(schemaname=_schema_of(names), relname=names[-1])
                table = self._find_table(relation)
                if table is None:
                    if stmt.missing_ok:
                        continue
                    raise self._missing(f'table "{".".join(names)}" does not exist')
                self._drop_table(table, cascade=cascade)
            elif stmt.removeType in {ObjectType.OBJECT_TYPE, ObjectType.OBJECT_DOMAIN}:
                names = _object_names(obj)
                if self._drop_opaque(names):
                    continue
                user = self._find_type(names)
                if user is None:
                    if stmt.missing_ok:
                        continue
                    raise self._missing(f'type "{".".join(names)}" does not exist')
                self._drop_type(user, cascade=cascade)
            elif stmt.removeType == ObjectType.OBJECT_INDEX:
                self._drop_index(_strings(obj))
            elif stmt.removeType == ObjectType.OBJECT_SCHEMA:
                self._drop_schema(obj.sval or "" if isinstance(obj, ast.String) else "", cascade)
            elif (
                stmt.removeType == ObjectType.OBJECT_PUBLICATION
                and isinstance(obj, ast.String)
                and obj.sval == _REALTIME_PUBLICATION
            ):
                self.catalog.publish_via_partition_root = False

    def _drop_table(self, table: Table, *, cascade: bool) -> None:
        for child in self._children(table):
            if child.partition_of is None and not cascade:
                raise self._error(
                    f'cannot drop table "{table.name}" because table "{child.name}" inherits '
                    "from it (use CASCADE)"
                )
            self._drop_table(child, cascade=cascade)
        self._inherits = [(c, p) for c, p in self._inherits if table not in (c, p)]
        for key in [k for k, index in self._indexes.items() if index.table is table]:
            del self._indexes[key]
        self.catalog.tables.pop((table.schema, table.name), None)

    def _drop_index(self, names: list[str]) -> None:
        schemas = [names[-2]] if len(names) >= 2 else self.search_path
        for schema in schemas:
            index = self._indexes.pop((schema, names[-1]), None)
            if index is not None:
                if index.table.identity_index == index.columns:
                    index.table.identity_index = ()
                return

    def _drop_schema(self, schema: str, cascade: bool) -> None:
        tables = [t for t in self.catalog.tables.values() if t.schema == schema]
        types = [t for t in self.catalog.types.values() if t.schema == schema]
        if (tables or types) and not cascade:
            raise self._error(
                f'cannot drop schema "{schema}" because other objects depend on it (use CASCADE)'
            )
        for table in tables:
            if (table.schema, table.name) in self.catalog.tables:
                self._drop_table(table, cascade=True)
        for user in types:
            if (user.schema, user.name) in self.catalog.types:
                self._drop_type(user, cascade=True)
        for key in [k for k in self._opaque if k[0] == schema]:
            del self._opaque[key]

    def _drop_opaque(self, names: list[str]) -> bool:
        """Drop a range type (and its multirange); whether ``names`` named one."""
        schemas = [names[-2]] if len(names) >= 2 else self.search_path
        for schema in schemas:
            opaque = self._opaque.pop((schema, names[-1]), None)
            if opaque is not None:
                self._opaque.pop((schema, _multirange_name(names[-1])), None)
                return True
        return False

    def _drop_type(self, user: UserType, *, cascade: bool) -> None:
        for table in list(self.catalog.tables.values()):
            for column in [c for c in table.columns if _uses(c.type, user)]:
                if not cascade:
                    raise self._error(
                        f'cannot drop type "{user.name}" because column "{column.name}" of '
                        f'table "{table.schema}.{table.name}" depends on it'
                    )
                self._drop_column(table, column)
        for other in list(self.catalog.types.values()):
            if isinstance(other, CompositeType):
                other.attributes = [a for a in other.attributes if not _uses(a.type, user)]
            elif isinstance(other, DomainType) and _uses(other.base, user):
                self._drop_type(other, cascade=cascade)
        self.catalog.types.pop((user.schema, user.name), None)

    def _comment(self, stmt: ast.CommentStmt) -> None:
        comment = stmt.comment or None
        if stmt.objtype == ObjectType.OBJECT_TABLE:
            names = _object_names(stmt.object)
            table = self._table(ast.RangeVar(schemaname=_schema_of(names), relname=names[-1]))
            assert table is not None
            table.comment = comment
        elif stmt.objtype == ObjectType.OBJECT_COLUMN:
            names = _object_names(stmt.object)
            relation = ast.RangeVar(schemaname=_schema_of(names[:-1]), relname=names[-2])
            found = self._find_table(relation)
            if found is not None:
                self._existing_column(found, names[-1]).comment = comment
            else:
                composite = self._composite(names[:-1])
                attribute = next((a for a in composite.attributes if a.name == names[-1]), None)
                if attribute is None:
                    raise self._missing(f'column "{names[-1]}" does not exist')
                attribute.comment = comment
        elif stmt.objtype in {ObjectType.OBJECT_TYPE, ObjectType.OBJECT_DOMAIN}:
            self._user_type(_object_names(stmt.object)).comment = comment

    # -- types ---------------------------------------------------------------------------

    def _add_type(self, user: UserType) -> None:
        if self._taken(user.schema, user.name):
            raise self._missing(f'type "{user.schema}.{user.name}" already exists')
        self.catalog.types[(user.schema, user.name)] = user

    def _create_range(self, stmt: ast.CreateRangeStmt) -> None:
        schema, name = self._qualified(_strings(stmt.typeName))
        multirange = next(
            (
                _strings(option.arg)
                for option in stmt.params or ()
                if isinstance(option, ast.DefElem) and option.defname == "multirange_type_name"
            ),
            [_multirange_name(name)],
        )
        for key in ((schema, name), self._qualified(multirange)):
            if self._taken(*key):
                raise self._missing(f'type "{key[0]}.{key[1]}" already exists')
            self._opaque[key] = OpaqueType(*key)

    def _create_enum(self, stmt: ast.CreateEnumStmt) -> None:
        schema, name = self._qualified(_strings(stmt.typeName))
        self._add_type(EnumType(schema, name, _strings(stmt.vals)))

    def _alter_enum(self, stmt: ast.AlterEnumStmt) -> None:
        names = _strings(stmt.typeName)
        enum = self._user_type(names)
        if not isinstance(enum, EnumType):
            raise self._error(f'"{".".join(names)}" is not an enum')
        if stmt.oldVal is not None:
            if stmt.oldVal not in enum.values:
                raise self._error(f'"{stmt.oldVal}" is not an existing enum label')
            enum.values[enum.values.index(stmt.oldVal)] = stmt.newVal or ""
            return
        new = stmt.newVal or ""
        if new in enum.values:
            if stmt.skipIfNewValExists:
                return
            raise self._missing(f'enum label "{new}" already exists')
        if stmt.newValNeighbor is None:
            enum.values.append(new)
            return
        if stmt.newValNeighbor not in enum.values:
            raise self._error(f'"{stmt.newValNeighbor}" is not an existing enum label')
        index = enum.values.index(stmt.newValNeighbor) + (1 if stmt.newValIsAfter else 0)
        enum.values.insert(index, new)

    def _create_domain(self, stmt: ast.CreateDomainStmt) -> None:
        schema, name = self._qualified(_strings(stmt.domainname))
        base, _ = self._type_ref(stmt.typeName)
        self._add_type(DomainType(schema, name, base, bool(_not_null_from(stmt.constraints))))

    def _alter_domain(self, stmt: ast.AlterDomainStmt) -> None:
        names = _strings(stmt.typeName)
        domain = self._user_type(names)
        if not isinstance(domain, DomainType):
            raise self._error(f'"{".".join(names)}" is not a domain')
        if stmt.subtype == "O":
            domain.not_null = True
        elif stmt.subtype == "N":
            domain.not_null = False
        elif (
            stmt.subtype == "C"
            and isinstance(stmt.def_, ast.Constraint)
            and stmt.def_.contype == ConstrType.CONSTR_NOTNULL
        ):
            domain.not_null = True

    def _create_composite(self, stmt: ast.CompositeTypeStmt) -> None:
        schema, name = self._relation(stmt.typevar)
        attributes = [
            ColumnDef(
                col.colname or "",
                self._type_ref(col.typeName)[0],
                location=self.location(col.location),
            )
            for col in stmt.coldeflist or ()
            if isinstance(col, ast.ColumnDef)
        ]
        self._add_type(CompositeType(schema, name, attributes))

    def _composite(self, names: list[str]) -> CompositeType:
        composite = self._user_type(names)
        if not isinstance(composite, CompositeType):
            raise self._error(f'"{".".join(names)}" is not a composite type')
        return composite

    def _alter_composite(self, stmt: ast.AlterTableStmt) -> None:
        composite = self._composite(_relation_names(stmt.relation))
        for cmd in stmt.cmds or ():
            if not isinstance(cmd, ast.AlterTableCmd):
                continue
            if cmd.subtype == AlterTableType.AT_AddColumn and isinstance(cmd.def_, ast.ColumnDef):
                ref = self._type_ref(cmd.def_.typeName)[0]
                composite.attributes.append(ColumnDef(cmd.def_.colname or "", ref))
            elif cmd.subtype == AlterTableType.AT_DropColumn:
                composite.attributes = [a for a in composite.attributes if a.name != cmd.name]
            elif cmd.subtype == AlterTableType.AT_AlterColumnType and isinstance(
                cmd.def_, ast.ColumnDef
            ):
                for attribute in composite.attributes:
                    if attribute.name == cmd.name:
                        attribute.type = self._type_ref(cmd.def_.typeName)[0]


def _uses(ref: TypeRef, user: UserType) -> bool:
    return ref.type is user


def _schema_of(names: list[str]) -> str | None:
    return names[-2] if len(names) >= 2 else None


def _object_names(obj: Any) -> list[str]:
    """The name parts of a DROP/COMMENT/RENAME target: a list of strings or a TypeName."""
    if isinstance(obj, ast.TypeName):
        return _strings(obj.names)
    return _strings(obj)


def _relation_names(relation: ast.RangeVar | None) -> list[str]:
    assert relation is not None and relation.relname is not None
    return [relation.schemaname, relation.relname] if relation.schemaname else [relation.relname]


def _builtin_typmods(name: str, typmods: tuple[int, ...]) -> tuple[int, ...]:
    """Type modifiers as PostgreSQL stores them: ``numeric(p)`` is ``numeric(p, 0)``, an
    interval's fields and precision are one number (fields << 16 | precision)."""
    if name == "numeric" and len(typmods) == 1:
        return (typmods[0], 0)
    if name == "interval" and typmods:
        fields, *precision = typmods
        return ((fields << 16) | (precision[0] if precision else _INTERVAL_FULL_PRECISION),)
    return typmods


def _multirange_name(range_name: str) -> str:
    """PostgreSQL's name for a range type's multirange: ``range`` becomes ``multirange``."""
    at = range_name.find("range")
    if at < 0:
        return f"{range_name}_multirange"
    return f"{range_name[:at]}multirange{range_name[at + len('range') :]}"


def _search_path(values: Iterable[str]) -> list[str]:
    """The schemas of a ``search_path`` setting, in order, without ``$user``."""
    schemas = [value.strip().strip('"') for value in values]
    return [schema for schema in schemas if schema and schema != "$user"]


def _boolean(value: Any) -> bool:
    """A boolean option's value: absent means true, as PostgreSQL reads ``WITH (option)``."""
    if value is None:
        return True
    if isinstance(value, ast.Boolean):
        return bool(value.boolval)
    if isinstance(value, ast.Integer):
        return bool(value.ival)
    text = value.sval if isinstance(value, ast.String) else ""
    return (text or "").lower() in {"true", "on", "yes", "1", "t", "y"}
