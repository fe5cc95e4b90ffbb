"""The state of a DDL applier and what its statements share: locations, errors, names.

:class:`DDLScope` holds the catalog being built and what PostgreSQL would also know while
running migrations (the search path, unique indexes, inheritance, range types, extensions),
locates every error in the file, and resolves table and type names as PostgreSQL does.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from pglast import ast
from pglast.enums import ConstrType

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
from realtime_typed.gen.pgtypes import BUILTIN_TYPES, EXTENSION_TYPE_SOURCES, EXTENSION_TYPES
from realtime_typed.gen.sql_nodes import (
    builtin_typmods,
    constraint_of,
    not_null_from,
    strings,
)

__all__ = [
    "DEFAULT_SEARCH_PATH",
    "REALTIME_PUBLICATION",
    "DDLScope",
    "Existence",
    "Frame",
    "UniqueIndex",
    "UserType",
]

UserType = EnumType | DomainType | CompositeType
REALTIME_PUBLICATION = "supabase_realtime"

_SERIALS = {
    "serial": "int4",
    "serial4": "int4",
    "bigserial": "int8",
    "serial8": "int8",
    "smallserial": "int2",
    "serial2": "int2",
}


_STATEMENT_PREVIEW = 300


DEFAULT_SEARCH_PATH = ("public", "extensions")
"""A Supabase database's: objects are created in ``public``, extension types found too."""


class Existence(DDLError):
    """An object that already exists, or does not: what a guard in a ``DO`` block avoids."""


@dataclass(eq=False, slots=True)
class UniqueIndex:
    """A unique index (or the index of a primary key or unique constraint)."""

    table: Table
    columns: tuple[str, ...]
    plain: bool
    """No expression and no predicate: fit for a primary key or a replica identity."""


@dataclass(slots=True)
class Frame:
    """The statement being applied: where its text sits in the file."""

    text: str
    start: int
    base: int | None
    """Offset in the file of the text pglast parsed (None: not in the file verbatim)."""


class DDLScope:
    """The catalog being built, the current statement and name resolution."""

    catalog: Catalog
    search_path: list[str]
    """The schemas unqualified names are looked up in; objects are created in the first."""
    warnings: list[str]

    def __init__(self, catalog: Catalog | None = None) -> None:
        self.catalog = catalog or Catalog()
        self.search_path = list(DEFAULT_SEARCH_PATH)
        self.warnings = []
        """Statements seen but not modelled, as ``file:line:column: warning: ...`` lines."""
        self._file = ""
        self._sql = ""
        self._newlines: list[int] = []
        """Offsets of the line breaks of ``_sql``, to find an offset's line by bisection."""
        self._frame = Frame("", 0, 0)
        self._preview: tuple[Frame | None, str] = (None, "")
        """The last frame located and its statement as errors show it."""
        self._outer_start = 0
        """File offset of the ``DO`` statement whose embedded SQL is not in it verbatim."""
        self._indexes: dict[tuple[str, str], UniqueIndex] = {}
        self._inherits: list[tuple[Table, Table]] = []
        """(child, parent) pairs: partitions and ``INHERITS`` children."""
        self._opaque: dict[tuple[str, str], OpaqueType] = {}
        """Range and multirange types made by ``CREATE TYPE ... AS RANGE``."""
        self._extensions: dict[str, str] = {}
        """Extensions created so far, and their schema."""
        self._changing_functions: set[str] = set()
        """Functions created so far whose body changes tables or types when it runs."""

    def _read(self, file: str, sql: str) -> None:
        """Start on the text of ``file``: offsets given to :meth:`location` are into ``sql``."""
        self._file = file
        self._sql = sql
        newlines: list[int] = []
        at = sql.find("\n")
        while at >= 0:
            newlines.append(at)
            at = sql.find("\n", at + 1)
        self._newlines = newlines

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
        before = bisect_left(self._newlines, offset)
        line_start = self._newlines[before - 1] + 1 if before else 0
        return Location(self._file, before + 1, offset - line_start + 1, self._statement(frame))

    def _statement(self, frame: Frame) -> str:
        """The statement of ``frame`` on one line, cut to a preview when long."""
        seen, text = self._preview
        if seen is not frame:
            text = " ".join(frame.text.split())
            if len(text) > _STATEMENT_PREVIEW:
                text = text[: _STATEMENT_PREVIEW - 3] + "..."
            self._preview = (frame, text)
        return text

    def _error(self, message: str, index: int | None = None) -> DDLError:
        return self._make_error(DDLError, message, index)

    def _missing(self, message: str, index: int | None = None) -> DDLError:
        """An object that does not exist, or already does (a guard may have avoided it)."""
        return self._make_error(Existence, message, index)

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

    def _set_search_path(self, schemas: list[str]) -> None:
        self.search_path = schemas

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
        names = strings(type_name.names)
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
            return TypeRef(BuiltinType(name), builtin_typmods(name, typmods), dims), False
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
        not_null = bool(not_null_from(node.constraints)) or serial
        column = ColumnDef(node.colname, ref, not_null, location=self.location(node.location))
        return column, constraint_of(node.constraints, ConstrType.CONSTR_PRIMARY) is not None

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

    def _add_index(
        self, table: Table, name: str | None, columns: tuple[str, ...], *, plain: bool = True
    ) -> None:
        if name:
            self._indexes[(table.schema, name)] = UniqueIndex(table, columns, plain)

    def _rename_index(self, schema: str, old: str, new: str | None) -> None:
        index = self._indexes.pop((schema, old), None)
        if index is not None and new:
            self._indexes[(schema, new)] = index

    def _drop_primary_key(self, table: Table) -> None:
        if table.primary_key_name:
            self._indexes.pop((table.schema, table.primary_key_name), None)
        if table.replica_identity == "index" and table.identity_index == table.primary_key:
            table.identity_index = ()
        table.primary_key, table.primary_key_name = (), None

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
