"""Database broadcasts: what ``realtime.broadcast_changes`` sends from a row trigger.

A trigger that calls ``realtime.broadcast_changes(topic, event, operation, table, schema, new,
old)`` broadcasts ``{operation, table, schema, record, old_record}`` (plus the stored message's
``id``) on a private channel. ``InsertBroadcast[Row]``, ``UpdateBroadcast[Row, Old]`` and
``DeleteBroadcast[Old]`` validate that payload; ``operation`` is a literal, so
``DatabaseBroadcast[Row, Old]`` narrows on it like ``AnyChange`` narrows on ``type``. The
trigger's ``OLD`` is the whole previous row, which validates into ``Old`` (its identity columns
required, the others optional). Inbound models are lenient: fields added later are kept.
"""

from __future__ import annotations

from typing import ClassVar, Generic, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field

from realtime_typed.typed.changes import OldT, RowT

__all__ = ["DatabaseBroadcast", "DeleteBroadcast", "InsertBroadcast", "UpdateBroadcast"]


class _RowBroadcast(BaseModel):
    """The fields every database broadcast carries: which table, and the stored message id."""

    model_config: ClassVar[ConfigDict] = ConfigDict(
        frozen=True, extra="allow", populate_by_name=True
    )

    schema_name: str = Field(alias="schema")
    table: str
    id: str | None = None


class InsertBroadcast(_RowBroadcast, Generic[RowT]):
    """A trigger saw an INSERT: ``record`` is the new row."""

    operation: Literal["INSERT"]
    record: RowT
    old_record: None = None


class UpdateBroadcast(_RowBroadcast, Generic[RowT, OldT]):
    """A trigger saw an UPDATE: ``record`` is the new row, ``old_record`` the previous one."""

    operation: Literal["UPDATE"]
    record: RowT
    old_record: OldT


class DeleteBroadcast(_RowBroadcast, Generic[OldT]):
    """A trigger saw a DELETE: ``old_record`` is the deleted row."""

    operation: Literal["DELETE"]
    record: None = None
    old_record: OldT


DatabaseBroadcast: TypeAlias = (
    InsertBroadcast[RowT] | UpdateBroadcast[RowT, OldT] | DeleteBroadcast[OldT]
)
