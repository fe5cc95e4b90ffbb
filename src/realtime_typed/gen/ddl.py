"""SQL DDL to a :class:`~realtime_typed.gen.catalog.Catalog`, with PostgreSQL's own grammar.

Statements are parsed by pglast (libpg_query) and applied in order, the way a migration runner
would: tables, columns, primary keys, enums, domains, composite types, renames, drops and
comments. Everything else a migrations folder holds (functions, policies, grants, triggers,
publications, extensions, indexes, data) is skipped. Anything that cannot be parsed or applied
raises :class:`~realtime_typed.errors.DDLError` with the file, line, column and statement.

This is the only module that imports pglast (GPL-3.0, in the ``gen`` extra).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
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
    Table,
    TypeRef,
)
from realtime_typed.gen.pgtypes import BUILTIN_TYPES, EXTENSION_TYPES

__all__ = ["DDLApplier", "migration_files"]

_SERIALS = {
    "serial": "int4",
    "serial4": "int4",
    "bigserial": "int8",
    "serial8": "int8",
    "smallserial": "int2",
    "serial2": "int2",
}
_META_COMMAND = re.compile(r"^[ \t]*\\[^\n]*", re.MULTILINE)
_STATEMENT_PREVIEW = 300

UserType = EnumType | DomainType | CompositeType


def migration_files(directory: Path) -> list[Path]:
    """The ``.sql`` files of a migrations folder in the order they apply (by name)."""
    return sorted(path for path in directory.iterdir() if path.suffix == ".sql" and path.is_file())


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


def _is_primary(constraints: Iterable[Any] | None) -> bool:
    return any(
        isinstance(c, ast.Constraint) and c.contype == ConstrType.CONSTR_PRIMARY
        for c in constraints or ()
    )


class DDLApplier:
    """Applies DDL files to a catalog, in the order given."""

    def __init__(self, catalog: Catalog | None = None) -> None:
        self.catalog: Catalog = catalog or Catalog()
        self.search_path: list[str] = ["public"]
        self._file = ""
        self._sql = ""
        self._statement = (0, 0)
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
            ast.VariableSetStmt: self._set_variable,
        }

    # -- input ---------------------------------------------------------------------------

    def apply_file(self, path: Path, display: str | None = None) -> None:
        """Apply every statement of one SQL file; ``display`` names it in errors."""
        try:
            sql = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DDLError(f"cannot read SQL: {exc}", file=display or str(path)) from exc
        self.apply_sql(sql, display or str(path))

    def apply_sql(self, sql: str, file: str) -> None:
        """Apply every statement of ``sql``; psql meta-commands (``\\connect``) are ignored."""
        self._file = file
        self._sql = _META_COMMAND.sub(lambda match: " " * len(match.group()), sql)
        try:
            statements = parse_sql(self._sql)
        except ParseError as exc:
            message, index = exc.args[0], int(exc.args[1]) if len(exc.args) > 1 else 0
            self._statement = self._enclosing_statement(index)
            raise self._error(str(message), index) from exc
        for raw in statements:
            start = raw.stmt_location or 0
            self._statement = (start, raw.stmt_len or len(self._sql) - start)
            handler = self._handlers.get(type(raw.stmt))
            if handler is not None:
                handler(raw.stmt)

    def _enclosing_statement(self, index: int) -> tuple[int, int]:
        start = self._sql.rfind(";", 0, index) + 1
        end = self._sql.find(";", index)
        return start, (len(self._sql) if end < 0 else end) - start

    def location(self, index: int | None = None) -> Location:
        """The file, line and column of a character offset (default: the statement's start)."""
        start, length = self._statement
        offset = start if index is None or index < 0 else index
        while offset < len(self._sql) and index is None and self._sql[offset].isspace():
            offset += 1
        line = self._sql.count("\n", 0, offset) + 1
        column = offset - (self._sql.rfind("\n", 0, offset) + 1) + 1
        text = " ".join(self._sql[start : start + length].split())
        if len(text) > _STATEMENT_PREVIEW:
            text = text[: _STATEMENT_PREVIEW - 3] + "..."
        return Location(self._file, line, column, text)

    def _error(self, message: str, index: int | None = None) -> DDLError:
        where = self.location(index)
        return DDLError(
            f"{message}\n    {where.statement}",
            file=where.file,
            line=where.line,
            column=where.column,
        )

    # -- names ---------------------------------------------------------------------------

    def _qualified(self, names: list[str]) -> tuple[str, str]:
        if len(names) >= 2:
            return names[-2], names[-1]
        return self.search_path[0], names[-1]

    def _relation(self, relation: ast.RangeVar | None) -> tuple[str, str]:
        assert relation is not None and relation.relname is not None
        return relation.schemaname or self.search_path[0], relation.relname

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
            schema, name = self._relation(relation)
            loc = relation.location if relation is not None else None
            raise self._error(f'relation "{schema}.{name}" does not exist', loc)
        return table

    def _find_type(self, names: list[str]) -> UserType | None:
        schemas = [names[-2]] if len(names) >= 2 else self.search_path
        for schema in schemas:
            found = self.catalog.types.get((schema, names[-1]))
            if found is not None:
                return found
        return None

    def _user_type(self, names: list[str], location: int | None = None) -> UserType:
        found = self._find_type(names)
        if found is None:
            raise self._error(f'type "{".".join(names)}" does not exist', location)
        return found

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
        if qualifier in {None, "pg_catalog"} and name in _SERIALS and qualifier is None:
            return TypeRef(BuiltinType(_SERIALS[name]), (), dims), True
        if qualifier == "pg_catalog" or (qualifier is None and name in BUILTIN_TYPES):
            if name not in BUILTIN_TYPES:
                raise self._error(f'type "{".".join(names)}" is not supported', location)
            return TypeRef(BuiltinType(name), typmods, dims), False
        user = self._find_type(names)
        if user is not None:
            return TypeRef(user, typmods, dims), False
        if name in EXTENSION_TYPES:
            return TypeRef(OpaqueType(qualifier or self.search_path[0], name), typmods, dims), False
        raise self._error(f'type "{".".join(names)}" does not exist', location)

    def _column(self, node: ast.ColumnDef) -> tuple[ColumnDef, bool]:
        """A column definition and whether it declares itself the primary key."""
        assert node.colname is not None
        ref, serial = self._type_ref(node.typeName)
        not_null = bool(_not_null_from(node.constraints)) or serial
        column = ColumnDef(node.colname, ref, not_null, location=self.location(node.location))
        return column, _is_primary(node.constraints)

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
            raise self._error(f'relation "{key[0]}.{key[1]}" already exists', relation.location)
        table = Table(key[0], key[1], [], location=self.location(relation.location))
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
                table.primary_key = parent.primary_key
                if parent.primary_key:
                    table.primary_key_name = f"{key[1]}_pkey"
        for element in stmt.tableElts or ():
            self._table_element(table, element, partition=stmt.partbound is not None)
        self._check_primary_key(table)
        self.catalog.tables[key] = table

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
                if _is_primary(element.constraints):
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
            keys = tuple(_strings(constraint.keys))
            if keys:
                self._set_primary_key(table, keys, constraint.conname, constraint.location)
        elif constraint.contype == ConstrType.CONSTR_NOTNULL:
            for name in _strings(constraint.keys):
                self._existing_column(table, name, constraint.location).not_null = True

    def _set_primary_key(
        self,
        table: Table,
        keys: tuple[str, ...],
        name: str | None,
        location: int | None = None,
    ) -> None:
        if table.primary_key:
            raise self._error(
                f'multiple primary keys for table "{table.name}" are not allowed', location
            )
        table.primary_key = keys
        table.primary_key_name = name or f"{table.name}_pkey"

    def _check_primary_key(self, table: Table) -> None:
        for name in table.primary_key:
            self._existing_column(table, name).not_null = True

    def _existing_column(self, table: Table, name: str, location: int | None = None) -> ColumnDef:
        column = table.column(name)
        if column is None:
            raise self._error(
                f'column "{name}" of relation "{table.schema}.{table.name}" does not exist',
                location,
            )
        return column

    def _alter_table(self, stmt: ast.AlterTableStmt) -> None:
        if stmt.objtype == ObjectType.OBJECT_TYPE:
            self._alter_composite(stmt)
            return
        if stmt.objtype != ObjectType.OBJECT_TABLE:
            return
        table = self._table(stmt.relation, missing_ok=bool(stmt.missing_ok))
        if table is None:
            return
        for cmd in stmt.cmds or ():
            if isinstance(cmd, ast.AlterTableCmd):
                self._alter_table_cmd(table, cmd)

    def _alter_table_cmd(self, table: Table, cmd: ast.AlterTableCmd) -> None:
        subtype = cmd.subtype
        if subtype == AlterTableType.AT_AddColumn and isinstance(cmd.def_, ast.ColumnDef):
            if table.column(cmd.def_.colname or "") is not None:
                if cmd.missing_ok:
                    return
                raise self._error(
                    f'column "{cmd.def_.colname}" of relation "{table.name}" already exists',
                    cmd.def_.location,
                )
            column, primary = self._column(cmd.def_)
            table.columns.append(column)
            if primary:
                self._set_primary_key(table, (column.name,), None, cmd.def_.location)
        elif subtype == AlterTableType.AT_DropColumn:
            if table.column(cmd.name or "") is None and cmd.missing_ok:
                return
            column = self._existing_column(table, cmd.name or "")
            table.columns.remove(column)
            if column.name in table.primary_key:
                table.primary_key, table.primary_key_name = (), None
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
        elif subtype == AlterTableType.AT_DropConstraint and cmd.name == table.primary_key_name:
            table.primary_key, table.primary_key_name = (), None

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
                old = stmt.subname or ""
                self._existing_column(table, old).name = new
                table.primary_key = tuple(new if k == old else k for k in table.primary_key)
        elif kind == ObjectType.OBJECT_TABCONSTRAINT:
            table = self._table(stmt.relation, missing_ok=bool(stmt.missing_ok))
            if table is not None and stmt.subname == table.primary_key_name:
                table.primary_key_name = new
        elif kind == ObjectType.OBJECT_ATTRIBUTE:
            composite = self._composite(_relation_names(stmt.relation))
            attribute = next((a for a in composite.attributes if a.name == stmt.subname), None)
            if attribute is None:
                raise self._error(f'attribute "{stmt.subname}" does not exist')
            attribute.name = new
        elif kind in {ObjectType.OBJECT_TYPE, ObjectType.OBJECT_DOMAIN}:
            user = self._user_type(_object_names(stmt.object))
            self._move_type(user, user.schema, new)

    def _set_schema(self, stmt: ast.AlterObjectSchemaStmt) -> None:
        schema = stmt.newschema or ""
        if stmt.objectType == ObjectType.OBJECT_TABLE:
            table = self._table(stmt.relation, missing_ok=bool(stmt.missing_ok))
            if table is not None:
                self._move_table(table, schema, table.name)
        elif stmt.objectType in {ObjectType.OBJECT_TYPE, ObjectType.OBJECT_DOMAIN}:
            user = self._user_type(_object_names(stmt.object))
            self._move_type(user, schema, user.name)

    def _move_table(self, table: Table, schema: str, name: str) -> None:
        if (schema, name) in self.catalog.tables:
            raise self._error(f'relation "{schema}.{name}" already exists')
        del self.catalog.tables[(table.schema, table.name)]
        table.schema, table.name = schema, name
        self.catalog.tables[(schema, name)] = table

    def _move_type(self, user: UserType, schema: str, name: str) -> None:
        if (schema, name) in self.catalog.types:
            raise self._error(f'type "{schema}.{name}" already exists')
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
                    raise self._error(f'table "{".".join(_strings(obj))}" does not exist')
                del self.catalog.tables[(table.schema, table.name)]
            elif stmt.removeType in {ObjectType.OBJECT_TYPE, ObjectType.OBJECT_DOMAIN}:
                names = _object_names(obj)
                user = self._find_type(names)
                if user is None:
                    if stmt.missing_ok:
                        continue
                    raise self._error(f'type "{".".join(names)}" does not exist')
                self._drop_type(user, cascade=cascade)

    def _drop_type(self, user: UserType, *, cascade: bool) -> None:
        for table in list(self.catalog.tables.values()):
            for column in [c for c in table.columns if _uses(c.type, user)]:
                if not cascade:
                    raise self._error(
                        f'cannot drop type "{user.name}" because column "{column.name}" of '
                        f'table "{table.schema}.{table.name}" depends on it'
                    )
                table.columns.remove(column)
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
                    raise self._error(f'column "{names[-1]}" does not exist')
                attribute.comment = comment
        elif stmt.objtype in {ObjectType.OBJECT_TYPE, ObjectType.OBJECT_DOMAIN}:
            self._user_type(_object_names(stmt.object)).comment = comment

    # -- types ---------------------------------------------------------------------------

    def _add_type(self, user: UserType) -> None:
        key = (user.schema, user.name)
        if key in self.catalog.types or key in self.catalog.tables:
            raise self._error(f'type "{user.schema}.{user.name}" already exists')
        self.catalog.types[key] = user

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
            raise self._error(f'enum label "{new}" already exists')
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

    def _set_variable(self, stmt: ast.VariableSetStmt) -> None:
        if stmt.name != "search_path":
            return
        if stmt.kind == VariableSetKind.VAR_SET_VALUE:
            values = [
                arg.val.sval
                for arg in stmt.args or ()
                if isinstance(arg, ast.A_Const) and isinstance(arg.val, ast.String)
            ]
            schemas = [value for value in values if value and value != "$user"]
            self.search_path = schemas or ["public"]
        elif stmt.kind in {VariableSetKind.VAR_SET_DEFAULT, VariableSetKind.VAR_RESET}:
            self.search_path = ["public"]


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
