"""The generated module's source: table classes, enum aliases, composite and channel models.

Per table a class (``Todos``; ``AuditEvents`` for ``audit.events``) holding ``Row``, ``Old``,
the typed keys ``insert``/``update``/``delete``/``all`` and typed columns ``c``. Type checkers
read the classes under ``if TYPE_CHECKING:``; at run time the same class text sits in a
builder that the module's ``__getattr__`` calls on first use, so importing a module of a
thousand tables builds none of their Pydantic models. Output is deterministic: tables sorted
by schema and name, columns in ordinal order, no timestamps.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from realtime_typed.errors import SchemaError
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
from realtime_typed.gen.channels import Channel, ChannelFile, generate_models
from realtime_typed.gen.names import NameRegistry, class_name, field_name, unique
from realtime_typed.gen.pgtypes import Mapping

__all__ = ["Warning_", "render_module", "selected_tables"]

_DOC_WIDTH = 72
"""Docstring width: stays under the line length at any nesting, runtime builders included."""
_RESERVED = {
    "Annotated", "Any", "AwareDatetime", "BaseModel", "BeforeValidator", "BroadcastSpec",
    "ChangeSpec", "Column", "ConfigDict", "Decimal", "Field", "Final", "IPvAnyInterface",
    "IPvAnyNetwork", "JsonValue", "Literal", "PresenceSpec", "RootModel", "TYPE_CHECKING",
    "TypeAlias", "UUID",
}  # fmt: skip

_HELPERS = {
    "_Bytea": '''
def _parse_bytea(value: object) -> object:
    """bytea arrives as hex: bare from Realtime, ``\\\\x``-prefixed in arrays and PostgREST."""
    if isinstance(value, str):
        return bytes.fromhex(value[2:] if value.startswith("\\\\x") else value)
    return value


_Bytea: TypeAlias = Annotated[bytes, BeforeValidator(_parse_bytea)]
''',
    "_TimeTz": '''
def _parse_timetz(value: object) -> object:
    """timetz offsets of whole hours arrive as ``+HH``; Python reads ``+HH:MM``."""
    if isinstance(value, str) and len(value) > 3 and value[-3] in "+-" and value[-2:].isdigit():
        return f"{value}:00"
    return value


_TimeTz: TypeAlias = Annotated[time, BeforeValidator(_parse_timetz)]
''',
    "_Json": '''
def _json_value(value: object) -> object:
    """JSON numbers decoded as Decimal become floats, the number type of a JSON value."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [_json_value(item) for item in cast("list[object]", value)]
    if isinstance(value, dict):
        return {key: _json_value(item) for key, item in cast("dict[str, object]", value).items()}
    return value


_Json: TypeAlias = Annotated[JsonValue, BeforeValidator(_json_value)]
''',
}
_HELPER_IMPORTS = {
    "_Bytea": ["from typing import Annotated, TypeAlias", "from pydantic import BeforeValidator"],
    "_TimeTz": [
        "from datetime import time",
        "from typing import Annotated, TypeAlias",
        "from pydantic import BeforeValidator",
    ],
    "_Json": [
        "from decimal import Decimal",
        "from typing import Annotated, TypeAlias, cast",
        "from pydantic import BeforeValidator, JsonValue",
    ],
}

_RECORD_BASE = '''
class _Record(BaseModel):
    """Base of the row, identity and composite models: frozen, keeps columns added later."""

    model_config = ConfigDict(
        frozen=True,
        extra="allow",
        validate_by_name=True,
        validate_by_alias=True,
        defer_build=True,
        protected_namespaces=(),
        use_attribute_docstrings=True,
    )
'''

_RUNTIME = """
    _BUILDERS: dict[str, Callable[[], type]] = {{
{builders}
    }}
    _BUILD_LOCK = threading.Lock()

    def __getattr__(name: str) -> type:
        build = _BUILDERS.get(name)
        if build is None:
            raise AttributeError(f"module {{__name__!r}} has no attribute {{name!r}}")
        with _BUILD_LOCK:
            if name not in globals():
                globals()[name] = build()
        built: type = globals()[name]
        return built
"""


@dataclass(frozen=True, slots=True)
class Warning_:
    """A lossy column, reported on stderr: where, and what the wire does to its values."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: warning: {self.message}"


@dataclass(slots=True)
class _Module:
    """What a module being rendered has collected: imports, helpers, names, warnings."""

    mapping: Mapping
    registry: NameRegistry
    imports: set[str] = field(default_factory=set[str])
    type_names: dict[int, str] = field(default_factory=dict[int, str])
    enums: list[EnumType] = field(default_factory=list[EnumType])
    composites: list[CompositeType] = field(default_factory=list[CompositeType])
    warnings: list[Warning_] = field(default_factory=list[Warning_])


def selected_tables(catalog: Catalog, schemas: Sequence[str]) -> list[Table]:
    """The tables to emit, sorted: those of ``schemas``, or of every non-system schema."""

    def wanted(schema: str) -> bool:
        if schemas:
            return schema in schemas
        return schema not in SYSTEM_SCHEMAS and not schema.startswith("pg_")

    return [catalog.tables[key] for key in sorted(catalog.tables) if wanted(key[0])]


def _qualified(schema: str, name: str) -> str:
    return name if schema == "public" else f"{schema}.{name}"


def _literal(text: str) -> str:
    return repr(text)


def _docstring(text: str, indent: int) -> list[str]:
    """A docstring's lines at ``indent``, wrapped to the line width, quotes made safe."""
    safe = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip()
    if safe.endswith('"'):
        safe += " "
    paragraphs = [textwrap.wrap(p, _DOC_WIDTH) or [""] for p in safe.split("\n")]
    lines = [line for paragraph in paragraphs for line in paragraph]
    pad = " " * indent
    if len(lines) == 1:
        return [f'{pad}"""{lines[0]}"""']
    return [
        f'{pad}"""{lines[0]}',
        *(f"{pad}{line}" if line else "" for line in lines[1:]),
        f'{pad}"""',
    ]


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


def _collect_types(module: _Module, tables: Iterable[Table]) -> None:
    """Name every enum and composite the tables use, sorted by schema and name."""
    found: dict[int, EnumType | CompositeType] = {}
    for table in tables:
        for column in table.columns:
            for user in _user_types(column.type):
                found[id(user)] = user
    for user in sorted(found.values(), key=lambda u: (u.schema, u.name)):
        prefix = () if user.schema == "public" else (user.schema,)
        module.type_names[id(user)] = module.registry.claim(class_name(*prefix, user.name))
        if isinstance(user, EnumType):
            module.enums.append(user)
        else:
            module.composites.append(user)


def _fields(
    module: _Module,
    columns: Sequence[ColumnDef],
    where: str,
    required: Iterable[str] | None,
    *,
    warn: bool = True,
) -> list[str]:
    """Field lines of a model; ``required`` lists the columns that must be present."""
    lines: list[str] = []
    taken: set[str] = set()
    for column in columns:
        py = module.mapping.column(column)
        if warn and py.lossy is not None and (py.lossy != "nan" or not py.nullable):
            loc = column.location
            prefix = f"{loc.file}:{loc.line}:{loc.column}: " if loc else ""
            module.warnings.append(
                Warning_(f"{prefix}{where}.{column.name}", module.mapping.lossy_message(py.lossy))
            )
        name = unique(field_name(column.name), taken)
        must = column.name in required if required is not None else not py.nullable
        annotation = py.annotation if not py.nullable else f"{py.annotation} | None"
        arguments: list[str] = []
        if not must:
            arguments.append("default=None")
            if not py.nullable:
                annotation = f"{annotation} | None"
        if name != column.name:
            alias = _literal(column.name)
            arguments += [f"validation_alias={alias}", f"serialization_alias={alias}"]
        if arguments and name != column.name:
            lines.append(f"{name}: {annotation} = Field({', '.join(arguments)})")
        elif not must:
            lines.append(f"{name}: {annotation} = None")
        else:
            lines.append(f"{name}: {annotation}")
        if column.comment:
            lines.extend(_docstring(column.comment, 0))
    return lines


def _class(name: str, base: str, doc: str, body: list[str], indent: int) -> list[str]:
    pad = " " * indent
    lines = [f"{pad}class {name}({base}):" if base else f"{pad}class {name}:"]
    lines += _docstring(doc, indent + 4)
    lines.append("")
    lines += [f"{pad}    {line}" if line else "" for line in body]
    return lines


def _composite(module: _Module, composite: CompositeType) -> list[str]:
    name = module.type_names[id(composite)]
    where = _qualified(composite.schema, composite.name)
    doc = composite.comment or f"The composite type {where}."
    body = _fields(module, composite.attributes, where, required=())
    return _class(name, "_Record", doc, body or ["pass"], 0)


def _enum(module: _Module, enum: EnumType) -> list[str]:
    name = module.type_names[id(enum)]
    values = ", ".join(_literal(value) for value in enum.values)
    module.imports.add("from typing import Literal, TypeAlias")
    lines = [f"{name}: TypeAlias = Literal[{values}]" if values else f"{name}: TypeAlias = str"]
    doc = enum.comment or f"The enum {_qualified(enum.schema, enum.name)}."
    lines += _docstring(f"{doc} Rows hold ``{name} | str``: values added later still parse.", 0)
    return lines


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


def _table(module: _Module, table: Table, name: str, delivers: bool) -> list[str]:
    where = _qualified(table.schema, table.name)
    row = _fields(module, table.columns, where, required=None)
    present = table.old_record_columns()
    old = _fields(module, table.columns, where, required=present, warn=False)
    key = f"{_literal(table.schema)}, {_literal(table.name)}"
    columns: list[str] = []
    taken: set[str] = set()
    for column in table.columns:
        py = module.mapping.column(column)
        attribute = unique(field_name(column.name), taken)
        columns.append(f"{attribute}: Final[Column[{py.static}]] = Column({_literal(column.name)})")
    keys = [
        f"insert = ChangeSpec.insert({key}, Row)",
        f"update = ChangeSpec.update({key}, Row, Old)",
        f"delete = ChangeSpec.delete({key}, Old)",
        f"all = ChangeSpec.all({key}, Row, Old)",
        "",
    ]
    body = [
        *_class("Row", "_Record", f"A row of {where}.", row or ["pass"], 0),
        "",
        *_class("Old", "_Record", _old_doc(table, where), old or ["pass"], 0),
        "",
        *(keys if delivers else []),
        *_class("c", "", f"Typed columns of {where}, for filters.", columns or ["pass"], 0),
    ]
    doc = table.comment or f"The table {where}."
    if not delivers:
        doc += "\n\n" + _partition_note(table)
    return _class(name, "", doc, body, 0)


def _partition_note(table: Table) -> str:
    """Why a partitioned table or a partition has no change keys."""
    if table.partitioned:
        return (
            "No change keys: the publication sends changes under the names of the leaf "
            "partitions (publish_via_partition_root is false); subscribe to those."
        )
    return (
        "No change keys: the publication sends this partition's changes under the "
        "partitioned table's name (publish_via_partition_root is true); subscribe to that."
    )


def _channel(channel: Channel) -> list[str]:
    body: list[str] = []
    for event in channel.events:
        body.append(f"{event.model}: TypeAlias = {event.target}")
        body.append(f"{event.attribute} = BroadcastSpec({_literal(event.event)}, {event.target})")
    if channel.presence is not None:
        body.append(f"Presence: TypeAlias = {channel.presence}")
        body.append(f"presence = PresenceSpec({channel.presence})")
    params = ", ".join(f"{name}: str" for name in channel.placeholders)
    escaped = channel.topic.replace("{", "{{").replace("}", "}}")
    for name in channel.placeholders:
        escaped = escaped.replace(f"{{{{{name}}}}}", f"{{{name}}}")
    value = f"f{_literal(escaped)}" if channel.placeholders else _literal(channel.topic)
    body += [
        "",
        "@staticmethod",
        f"def topic(*, {params}) -> str:" if params else "def topic() -> str:",
        *_docstring(f"The topic {channel.topic}.", 4),
        f"    return {value}",
    ]
    doc = channel.description or f"The channel {channel.topic}."
    return _class(channel.name, "", doc, body, 0)


def render_module(
    catalog: Catalog,
    tables: Sequence[Table],
    channels: ChannelFile | None,
    header: Sequence[str],
) -> tuple[str, list[Warning_]]:
    """The module source (not yet formatted) and the lossy-column warnings."""
    registry = NameRegistry(set(_RESERVED))
    module = _Module(Mapping(class_name=lambda user: module.type_names[id(user)]), registry)
    table_names = [
        registry.claim(class_name(*(() if t.schema == "public" else (t.schema,)), t.name))
        for t in tables
    ]
    channel_names = [registry.claim(c.name) for c in channels.channels] if channels else []
    if channels and channel_names != [c.name for c in channels.channels]:
        pairs = zip(channels.channels, channel_names, strict=True)
        clash = next(c.name for c, n in pairs if c.name != n)
        raise SchemaError(f"channel {clash} has the name of a table class", file=channels.file)
    _collect_types(module, tables)
    sections: list[list[str]] = []
    exported = [*table_names, *channel_names, *module.type_names.values()]
    sections += [_enum(module, enum) for enum in module.enums]
    sections += [_composite(module, composite) for composite in module.composites]
    tables_code = [
        _table(module, table, name, catalog.delivers(table))
        for table, name in zip(tables, table_names, strict=True)
    ]
    if channels is not None:
        model_imports, models_code, model_names = generate_models(channels)
        clashes = model_names & (set(exported) | _RESERVED | set(module.mapping.helpers))
        if clashes:
            raise SchemaError(
                f"payload model {sorted(clashes)[0]} has the name of another class",
                file=channels.file,
            )
        module.imports.update(model_imports)
        module.imports.add("from realtime_typed import BroadcastSpec, PresenceSpec")
        module.imports.add("from typing import TypeAlias")
        exported += sorted(model_names)
        sections.append(models_code.splitlines())
        sections += [_channel(channel) for channel in channels.channels]
    return _assemble(module, header, exported, sections, tables_code, table_names), module.warnings


def _assemble(
    module: _Module,
    header: Sequence[str],
    exported: list[str],
    sections: list[list[str]],
    tables_code: list[list[str]],
    table_names: list[str],
) -> str:
    imports = set(module.imports)
    imports.add("from __future__ import annotations")
    helpers = sorted(module.mapping.helpers)
    for helper in helpers:
        imports.update(_HELPER_IMPORTS[helper])
    imports.update(f"from {mod} import {name}" for mod, name in module.mapping.imports)
    if tables_code or module.composites:
        imports.add("from pydantic import BaseModel, ConfigDict, Field")
    if tables_code:
        imports.update(
            [
                "from collections.abc import Callable",
                "import threading",
                "from typing import TYPE_CHECKING, Final",
                "from realtime_typed import ChangeSpec, Column",
            ]
        )
    out: list[str] = [*header, *sorted(imports), "", f"__all__ = {sorted(exported)!r}", ""]
    for helper in helpers:
        out += [_HELPERS[helper], ""]
    if tables_code or module.composites:
        out += [_RECORD_BASE, ""]
    for section in sections:
        out += ["", "", *section]
    if tables_code:
        out += ["", "", "if TYPE_CHECKING:", ""]
        for code in tables_code:
            out += [textwrap.indent("\n".join(code), "    "), "", ""]
        out += ["else:", ""]
        builders: list[str] = []
        for code, name in zip(tables_code, table_names, strict=True):
            builder = f"_build_{name}"
            out += [f"    def {builder}() -> type:"]
            out += [textwrap.indent("\n".join(code), "        "), f"        return {name}", ""]
            builders.append(f"        {name!r}: {builder},")
        out.append(_RUNTIME.format(builders="\n".join(builders)))
    return "\n".join(out) + "\n"
