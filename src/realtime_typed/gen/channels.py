"""Channel declarations (YAML or JSON) to payload models and typed keys.

A channels file declares, per channel class, a topic pattern, broadcast events with JSON Schema
payloads and a presence JSON Schema, plus optional shared ``definitions``::

    channels:
      Room:
        topic: "room:{room_id}"
        broadcast:
          cursor: {type: object, properties: {x: {type: number}}, required: [x]}
          new-message: {$ref: "#/definitions/Message"}
        presence: {type: object, properties: {user_id: {type: string}}}
    definitions:
      Message: {type: object, properties: {text: {type: string}}}

The file is checked with every error located (file, line, column); the payload models are
written by datamodel-code-generator.
"""

from __future__ import annotations

import ast
import json
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard, cast

import yaml

from realtime_typed.errors import SchemaError
from realtime_typed.gen.names import class_name, field_name

__all__ = ["BroadcastEvent", "Channel", "ChannelFile", "generate_models", "load_channels"]

_JSON_TYPES = frozenset({"object", "array", "string", "number", "integer", "boolean", "null"})
_CHANNEL_KEYS = frozenset({"topic", "broadcast", "presence", "description"})
_SCHEMA_MAPS = ("properties", "definitions", "$defs", "patternProperties")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SCHEMA_ONES = ("items", "additionalProperties", "not", "contains")
_ROOT_CLASS = "ChannelsRoot"

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class BroadcastEvent:
    """A broadcast event: wire name, ``Room.<attribute>`` key, ``Room.<model>`` payload."""

    event: str
    attribute: str
    model: str
    target: str


@dataclass(frozen=True, slots=True)
class Channel:
    """A declared channel: class name, topic pattern and its placeholders, events, presence."""

    name: str
    topic: str
    placeholders: tuple[str, ...]
    events: tuple[BroadcastEvent, ...]
    presence: str | None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class ChannelFile:
    """A loaded channels file: the channels and the JSON Schema document for their models."""

    channels: tuple[Channel, ...]
    schema: dict[str, Any]
    file: str


def _object(value: object) -> dict[str, Any] | None:
    return cast("dict[str, Any]", value) if isinstance(value, dict) else None


def _is_list(value: object) -> TypeGuard[list[Any]]:
    return isinstance(value, list)


def _list(value: object) -> list[Any] | None:
    return value if _is_list(value) else None


class _Marks:
    """Line and column of every key of a YAML/JSON document, by path."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.marks: dict[Path_, tuple[int, int]] = {}
        self._loader = yaml.SafeLoader("")

    def _scalar(self, node: yaml.Node) -> Any:
        return self._loader.construct_object(node, deep=True)  # pyright: ignore[reportUnknownMemberType]

    def plain(self, node: yaml.Node, path: Path_ = ()) -> Any:
        self.marks.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = str(self._scalar(key_node))
                if key in result:
                    raise self.error(f"duplicate key {key!r}", (*path, key))
                mark = key_node.start_mark
                self.marks[(*path, key)] = (mark.line + 1, mark.column + 1)
                result[key] = self.plain(value_node, (*path, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.plain(item, (*path, index)) for index, item in enumerate(node.value)]
        return self._scalar(node)

    def error(self, message: str, path: Path_) -> SchemaError:
        probe = path
        while probe not in self.marks and probe:
            probe = probe[:-1]
        line, column = self.marks.get(probe, (1, 1))
        where = "/".join(str(part) for part in path)
        detail = f"{message} (at {where})" if where else message
        return SchemaError(detail, file=self.file, line=line, column=column)


def _placeholders(topic: str, marks: _Marks, path: Path_) -> tuple[str, ...]:
    names: list[str] = []
    try:
        parsed = list(string.Formatter().parse(topic))
    except ValueError as exc:
        raise marks.error(f"invalid topic pattern: {exc}", path) from exc
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion or field_name(name) != name:
            raise marks.error(f"topic placeholder {{{name}}} must be a plain identifier", path)
        if name not in names:
            names.append(name)
    return tuple(names)


def _check_schema(schema: Any, definitions: Mapping[str, Any], marks: _Marks, path: Path_) -> None:
    """Check that ``schema`` is a JSON Schema this generator can turn into a model."""
    if isinstance(schema, bool):
        return
    obj = _object(schema)
    if obj is None:
        raise marks.error("a JSON Schema must be an object", path)
    _check_keywords(obj, definitions, marks, path)


def _check_keywords(
    schema: dict[str, Any], definitions: Mapping[str, Any], marks: _Marks, path: Path_
) -> None:
    kind = schema.get("type")
    kinds = _list(kind) or ([kind] if kind is not None else [])
    for item in kinds:
        if item not in _JSON_TYPES:
            raise marks.error(f"unknown JSON Schema type {item!r}", (*path, "type"))
    ref = schema.get("$ref")
    if ref is not None:
        prefix = "#/definitions/"
        if not isinstance(ref, str) or not ref.startswith(prefix):
            raise marks.error(f"$ref must point into #/definitions/, got {ref!r}", (*path, "$ref"))
        if ref[len(prefix) :] not in definitions:
            raise marks.error(f"$ref {ref!r} names no definition", (*path, "$ref"))
    required = _list(schema.get("required", []))
    if required is None or not all(isinstance(item, str) for item in required):
        raise marks.error("required must be a list of property names", (*path, "required"))
    enum = schema.get("enum")
    if enum is not None and not _list(enum):
        raise marks.error("enum must be a non-empty list", (*path, "enum"))
    for key in _SCHEMA_MAPS:
        if schema.get(key) is None:
            continue
        children = _object(schema[key])
        if children is None:
            raise marks.error(f"{key} must map names to schemas", (*path, key))
        for name, child in children.items():
            _check_schema(child, definitions, marks, (*path, key, name))
    for key in _SCHEMA_LISTS:
        if schema.get(key) is None:
            continue
        items = _list(schema[key])
        if items is None:
            raise marks.error(f"{key} must be a list of schemas", (*path, key))
        for index, child in enumerate(items):
            _check_schema(child, definitions, marks, (*path, key, index))
    for key in _SCHEMA_ONES:
        if key in schema:
            _check_schema(schema[key], definitions, marks, (*path, key))


def _is_object(schema: Any, definitions: Mapping[str, Any]) -> bool:
    obj = _object(schema)
    if obj is None:
        return False
    ref = obj.get("$ref")
    if isinstance(ref, str):
        return _is_object(definitions.get(ref.rsplit("/", 1)[-1]), definitions)
    return obj.get("type") == "object" or (
        "type" not in obj and ("properties" in obj or "allOf" in obj)
    )


def _payload(
    channel: str,
    label: str,
    schema: Any,
    definitions: Mapping[str, Any],
    models: dict[str, Any],
    marks: _Marks,
    path: Path_,
) -> tuple[str, str]:
    """Register the payload schema; returns the model's name in the channel and its class."""
    _check_schema(schema, definitions, marks, path)
    if not _is_object(schema, definitions):
        raise marks.error("a payload schema must describe a JSON object", path)
    model = class_name(label)
    obj = _object(schema) or {}
    ref = obj.get("$ref")
    if isinstance(ref, str) and len(obj) == 1:
        return model, class_name(ref.rsplit("/", 1)[-1])
    target = f"{channel}{model}"
    if target in definitions or target in models:
        raise marks.error(f"model name {target} is already used", path)
    models[target] = schema
    return model, target


def load_channels(path: Path, display: str | None = None) -> ChannelFile:
    """Read and check a channels file; errors carry the file, line and column."""
    file = display or str(path)
    marks = _Marks(file)
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemaError(f"cannot read channels: {exc}", file=file) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise SchemaError(
            f"invalid YAML/JSON: {exc.problem}", file=file, line=line, column=column
        ) from exc
    document = _object(marks.plain(node) if node is not None else {})
    if document is None:
        raise marks.error("a channels file is an object with 'channels'", ())
    unknown = set(document) - {"channels", "definitions"}
    if unknown:
        key = sorted(unknown)[0]
        raise marks.error(f"unknown key {key!r} (expected 'channels', 'definitions')", (key,))
    definitions = _object(document.get("definitions") or {})
    if definitions is None:
        raise marks.error("definitions must map names to schemas", ("definitions",))
    for name, schema in definitions.items():
        _check_schema(schema, definitions, marks, ("definitions", name))
    declared = _object(document.get("channels"))
    if not declared:
        raise marks.error("'channels' must map channel class names to declarations", ("channels",))
    models: dict[str, Any] = {}
    channels = [
        _channel(name, spec, definitions, models, marks) for name, spec in sorted(declared.items())
    ]
    schema = {"definitions": {**definitions, **models}}
    return ChannelFile(tuple(channels), schema, file)


def _channel(
    name: str, spec: Any, definitions: Mapping[str, Any], models: dict[str, Any], marks: _Marks
) -> Channel:
    path: Path_ = ("channels", name)
    if not name.isidentifier() or class_name(name) != name:
        raise marks.error(f"channel name {name!r} must be a PascalCase identifier", path)
    spec = _object(spec)
    if spec is None:
        raise marks.error("a channel is an object with 'topic'", path)
    unknown = set(spec) - _CHANNEL_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise marks.error(f"unknown key {key!r} in channel {name}", (*path, key))
    topic = spec.get("topic")
    if not isinstance(topic, str) or not topic:
        raise marks.error("topic must be a non-empty string", (*path, "topic"))
    placeholders = _placeholders(topic, marks, (*path, "topic"))
    broadcast = _object(spec.get("broadcast") or {})
    if broadcast is None:
        raise marks.error("broadcast must map event names to schemas", (*path, "broadcast"))
    events: list[BroadcastEvent] = []
    used = {"topic", "presence", "Presence"}
    for event, schema in sorted(broadcast.items()):
        event_path = (*path, "broadcast", event)
        model, target = _payload(name, event, schema, definitions, models, marks, event_path)
        attribute = field_name(event)
        for taken in (attribute, model):
            if taken in used:
                raise marks.error(f"event {event!r} clashes with {name}.{taken}", event_path)
            used.add(taken)
        events.append(BroadcastEvent(event, attribute, model, target))
    presence = None
    if spec.get("presence") is not None:
        _, presence = _payload(
            name, "presence", spec["presence"], definitions, models, marks, (*path, "presence")
        )
    description = spec.get("description")
    return Channel(
        name,
        topic,
        placeholders,
        tuple(events),
        presence,
        description if isinstance(description, str) else None,
    )


def generate_models(channels: ChannelFile) -> tuple[list[str], str, set[str]]:
    """The payload models: import lines, class definitions and the class names defined."""
    from datamodel_code_generator import Error, InputFileType, LiteralType, generate
    from datamodel_code_generator.enums import DataModelType

    try:
        code = generate(
            json.dumps(channels.schema),
            input_file_type=InputFileType.JsonSchema,
            output_model_type=DataModelType.PydanticV2BaseModel,
            preset="standard-py311-20261027",
            enum_field_as_literal=LiteralType.All,
            class_name=_ROOT_CLASS,
            disable_timestamp=True,
            formatters=[],
        )
    except Error as exc:
        raise SchemaError(f"cannot generate payload models: {exc}", file=channels.file) from exc
    assert isinstance(code, str)
    tree = ast.parse(code)
    lines = code.splitlines()
    imports: list[str] = []
    body: list[str] = []
    names: set[str] = set()
    for statement in tree.body:
        end = statement.end_lineno or statement.lineno
        text = "\n".join(lines[statement.lineno - 1 : end])
        if isinstance(statement, ast.ImportFrom | ast.Import):
            imports.append(text)
        elif isinstance(statement, ast.ClassDef) and statement.name == _ROOT_CLASS:
            continue
        else:
            body.append(text)
            if isinstance(statement, ast.ClassDef):
                names.add(statement.name)
            elif isinstance(statement, ast.Assign | ast.AnnAssign):
                targets = (
                    statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                )
                names.update(t.id for t in targets if isinstance(t, ast.Name))
    return imports, "\n\n\n".join(body), names
