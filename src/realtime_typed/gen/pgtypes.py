"""PostgreSQL types to Python types, as ``postgres_changes`` delivers them.

The wire value is what ``to_jsonb()`` makes of the column after a wal2json round trip, so the
mapping follows that, not PostgREST: ``numeric`` is a :class:`~decimal.Decimal`, ``int8`` an
exact ``int``, ``timestamptz`` an aware datetime, ``bytea`` arrives as hex with or without
``\\x``, ``timetz`` may carry a ``+HH`` offset, ``interval`` and ranges stay text. Some wire
values lose information whatever the client does; :class:`Mapping` reports those as warnings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from realtime_typed.gen.catalog import (
    BuiltinType,
    ColumnDef,
    CompositeType,
    DomainType,
    EnumType,
    OpaqueType,
    PgType,
    TypeRef,
)

__all__ = [
    "BUILTIN_TYPES",
    "EXTENSION_TYPES",
    "EXTENSION_TYPE_SOURCES",
    "Helper",
    "Mapping",
    "PyType",
    "map_column",
]

Import = tuple[str, str]
Helper = str
"""Name of a validator alias the generated module defines: ``_Bytea``, ``_TimeTz``, ``_Json``."""


@dataclass(frozen=True, slots=True)
class _Scalar:
    annotation: str
    imports: tuple[Import, ...] = ()
    helper: Helper | None = None
    static: str | None = None
    lossy: str | None = None


_STR = _Scalar("str")
_INT = _Scalar("int")
_FLOAT = _Scalar("float", lossy="nan")
_JSON = _Scalar("_Json", (("pydantic", "JsonValue"),), helper="_Json", static="JsonValue")

BUILTIN_TYPES: dict[str, _Scalar] = {
    "bool": _Scalar("bool"),
    "int2": _INT,
    "int4": _INT,
    "int8": _INT,
    "oid": _INT,
    "xid": _INT,
    "xid8": _INT,
    "cid": _INT,
    "float4": _FLOAT,
    "float8": _FLOAT,
    "numeric": _Scalar("Decimal", (("decimal", "Decimal"),), lossy="nan"),
    "money": _STR,
    "text": _STR,
    "varchar": _STR,
    "bpchar": _Scalar("str", lossy="char"),
    "char": _STR,
    "name": _STR,
    "xml": _STR,
    "bit": _Scalar("str", lossy="bit"),
    "varbit": _STR,
    "uuid": _Scalar("UUID", (("uuid", "UUID"),)),
    "json": _JSON,
    "jsonb": _JSON,
    "date": _Scalar("date", (("datetime", "date"),)),
    "time": _Scalar("time", (("datetime", "time"),)),
    "timetz": _Scalar("_TimeTz", (("datetime", "time"),), helper="_TimeTz", static="time"),
    "timestamp": _Scalar("datetime", (("datetime", "datetime"),)),
    "timestamptz": _Scalar(
        "AwareDatetime",
        (("pydantic", "AwareDatetime"), ("datetime", "datetime")),
        static="datetime",
    ),
    "interval": _STR,
    "bytea": _Scalar("_Bytea", (), helper="_Bytea", static="bytes"),
    "inet": _Scalar("IPvAnyInterface", (("pydantic", "IPvAnyInterface"),)),
    "cidr": _Scalar("IPvAnyNetwork", (("pydantic", "IPvAnyNetwork"),)),
    "macaddr": _STR,
    "macaddr8": _STR,
    "tsvector": _STR,
    "tsquery": _STR,
    "point": _STR,
    "line": _STR,
    "lseg": _STR,
    "box": _STR,
    "path": _STR,
    "polygon": _STR,
    "circle": _STR,
    "int4range": _STR,
    "int8range": _STR,
    "numrange": _STR,
    "tsrange": _STR,
    "tstzrange": _STR,
    "daterange": _STR,
    "int4multirange": _STR,
    "int8multirange": _STR,
    "nummultirange": _STR,
    "tsmultirange": _STR,
    "tstzmultirange": _STR,
    "datemultirange": _STR,
    "pg_lsn": _STR,
    "pg_snapshot": _STR,
    "txid_snapshot": _STR,
    "regclass": _STR,
    "regtype": _STR,
    "regproc": _STR,
    "regprocedure": _STR,
    "regnamespace": _STR,
    "regrole": _STR,
    "regoper": _STR,
    "regoperator": _STR,
    "regconfig": _STR,
    "regdictionary": _STR,
    "regcollation": _STR,
    "jsonpath": _STR,
    "tid": _STR,
    "refcursor": _STR,
    "aclitem": _STR,
    "gtsvector": _STR,
    "int2vector": _STR,
    "oidvector": _STR,
    "pg_node_tree": _STR,
    "pg_ndistinct": _STR,
    "pg_dependencies": _STR,
    "pg_mcv_list": _STR,
    "pg_brin_bloom_summary": _STR,
    "pg_brin_minmax_multi_summary": _STR,
}
"""Every base, range and multirange type of ``pg_catalog`` a column may have, by ``typname``.

The DDL path resolves a type name as PostgreSQL does only if this holds them all; a test
compares it with a live server's ``pg_type``.
"""

EXTENSION_TYPES: dict[str, _Scalar] = {
    "citext": _STR,
    "ltree": _STR,
    "lquery": _STR,
    "hstore": _STR,
    "vector": _STR,
    "halfvec": _STR,
    "sparsevec": _STR,
    "cube": _STR,
    "geometry": _JSON,
    "geography": _JSON,
}
"""Well-known extension types, found by name in whatever schema the extension lives."""

EXTENSION_TYPE_SOURCES: dict[str, str] = {
    "citext": "citext",
    "ltree": "ltree",
    "lquery": "ltree",
    "hstore": "hstore",
    "vector": "vector",
    "halfvec": "vector",
    "sparsevec": "vector",
    "cube": "cube",
    "geometry": "postgis",
    "geography": "postgis",
}
"""The extension that makes each of :data:`EXTENSION_TYPES`: its schema is the type's."""

_LOSSY_MESSAGES = {
    "char": "char(n) values arrive cut to their first character",
    "bit": "bit(n) values arrive cut to their first bit",
    "nan": "NaN and Infinity arrive as null, which this NOT NULL column's model refuses",
}


@dataclass(frozen=True, slots=True)
class PyType:
    """A column's Python type: the field annotation and the plain type for ``Column[T]``."""

    annotation: str
    static: str
    nullable: bool
    imports: frozenset[Import] = frozenset()
    helpers: frozenset[Helper] = frozenset()
    lossy: str | None = None


@dataclass(slots=True)
class Mapping:
    """Maps columns, naming enums and composites through ``class_name``."""

    class_name: Callable[[EnumType | CompositeType], str]
    imports: set[Import] = field(default_factory=set[Import])
    helpers: set[Helper] = field(default_factory=set[Helper])

    def column(self, column: ColumnDef) -> PyType:
        """The Python type of ``column``; ``nullable`` unless NOT NULL or a NOT NULL domain."""
        py = map_column(column.type, self.class_name)
        self.imports |= py.imports
        self.helpers |= py.helpers
        nullable = py.nullable and not column.not_null
        return PyType(py.annotation, py.static, nullable, py.imports, py.helpers, py.lossy)

    @staticmethod
    def lossy_message(kind: str) -> str:
        """Why a value of this kind may not arrive as it was stored."""
        return _LOSSY_MESSAGES[kind]


def _lossy(scalar: _Scalar, typmods: tuple[int, ...]) -> str | None:
    """The lossy kind of a scalar: ``char(1)`` and ``bit(1)`` survive the wire intact."""
    if scalar.lossy in {"char", "bit"} and typmods == (1,):
        return None
    return scalar.lossy


def _scalar(scalar: _Scalar, typmods: tuple[int, ...]) -> PyType:
    helpers = frozenset({scalar.helper}) if scalar.helper else frozenset[Helper]()
    static = scalar.static or scalar.annotation
    imports = frozenset(scalar.imports)
    return PyType(scalar.annotation, static, True, imports, helpers, _lossy(scalar, typmods))


def _element(
    pg: PgType, typmods: tuple[int, ...], class_name: Callable[[EnumType | CompositeType], str]
) -> PyType:
    """The Python type of one (non-array) value of ``pg``."""
    match pg:
        case BuiltinType(name=name):
            return _scalar(BUILTIN_TYPES.get(name, _STR), typmods)
        case OpaqueType(name=name, json_cast=json_cast):
            return _scalar(EXTENSION_TYPES.get(name, _JSON if json_cast else _STR), typmods)
        case EnumType():
            alias = class_name(pg)
            return PyType(f"{alias} | str", alias, True)
        case CompositeType():
            model = class_name(pg)
            return PyType(model, model, True)
        case DomainType():
            base = map_column(pg.base, class_name)
            nullable = base.nullable and not pg.not_null
            return PyType(
                base.annotation, base.static, nullable, base.imports, base.helpers, base.lossy
            )


def map_column(ref: TypeRef, class_name: Callable[[EnumType | CompositeType], str]) -> PyType:
    """The Python type of a column type; arrays are lists of nullable elements per dimension."""
    element = _element(ref.type, ref.typmods, class_name)
    if ref.dims == 0:
        return element
    annotation = f"{element.annotation} | None"
    static = f"{element.static} | None"
    for _ in range(ref.dims):
        annotation = f"list[{annotation}]"
        static = f"list[{static}]"
    return PyType(annotation, static, True, element.imports, element.helpers, element.lossy)
