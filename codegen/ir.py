"""The intermediate representation the templates render: events and join-error codes.

A message definition is one entry of a bundle's top-level ``oneOf``: an ``allOf`` of an
envelope and an object whose ``event`` property is a ``const``. That constant is the event
name on the wire; the definition name is the generated model's class name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from codegen.bundle import SchemaBundleError, SchemaSet

__all__ = ["EventSpec", "MessageSet", "join_error_codes", "message_set"]


@dataclass(frozen=True)
class EventSpec:
    """One event: its wire name and the generated model that holds it."""

    event: str
    model: str


@dataclass(frozen=True)
class MessageSet:
    """The messages of one direction: the union's name and its events, in schema order."""

    union: str
    events: tuple[EventSpec, ...]


def _event_const(name: str, definition: Mapping[str, Any]) -> str:
    for part in definition.get("allOf", ()):
        event = part.get("properties", {}).get("event", {})
        if "const" in event:
            const = event["const"]
            if not isinstance(const, str):
                raise SchemaBundleError(f"{name}: the event const must be a string")
            return const
    raise SchemaBundleError(f"{name}: a message must set properties.event.const in its allOf")


def message_set(bundle: Mapping[str, Any]) -> MessageSet:
    """The events of a bundled document, one per entry of its top-level ``oneOf``."""
    union = bundle.get("title")
    if not isinstance(union, str):
        raise SchemaBundleError("a message file must have a title: the union's name")
    events: list[EventSpec] = []
    for entry in bundle.get("oneOf", ()):
        name = entry["$ref"].removeprefix("#/$defs/")
        events.append(EventSpec(_event_const(name, bundle["$defs"][name]), name))
    seen = [spec.event for spec in events]
    duplicates = sorted({event for event in seen if seen.count(event) > 1})
    if duplicates:
        raise SchemaBundleError(f"{union}: events defined twice: {', '.join(duplicates)}")
    return MessageSet(union, tuple(events))


def join_error_codes(schemas: SchemaSet) -> tuple[str, ...]:
    """The ``enum`` of ``JoinErrorCode`` in ``join_errors.yaml``."""
    codes: object = schemas.definition("join_errors.yaml", "JoinErrorCode").get("enum")
    if not isinstance(codes, list):
        raise SchemaBundleError("join_errors.yaml: JoinErrorCode.enum must be a list")
    items = cast("list[object]", codes)
    strings = tuple(code for code in items if isinstance(code, str))
    if len(strings) != len(items):
        raise SchemaBundleError("join_errors.yaml: JoinErrorCode.enum must list strings")
    return strings
