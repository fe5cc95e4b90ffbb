"""Typed keys: what a generated module hands to a channel so that payloads are typed.

* ``ChangeSpec[P]``: a Postgres-changes binding (event, schema, table) whose changes decode to
  ``P`` (``InsertChange[Row]``, ``UpdateChange[Row, Old]``, ``DeleteChange[Old]`` or their
  union for ``*``).
* ``BroadcastSpec[T]``: a broadcast event whose payload validates into ``T``;
  ``BroadcastSpec.changes`` builds the key of a table's ``realtime.broadcast_changes`` messages.
* ``PresenceSpec[T]``: the presence meta model of a channel.

Each spec builds its Pydantic validator on first use, so importing a module of many tables
stays cheap, and then reuses it for every message.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any, Generic, Literal, TypeVar, cast

from pydantic import BaseModel, TypeAdapter

from realtime_typed.typed.changes import AnyChange, DeleteChange, InsertChange, UpdateChange
from realtime_typed.typed.database_broadcast import (
    DatabaseBroadcast,
    DeleteBroadcast,
    InsertBroadcast,
    UpdateBroadcast,
)

__all__ = ["BroadcastSpec", "ChangeEvent", "ChangeSpec", "PresenceSpec"]

P = TypeVar("P")
T = TypeVar("T")
R = TypeVar("R")
O = TypeVar("O")  # noqa: E741
ModelT = TypeVar("ModelT", bound=BaseModel)

ChangeEvent = Literal["INSERT", "UPDATE", "DELETE", "*"]


class ChangeSpec(Generic[P]):
    """A typed Postgres-changes key: the binding to join with and the type of its changes."""

    __slots__ = ("__dict__", "_change_type", "event", "schema", "table")

    def __init__(self, event: ChangeEvent, schema: str, table: str, change_type: Any) -> None:
        self.event: ChangeEvent = event
        self.schema: str = schema
        self.table: str = table
        self._change_type = change_type

    @cached_property
    def _adapter(self) -> TypeAdapter[P]:
        return TypeAdapter(self._change_type)

    def decode(self, data: Mapping[str, Any]) -> P:
        """Validate the ``data`` object of a ``postgres_changes`` message into ``P``."""
        return self._adapter.validate_python(data)

    def __repr__(self) -> str:
        return f"ChangeSpec({self.event!r}, {self.schema!r}, {self.table!r})"

    @staticmethod
    def insert(schema: str, table: str, row: type[R]) -> ChangeSpec[InsertChange[R]]:
        """The INSERT key of a table whose rows are ``row``."""
        return ChangeSpec("INSERT", schema, table, InsertChange[row])  # type: ignore[valid-type]

    @staticmethod
    def update(
        schema: str, table: str, row: type[R], old: type[O]
    ) -> ChangeSpec[UpdateChange[R, O]]:
        """The UPDATE key of a table whose rows are ``row`` and identities ``old``."""
        return ChangeSpec("UPDATE", schema, table, UpdateChange[row, old])  # type: ignore[valid-type]

    @staticmethod
    def delete(schema: str, table: str, old: type[O]) -> ChangeSpec[DeleteChange[O]]:
        """The DELETE key of a table whose identities are ``old``."""
        return ChangeSpec("DELETE", schema, table, DeleteChange[old])  # type: ignore[valid-type]

    @staticmethod
    def all(schema: str, table: str, row: type[R], old: type[O]) -> ChangeSpec[AnyChange[R, O]]:
        """The ``*`` key of a table: any change, narrowed by ``change.type``."""
        union = InsertChange[row] | UpdateChange[row, old] | DeleteChange[old]  # type: ignore[valid-type]
        return ChangeSpec("*", schema, table, union)


class BroadcastSpec(Generic[T]):
    """A typed broadcast key: the event name and the model of its payload."""

    __slots__ = ("__dict__", "event", "model")

    def __init__(self, event: str, model: type[T]) -> None:
        self.event: str = event
        self.model: type[T] = model

    def with_event(self, event: str) -> BroadcastSpec[T]:
        """The same payload model under another event name (``*`` for every event)."""
        return BroadcastSpec(event, self.model)

    @staticmethod
    def changes(
        row: type[R], old: type[O], *, event: str = "*"
    ) -> BroadcastSpec[DatabaseBroadcast[R, O]]:
        """The key of the ``realtime.broadcast_changes`` messages of a table of ``row``/``old``.

        The trigger chooses the event name; the default ``*`` receives every event of the
        channel, so use :meth:`with_event` when the topic also carries other broadcasts.
        """
        union = InsertBroadcast[row] | UpdateBroadcast[row, old] | DeleteBroadcast[old]  # type: ignore[valid-type]
        return BroadcastSpec(event, cast("type[DatabaseBroadcast[R, O]]", union))

    @cached_property
    def _adapter(self) -> TypeAdapter[T]:
        return TypeAdapter(self.model)

    def decode(self, payload: Any) -> T:
        """Validate a received payload into the model."""
        return self._adapter.validate_python(payload)

    def encode(self, payload: T) -> Any:
        """The JSON value of a payload to send."""
        return self._adapter.dump_python(payload, mode="json", by_alias=True)

    def __repr__(self) -> str:
        return f"BroadcastSpec({self.event!r}, {getattr(self.model, '__name__', self.model)})"


class PresenceSpec(Generic[ModelT]):
    """A typed presence key: the model every meta of the channel validates into."""

    __slots__ = ("model",)

    def __init__(self, model: type[ModelT]) -> None:
        self.model: type[ModelT] = model

    def decode(self, meta: Mapping[str, Any]) -> ModelT:
        """Validate one presence meta (``phx_ref`` fields already removed) into the model."""
        return self.model.model_validate(meta)

    def encode(self, meta: ModelT) -> dict[str, Any]:
        """The JSON object to track."""
        return meta.model_dump(mode="json", by_alias=True)

    def __repr__(self) -> str:
        return f"PresenceSpec({self.model.__name__})"
