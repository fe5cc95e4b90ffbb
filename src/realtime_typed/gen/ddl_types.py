"""User types in DDL: enums, domains, composite and range types, created, altered, dropped."""

from __future__ import annotations

from pglast import ast
from pglast.enums import (
    AlterTableType,
    ConstrType,
)

from realtime_typed.gen.catalog import (
    ColumnDef,
    CompositeType,
    DomainType,
    EnumType,
    OpaqueType,
    TypeRef,
)
from realtime_typed.gen.ddl_scope import DDLScope, UserType
from realtime_typed.gen.sql_nodes import (
    multirange_name,
    not_null_from,
    relation_names,
    strings,
)

__all__ = ["TypeStatements"]


class TypeStatements(DDLScope):
    """``CREATE TYPE``/``DOMAIN``, ``ALTER TYPE``/``DOMAIN`` and what dropping a type does."""

    def _add_type(self, user: UserType) -> None:
        if self._taken(user.schema, user.name):
            raise self._missing(f'type "{user.schema}.{user.name}" already exists')
        self.catalog.types[(user.schema, user.name)] = user

    def _create_range(self, stmt: ast.CreateRangeStmt) -> None:
        schema, name = self._qualified(strings(stmt.typeName))
        multirange = next(
            (
                strings(option.arg)
                for option in stmt.params or ()
                if isinstance(option, ast.DefElem) and option.defname == "multirange_type_name"
            ),
            [multirange_name(name)],
        )
        for key in ((schema, name), self._qualified(multirange)):
            if self._taken(*key):
                raise self._missing(f'type "{key[0]}.{key[1]}" already exists')
            self._opaque[key] = OpaqueType(*key)

    def _create_enum(self, stmt: ast.CreateEnumStmt) -> None:
        schema, name = self._qualified(strings(stmt.typeName))
        self._add_type(EnumType(schema, name, strings(stmt.vals)))

    def _alter_enum(self, stmt: ast.AlterEnumStmt) -> None:
        names = strings(stmt.typeName)
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
        schema, name = self._qualified(strings(stmt.domainname))
        base, _ = self._type_ref(stmt.typeName)
        self._add_type(DomainType(schema, name, base, bool(not_null_from(stmt.constraints))))

    def _alter_domain(self, stmt: ast.AlterDomainStmt) -> None:
        names = strings(stmt.typeName)
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
        composite = self._composite(relation_names(stmt.relation))
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

    def _move_type(self, user: UserType, schema: str, name: str) -> None:
        if self._taken(schema, name):
            raise self._missing(f'type "{schema}.{name}" already exists')
        del self.catalog.types[(user.schema, user.name)]
        user.schema, user.name = schema, name
        self.catalog.types[(schema, name)] = user

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

    def _drop_opaque(self, names: list[str]) -> bool:
        """Drop a range type (and its multirange); whether ``names`` named one."""
        schemas = [names[-2]] if len(names) >= 2 else self.search_path
        for schema in schemas:
            opaque = self._opaque.pop((schema, names[-1]), None)
            if opaque is not None:
                self._opaque.pop((schema, multirange_name(names[-1])), None)
                return True
        return False


def _uses(ref: TypeRef, user: UserType) -> bool:
    return ref.type is user
