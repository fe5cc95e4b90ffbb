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

The applier is built in layers: :mod:`~realtime_typed.gen.ddl_scope` (state, locations,
names), :mod:`~realtime_typed.gen.ddl_types` (user types), :mod:`~realtime_typed.gen.ddl_tables`
(tables) and this module (input, dispatch and the statements around the DDL). Only these
modules, :mod:`~realtime_typed.gen.sql_nodes` and :mod:`~realtime_typed.gen.do_blocks` import
pglast (GPL-3.0, in the ``gen`` extra).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pglast import ast, parse_sql
from pglast.enums import (
    ObjectType,
    VariableSetKind,
)
from pglast.parser import ParseError

from realtime_typed.errors import DDLError
from realtime_typed.gen.catalog import Catalog
from realtime_typed.gen.ddl_scope import DEFAULT_SEARCH_PATH, REALTIME_PUBLICATION, Existence, Frame
from realtime_typed.gen.ddl_tables import TableStatements
from realtime_typed.gen.do_blocks import BlockStatement, block_statements
from realtime_typed.gen.sql_nodes import (
    IGNORED_STATEMENTS,
    FunctionCalls,
    boolean_option,
    parse_error,
    search_path_of,
    strings,
)
from realtime_typed.gen.sql_source import check_text, read_sql_file

__all__ = ["DDLApplier", "migration_files"]


def migration_files(directory: Path) -> list[Path]:
    """The ``.sql`` files of a migrations folder in the order they apply (by name)."""
    return sorted(path for path in directory.iterdir() if path.suffix == ".sql" and path.is_file())


class DDLApplier(TableStatements):
    """Applies DDL files to a catalog, in the order given."""

    def __init__(self, catalog: Catalog | None = None) -> None:
        super().__init__(catalog)
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

    def apply_file(self, path: Path, display: str | None = None) -> None:
        """Apply every statement of one SQL file; ``display`` names it in errors."""
        name = display or str(path)
        self.apply_sql(read_sql_file(path, name), name)

    def apply_sql(self, sql: str, file: str) -> None:
        """Apply every statement of ``sql``; psql meta-commands (``\\connect``) are ignored."""
        self._read(file, check_text(sql, file))
        self._run(self._sql, 0, guarded=False)

    def _run(self, sql: str, base: int | None, *, guarded: bool) -> None:
        """Apply the statements of ``sql``, found at offset ``base`` of the file."""
        try:
            statements = parse_sql(sql)
        except ParseError as exc:
            message, index = parse_error(exc)
            if index is None:
                raise DDLError(message, file=self._file) from exc
            start = sql.rfind(";", 0, index) + 1
            end = sql.find(";", index)
            self._frame = Frame(sql[start : len(sql) if end < 0 else end], start, base)
            raise self._error(str(message), index) from exc
        outer = self._frame
        for raw in statements:
            start = raw.stmt_location or 0
            length = raw.stmt_len or len(sql) - start
            self._frame = Frame(sql[start : start + length], start, base)
            handler = self._handlers.get(type(raw.stmt))
            if handler is None:
                kind = type(raw.stmt).__name__
                if kind not in IGNORED_STATEMENTS:
                    self._warn(f"{kind} statement not modelled by realtime-gen; skipped")
                continue
            try:
                handler(raw.stmt)
            except Existence:
                if not guarded:
                    raise
        self._frame = outer

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
            if item.condition is not None and self._changes_schema(item.sql):
                self._frame = Frame(item.sql, 0, base)
                self._warn(
                    f"DO block runs `{' '.join(item.sql.split())[:80]}` only under "
                    f"{item.condition}, which realtime-gen cannot evaluate; it assumes it runs "
                    "(generate with --apply or --db-url to be sure)"
                )
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
        name = (strings(stmt.funcname) or [""])[-1]
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
        calls = FunctionCalls()
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
            if not isinstance(call, ast.FuncCall) or strings(call.funcname)[-1:] != ["set_config"]:
                continue
            args = [
                a.val.sval if isinstance(a, ast.A_Const) and isinstance(a.val, ast.String) else None
                for a in call.args or ()
            ]
            if len(args) == 3 and args[0] == "search_path" and args[1] is not None:
                self._set_search_path(search_path_of(args[1].split(",")))

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
        if stmt.pubname != REALTIME_PUBLICATION:
            return
        if isinstance(stmt, ast.CreatePublicationStmt):
            self.catalog.publish_via_partition_root = False
        for option in stmt.options or ():
            if isinstance(option, ast.DefElem) and option.defname == "publish_via_partition_root":
                self.catalog.publish_via_partition_root = boolean_option(option.arg)

    def _set_variable(self, stmt: ast.VariableSetStmt) -> None:
        if stmt.kind == VariableSetKind.VAR_RESET_ALL:
            self._set_search_path(list(DEFAULT_SEARCH_PATH))
            return
        if stmt.name != "search_path":
            return
        if stmt.kind == VariableSetKind.VAR_SET_VALUE:
            values = [
                arg.val.sval or ""
                for arg in stmt.args or ()
                if isinstance(arg, ast.A_Const) and isinstance(arg.val, ast.String)
            ]
            self._set_search_path(search_path_of(values))
        elif stmt.kind in {VariableSetKind.VAR_SET_DEFAULT, VariableSetKind.VAR_RESET}:
            self._set_search_path(list(DEFAULT_SEARCH_PATH))
