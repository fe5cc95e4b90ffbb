"""PostgreSQL types to Python types, as ``postgres_changes`` delivers them.

The wire value is what ``to_jsonb()`` makes of the column after a wal2json round trip, so the
mapping follows that, not PostgREST: ``numeric`` is a :class:`~decimal.Decimal`, ``int8`` an
exact ``int``, ``timestamptz`` an aware datetime, ``bytea`` arrives as hex with or without
``\\x``, ``timetz`` may carry a ``+HH`` offset, ``interval`` and ranges stay text. Some wire
values lose information whatever the client does; :class:`Mapping` reports those as warnings.

Each type also says which typed filter a column of it offers (see
:mod:`realtime_typed.typed.filters`): the server casts a filter value to the column's type and
applies the operator in SQL, so a type without an equality operator (``json``, ``point``,
``xml``...), with one that is not equality of values (``box`` and ``circle`` compare areas) or
whose cast drops characters (``char(n)``, ``bit(n)``) offers only ``IS NULL`` tests.

Annotations name everything through the generated module's private imports (``_b.str``,
``_dt.date``, ``_pd.AwareDatetime``), so no column or table name can shadow them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

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
    "FilterKind",
    "Helper",
    "Mapping",
    "PyType",
    "map_column",
]

Helper = str
"""Name of a validator alias the generated module defines: ``_bytea``, ``_timetz``, ``_json``."""

FilterKind = Literal["Column", "EqColumn", "TextColumn", "BoolColumn", "NullColumn", "none"]
"""The class of :mod:`realtime_typed.typed.filters` a column of the type is offered as.

``none``: the column is not offered. The server compares the text of the column's JSON value
cast back to its type; for arrays, composites and JSON that text is no input of the type
(``[1,2]``, ``{"a": 1}``, a JSON string's bare text), every filter on the column fails, and
the failure stops the changes of every subscriber.
"""


@dataclass(frozen=True, slots=True)
class _Scalar:
    annotation: str
    helper: Helper | None = None
    static: str | None = None
    lossy: str | None = None
    filter: FilterKind = "Column"


_STR = _Scalar("_b.str")
_TEXT = _Scalar("_b.str", filter="TextColumn")
_EQ_STR = _Scalar("_b.str", filter="EqColumn")
_NO_FILTER_STR = _Scalar("_b.str", filter="NullColumn")
_INT = _Scalar("_b.int")
_FLOAT = _Scalar("_b.float", lossy="nan")
_JSON = _Scalar("_json", helper="_json", static="_pd.JsonValue", filter="none")

BUILTIN_TYPES: dict[str, _Scalar] = {
    "bool": _Scalar("_b.bool", filter="BoolColumn"),
    "int2": _INT,
    "int4": _INT,
    "int8": _INT,
    "oid": _INT,
    "xid": _Scalar("_b.int", filter="EqColumn"),
    "xid8": _INT,
    "cid": _Scalar("_b.int", filter="EqColumn"),
    "float4": _FLOAT,
    "float8": _FLOAT,
    "numeric": _Scalar("_decimal.Decimal", lossy="nan"),
    "money": _STR,
    "text": _TEXT,
    "varchar": _STR,
    "bpchar": _Scalar("_b.str", lossy="char", filter="TextColumn"),
    "char": _STR,
    "name": _TEXT,
    "xml": _NO_FILTER_STR,
    "bit": _Scalar("_b.str", lossy="bit"),
    "varbit": _STR,
    "uuid": _Scalar("_uuid.UUID"),
    "json": _JSON,
    "jsonb": _JSON,
    "date": _Scalar("_dt.date"),
    "time": _Scalar("_dt.time"),
    "timetz": _Scalar("_timetz", helper="_timetz", static="_dt.time"),
    "timestamp": _Scalar("_dt.datetime"),
    "timestamptz": _Scalar("_pd.AwareDatetime", static="_dt.datetime"),
    "interval": _STR,
    "bytea": _Scalar("_bytea", helper="_bytea", static="_b.bytes"),
    "inet": _Scalar("_pd.IPvAnyInterface"),
    "cidr": _Scalar("_pd.IPvAnyNetwork"),
    "macaddr": _STR,
    "macaddr8": _STR,
    "tsvector": _EQ_STR,
    "tsquery": _EQ_STR,
    "point": _NO_FILTER_STR,
    "line": _NO_FILTER_STR,
    "lseg": _NO_FILTER_STR,
    "box": _NO_FILTER_STR,
    "path": _NO_FILTER_STR,
    "polygon": _NO_FILTER_STR,
    "circle": _NO_FILTER_STR,
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
    "pg_snapshot": _NO_FILTER_STR,
    "txid_snapshot": _NO_FILTER_STR,
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
    "jsonpath": _NO_FILTER_STR,
    "tid": _STR,
    "refcursor": _NO_FILTER_STR,
    "aclitem": _NO_FILTER_STR,
    "gtsvector": _NO_FILTER_STR,
    "int2vector": _NO_FILTER_STR,
    "oidvector": _NO_FILTER_STR,
    "pg_node_tree": _NO_FILTER_STR,
    "pg_ndistinct": _NO_FILTER_STR,
    "pg_dependencies": _NO_FILTER_STR,
    "pg_mcv_list": _NO_FILTER_STR,
    "pg_brin_bloom_summary": _NO_FILTER_STR,
    "pg_brin_minmax_multi_summary": _NO_FILTER_STR,
}
"""Every base, range and multirange type of ``pg_catalog`` a column may have, by ``typname``.

The DDL path resolves a type name as PostgreSQL does only if this holds them all; a test
compares it with a live server's ``pg_type``.
"""

EXTENSION_TYPES: dict[str, _Scalar] = {
    "citext": _TEXT,
    "ltree": _STR,
    "lquery": _NO_FILTER_STR,
    "hstore": _Scalar("_b.dict[_b.str, _b.str | None]", filter="none"),
    "vector": _EQ_STR,
    "halfvec": _EQ_STR,
    "sparsevec": _EQ_STR,
    "cube": _EQ_STR,
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
    """A column's Python type: field annotation, plain type, filter column class and type."""

    annotation: str
    static: str
    nullable: bool
    helpers: frozenset[Helper] = frozenset()
    lossy: str | None = None
    filter: FilterKind = "Column"

    @property
    def column_class(self) -> str | None:
        """The typed-filter class a column of this type is built with; None: not offered."""
        return None if self.filter == "none" else f"_rt.{self.filter}"

    @property
    def column_type(self) -> str:
        """The static type of the filter column: ``_rt.Column[_b.int]``, ``_rt.TextColumn``."""
        if self.filter in {"TextColumn", "BoolColumn", "NullColumn", "none"}:
            return f"_rt.{self.filter}"
        return f"_rt.{self.filter}[{self.static}]"


@dataclass(slots=True)
class Mapping:
    """Maps columns, naming enums and composites through ``class_name``.

    ``strict_enums`` types enum values as the enum's ``Literal`` alone; by default a row holds
    ``Alias | str``, so values added to the enum later still parse.
    """

    class_name: Callable[[EnumType | CompositeType], str]
    strict_enums: bool = False
    helpers: set[Helper] = field(default_factory=set[Helper])

    def column(self, column: ColumnDef) -> PyType:
        """The Python type of ``column``; ``nullable`` unless NOT NULL or a NOT NULL domain."""
        py = map_column(column.type, self.class_name, strict_enums=self.strict_enums)
        self.helpers |= py.helpers
        nullable = py.nullable and not column.not_null
        return PyType(py.annotation, py.static, nullable, py.helpers, py.lossy, py.filter)

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
    lossy = _lossy(scalar, typmods)
    # The server casts filter values to the bare type name: char(n) and bit(n) become one
    # character or bit, so their filters would compare cut values.
    kind: FilterKind = "NullColumn" if lossy in {"char", "bit"} else scalar.filter
    return PyType(scalar.annotation, static, True, helpers, lossy, kind)


def _element(
    pg: PgType,
    typmods: tuple[int, ...],
    class_name: Callable[[EnumType | CompositeType], str],
    strict_enums: bool,
) -> PyType:
    """The Python type of one (non-array) value of ``pg``."""
    match pg:
        case BuiltinType(name=name):
            return _scalar(BUILTIN_TYPES.get(name, _NO_FILTER_STR), typmods)
        case OpaqueType(name=name, json_cast=json_cast):
            fallback = _JSON if json_cast else _NO_FILTER_STR
            return _scalar(EXTENSION_TYPES.get(name, fallback), typmods)
        case EnumType():
            alias = class_name(pg)
            annotation = alias if strict_enums else f"{alias} | _b.str"
            return PyType(annotation, alias, True)
        case CompositeType():
            model = class_name(pg)
            return PyType(model, model, True, filter="none")
        case DomainType():
            base = map_column(pg.base, class_name, strict_enums=strict_enums)
            nullable = base.nullable and not pg.not_null
            # A domain is its own type to the server's operator checks: like/ilike and
            # IS TRUE look the operator up for the domain and refuse it.
            kind: FilterKind = (
                "Column" if base.filter in {"TextColumn", "BoolColumn"} else base.filter
            )
            return PyType(base.annotation, base.static, nullable, base.helpers, base.lossy, kind)


def map_column(
    ref: TypeRef,
    class_name: Callable[[EnumType | CompositeType], str],
    *,
    strict_enums: bool = False,
) -> PyType:
    """The Python type of a column type; arrays are lists of nullable elements per dimension."""
    element = _element(ref.type, ref.typmods, class_name, strict_enums)
    if ref.dims == 0:
        return element
    annotation = f"{element.annotation} | None"
    static = f"{element.static} | None"
    for _ in range(ref.dims):
        annotation = f"_b.list[{annotation}]"
        static = f"_b.list[{static}]"
    return PyType(annotation, static, True, element.helpers, element.lossy, "none")
