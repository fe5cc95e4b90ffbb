"""What the generated module holds, decided before any text is written.

:func:`plan_module` names every class, alias and field (:mod:`realtime_typed.gen.names`, the
rename map), types every column (:mod:`realtime_typed.gen.pgtypes`) and collects the lossy-column
warnings. The templates only lay the result out. Order is deterministic: enums and composites
by schema and name, tables by schema and name, columns in ordinal order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from realtime_typed.gen.catalog import (
    SYSTEM_SCHEMAS,
    Catalog,
    ColumnDef,
    CompositeType,
    DomainType,
    EnumType,
    Table,
    TypeRef,
)
from realtime_typed.gen.channels import Channel, ChannelFile
from realtime_typed.gen.names import (
    NameRegistry,
    check_class_name,
    class_name,
    export_order,
    field_name,
    private_alias,
)
from realtime_typed.gen.pgtypes import Helper, Mapping, PyType
from realtime_typed.gen.renames import Renames, sql_name

__all__ = [
    "ChannelPlan",
    "ColumnPlan",
    "CompositePlan",
    "EnumPlan",
    "FieldPlan",
    "ModulePlan",
    "TablePlan",
    "Warning_",
    "plan_module",
    "selected_tables",
]


@dataclass(frozen=True, slots=True)
class Warning_:
    """A lossy column, reported on stderr: where, and what the wire does to its values."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: warning: {self.message}"


@dataclass(frozen=True, slots=True)
class FieldPlan:
    """One model field: name, annotation, whether it may be absent, wire name when different."""

    name: str
    annotation: str
    optional: bool
    alias: str | None
    doc: str | None


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    """One typed-filter column of ``Table.c``: attribute, static type, class and wire name."""

    name: str
    type: str
    cls: str
    column: str


@dataclass(frozen=True, slots=True)
class TablePlan:
    """A table class: names, docstrings, Row and Old fields, typed columns.

    ``delivers`` is false for a table whose changes Realtime never sends (a partitioned table,
    a partition when the publication publishes via the root, an unlogged table): it gets no
    change keys.
    """

    name: str
    schema: str
    table: str
    where: str
    doc: str
    old_doc: str
    delivers: bool
    row: tuple[FieldPlan, ...]
    old: tuple[FieldPlan, ...]
    columns: tuple[ColumnPlan, ...]


@dataclass(frozen=True, slots=True)
class EnumPlan:
    """An enum's ``Literal`` alias, its private alias and docstring."""

    name: str
    private: str
    values: tuple[str, ...]
    doc: str


@dataclass(frozen=True, slots=True)
class CompositePlan:
    """A composite type's model, its private alias and fields."""

    name: str
    private: str
    doc: str
    fields: tuple[FieldPlan, ...]


@dataclass(frozen=True, slots=True)
class ChannelPlan:
    """A declared channel: the class and what it holds (see :mod:`~realtime_typed.gen.channels`)."""

    channel: Channel
    doc: str
    topic_value: str


@dataclass(slots=True)
class ModulePlan:
    """Everything the module's templates lay out."""

    enums: list[EnumPlan] = field(default_factory=list[EnumPlan])
    composites: list[CompositePlan] = field(default_factory=list[CompositePlan])
    tables: list[TablePlan] = field(default_factory=list[TablePlan])
    channels: list[ChannelPlan] = field(default_factory=list[ChannelPlan])
    helpers: list[Helper] = field(default_factory=list[Helper])
    exports: list[str] = field(default_factory=list[str])
    warnings: list[Warning_] = field(default_factory=list[Warning_])
    strict_enums: bool = False


def selected_tables(catalog: Catalog, schemas: Sequence[str]) -> list[Table]:
    """The tables to emit, sorted: those of ``schemas``, or of every non-system schema."""

    def wanted(schema: str) -> bool:
        if schemas:
            return schema in schemas
        return schema not in SYSTEM_SCHEMAS and not schema.startswith("pg_")

    return [catalog.tables[key] for key in sorted(catalog.tables) if wanted(key[0])]


def _qualified(schema: str, name: str) -> str:
    return name if schema == "public" else f"{schema}.{name}"


def _user_types(ref: TypeRef) -> Iterator[EnumType | CompositeType]:
    pg = ref.type
    if isinstance(pg, DomainType):
        yield from _user_types(pg.base)
    elif isinstance(pg, EnumType):
        yield pg
    elif isinstance(pg, CompositeType):
        yield pg
        for attribute in pg.attributes:
            yield from _user_types(attribute.type)


def _old_doc(table: Table, where: str) -> str:
    """What the ``Old`` model of ``table`` holds, as its docstring says it."""
    present = table.old_record_columns()
    if not present:
        why = "no primary key" if table.replica_identity == "default" else "no replica identity"
        text = f"The replica identity of a row of {where}: {why}, so every column is optional."
    else:
        what = "primary key" if present == table.primary_key else "replica identity"
        text = f"The replica identity of a row of {where}: {what} ({', '.join(present)}) required."
    if len(table.identity_columns()) > len(present):
        text += (
            " Other columns arrive on updates only: under row level security a delete's old"
            " record holds the primary key alone."
        )
    return text


def _partition_note(table: Table) -> str:
    """Why an unlogged table, a partitioned table or a partition has no change keys."""
    if table.unlogged:
        return (
            "No change keys: the table is UNLOGGED, so PostgreSQL writes no WAL for it and "
            "Realtime never sees its changes."
        )
    if table.partitioned:
        return (
            "No change keys: a partitioned table holds no rows. Realtime sends changes under "
            "the names of the leaf partitions, while the supabase_realtime publication lists "
            "them (publish_via_partition_root = false); subscribe to those."
        )
    return (
        "No change keys: the supabase_realtime publication publishes via the partition "
        "root (publish_via_partition_root = true), so Realtime refuses a subscription to "
        "this partition, and one to the root receives nothing (wal2json names the "
        "partition). Set it to false to receive this partition's changes."
    )


class _Typed(NamedTuple):
    """A column with its Python type and field name."""

    column: ColumnDef
    py: PyType
    name: str


def _fields(typed: Iterable[_Typed], required: Iterable[str] | None) -> tuple[FieldPlan, ...]:
    """Fields of a model; ``required`` lists the columns that must be present (None: the NOT
    NULL ones)."""
    required_set = None if required is None else set(required)
    planned: list[FieldPlan] = []
    for column, py, name in typed:
        must = column.name in required_set if required_set is not None else not py.nullable
        annotation = f"{py.annotation} | None" if py.nullable or not must else py.annotation
        alias = column.name if name != column.name else None
        planned.append(FieldPlan(name, annotation, not must, alias, column.comment))
    return tuple(planned)


class _Planner:
    """Names and types the module's objects; one instance per generated module."""

    def __init__(self, renames: Renames, *, strict_enums: bool) -> None:
        self.renames = renames
        self.classes = NameRegistry("class", "of the module")
        self.type_names: dict[int, str] = {}
        self.mapping = Mapping(
            class_name=lambda user: private_alias(self.type_names[id(user)]),
            strict_enums=strict_enums,
        )
        self.plan = ModulePlan(strict_enums=strict_enums)

    def class_of(self, kind: str, schema: str, name: str) -> str:
        """The class name of a table or type, renamed or derived, claimed in the module."""
        chosen = self.renames.class_for(schema, name)
        if chosen is None:
            chosen = class_name(*(() if schema == "public" else (schema,)), name)
        target = sql_name(*((name,) if schema == "public" else (schema, name)))
        return self.classes.claim(chosen, f"{kind} {_qualified(schema, name)}", target)

    def typed(
        self, schema: str, owner: str, columns: Sequence[ColumnDef], *, warn: bool
    ) -> list[_Typed]:
        """Each column's Python type and field name, claimed once per model owner."""
        where = _qualified(schema, owner)
        names = NameRegistry("field", f"of {where}")
        typed: list[_Typed] = []
        for column in columns:
            py = self.mapping.column(column)
            if warn and py.lossy is not None and (py.lossy != "nan" or not py.nullable):
                loc = column.location
                prefix = f"{loc.file}:{loc.line}:{loc.column}: " if loc else ""
                self.plan.warnings.append(
                    Warning_(f"{prefix}{where}.{column.name}", self.mapping.lossy_message(py.lossy))
                )
            name = self.renames.field_for(schema, owner, column.name) or field_name(column.name)
            names.claim(name, f"column {column.name!r}", sql_name(schema, owner, column.name))
            typed.append(_Typed(column, py, name))
        return typed

    def user_types(self, tables: Iterable[Table]) -> None:
        """Name every enum and composite the tables use, sorted by schema and name."""
        found: dict[int, EnumType | CompositeType] = {}
        for table in tables:
            for column in table.columns:
                for user in _user_types(column.type):
                    found[id(user)] = user
        ordered = sorted(found.values(), key=lambda u: (u.schema, u.name))
        for user in ordered:
            kind = "enum" if isinstance(user, EnumType) else "composite type"
            self.type_names[id(user)] = self.class_of(kind, user.schema, user.name)
        for user in ordered:
            name = self.type_names[id(user)]
            where = _qualified(user.schema, user.name)
            if isinstance(user, EnumType):
                doc = user.comment or f"The enum {where}."
                if not self.plan.strict_enums:
                    doc += f" Rows hold ``{name} | str``: values added later still parse."
                self.plan.enums.append(EnumPlan(name, private_alias(name), tuple(user.values), doc))
            else:
                typed = self.typed(user.schema, user.name, user.attributes, warn=True)
                fields = _fields(typed, ())
                doc = user.comment or f"The composite type {where}."
                self.plan.composites.append(CompositePlan(name, private_alias(name), doc, fields))

    def table(self, table: Table, name: str, *, delivers: bool) -> TablePlan:
        """The plan of one table class."""
        where = _qualified(table.schema, table.name)
        typed = self.typed(table.schema, table.name, table.columns, warn=True)
        columns = [
            ColumnPlan(name, py.column_type, py.column_class, column.name)
            for column, py, name in typed
            if py.column_class is not None
        ]
        doc = table.comment or f"The table {where}."
        if not delivers:
            doc += "\n\n" + _partition_note(table)
        return TablePlan(
            name,
            table.schema,
            table.name,
            where,
            doc,
            _old_doc(table, where),
            delivers,
            _fields(typed, None),
            _fields(typed, table.old_record_columns()),
            tuple(columns),
        )

    def channel(self, channel: Channel) -> ChannelPlan:
        """The plan of one channel class; its name is claimed like a table's."""
        self.classes.claim(
            check_class_name(channel.name, "channel"), f"channel {channel.name}", None
        )
        escaped = channel.topic.replace("{", "{{").replace("}", "}}")
        for placeholder in channel.placeholders:
            escaped = escaped.replace(f"{{{{{placeholder}}}}}", f"{{{placeholder}}}")
        value = f"f{escaped!r}" if channel.placeholders else repr(channel.topic)
        return ChannelPlan(channel, channel.description or f"The channel {channel.topic}.", value)


def plan_module(
    catalog: Catalog,
    tables: Sequence[Table],
    channels: ChannelFile | None,
    renames: Renames,
    *,
    strict_enums: bool = False,
    model_names: Iterable[str] = (),
) -> ModulePlan:
    """Name and type everything the module holds.

    A name collision, or a rename that names nothing, is a
    :class:`~realtime_typed.errors.SchemaError`.
    """
    planner = _Planner(renames, strict_enums=strict_enums)
    table_names = [planner.class_of("table", t.schema, t.name) for t in tables]
    planner.user_types(tables)
    plan = planner.plan
    plan.tables = [
        planner.table(t, n, delivers=catalog.delivers(t))
        for t, n in zip(tables, table_names, strict=True)
    ]
    if channels is not None:
        plan.channels = [planner.channel(channel) for channel in channels.channels]
        for model in sorted(model_names):
            planner.classes.claim(model, f"payload model {model}", None)
    renames.check_all_used()
    plan.helpers = sorted(planner.mapping.helpers)
    plan.exports = sorted(
        [
            *table_names,
            *(e.name for e in plan.enums),
            *(c.name for c in plan.composites),
            *(c.channel.name for c in plan.channels),
            *model_names,
        ],
        key=export_order,
    )
    return plan
