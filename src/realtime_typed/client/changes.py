"""A channel's Postgres-changes bindings: the join config, and routing changes by binding id.

Bindings go into the join config in registration order. Registering an exact duplicate does
not add a second binding (the server would send every change twice): it is logged as an error
and the new listener shares the existing binding. After each join the server's ids are
assigned by position (see :mod:`realtime_typed.protocol.postgres_bindings`); a change is
routed to every binding whose id is in its ``ids`` and whose event is ``*`` or its ``type``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, Final

from pydantic import ValidationError

from realtime_typed.errors import InvalidMessage
from realtime_typed.typed import ChangeSpec, DeleteChange, InsertChange, UpdateChange

__all__ = ["UNTYPED_SPECS", "ChangeRouter", "ChangeSink", "change_sink"]

ChangeSink = Callable[[Mapping[str, Any]], None]

_Row = dict[str, Any]
UNTYPED_SPECS: Final[dict[str, ChangeSpec[Any]]] = {
    "INSERT": ChangeSpec("INSERT", "*", "*", InsertChange[_Row]),
    "UPDATE": ChangeSpec("UPDATE", "*", "*", UpdateChange[_Row, _Row]),
    "DELETE": ChangeSpec("DELETE", "*", "*", DeleteChange[_Row]),
    "*": ChangeSpec(
        "*", "*", "*", InsertChange[_Row] | UpdateChange[_Row, _Row] | DeleteChange[_Row]
    ),
}
"""Decoders of untyped bindings: rows stay plain dicts, numerics stay Decimal."""


def change_sink(
    spec: ChangeSpec[Any],
    deliver: Callable[[Any], None],
    report: Callable[[InvalidMessage], None],
    topic: str,
) -> ChangeSink:
    """A sink that decodes ``data`` with ``spec`` and delivers it, or reports why not."""
    decode = spec.decode

    def sink(data: Mapping[str, Any]) -> None:
        errors = data.get("errors")
        if errors:
            report(
                InvalidMessage(
                    f"the server says {errors!r}", topic=topic, event="postgres_changes", data=data
                )
            )
            return
        try:
            change = decode(data)
        except ValidationError as exc:
            invalid = InvalidMessage(
                f"{exc.error_count()} validation errors for {spec!r}",
                topic=topic,
                event="postgres_changes",
                data=data,
            )
            invalid.__cause__ = exc
            report(invalid)
            return
        deliver(change)

    return sink


class _Binding:
    __slots__ = ("config", "event", "sinks")

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.event: str = config["event"]
        self.sinks: list[ChangeSink] = []


class ChangeRouter:
    """The bindings of one channel and the ids the server gave them."""

    __slots__ = ("_bindings", "_by_id", "_logger", "unrouted")

    def __init__(self, logger: logging.Logger) -> None:
        self._bindings: list[_Binding] = []
        self._by_id: dict[Any, list[_Binding]] = {}
        self._logger = logger
        self.unrouted: int = 0
        """Changes that matched no binding of this channel."""

    def __bool__(self) -> bool:
        return bool(self._bindings)

    def add(self, config: dict[str, Any], sink: ChangeSink) -> None:
        """Add ``sink`` under the binding ``config`` (shared with an identical binding)."""
        for binding in self._bindings:
            if binding.config == config:
                self._logger.error(
                    "duplicate postgres_changes binding %r: sharing the existing one", config
                )
                binding.sinks = [*binding.sinks, sink]
                return
        binding = _Binding(config)
        binding.sinks.append(sink)
        self._bindings.append(binding)

    def remove(self, sink: ChangeSink) -> None:
        """Stop delivering to ``sink`` (its binding stays until the channel closes)."""
        for binding in self._bindings:
            if sink in binding.sinks:
                binding.sinks = [other for other in binding.sinks if other is not sink]

    def configs(self) -> list[dict[str, Any]]:
        """The join config entries, in registration order."""
        return [binding.config for binding in self._bindings]

    def assign_ids(self, ids: list[Any] | None) -> None:
        """The server's ids for the bindings, by position (``None``: none assigned)."""
        self._by_id = {}
        for binding, binding_id in zip(self._bindings, ids or (), strict=False):
            self._by_id.setdefault(binding_id, []).append(binding)

    def route(self, payload: Mapping[str, Any]) -> None:
        """Deliver one ``postgres_changes`` payload (``{"ids": [...], "data": {...}}``)."""
        data: Mapping[str, Any] = payload["data"]
        kind = data.get("type")
        delivered = False
        by_id = self._by_id
        for binding_id in payload["ids"]:
            for binding in by_id.get(binding_id, ()):
                if binding.event == "*" or binding.event == kind:
                    delivered = True
                    for sink in binding.sinks:
                        sink(data)
        if not delivered:
            self.unrouted += 1
            self._logger.debug("postgres change for ids %r matched no binding", payload["ids"])
