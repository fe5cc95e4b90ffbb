"""Postgres change objects: what a ``postgres_changes`` binding delivers.

``InsertChange[Row]``, ``UpdateChange[Row, Old]`` and ``DeleteChange[Old]`` are generic Pydantic
models validated from the ``data`` object of a ``postgres_changes`` message. ``type`` is a
literal, so ``AnyChange[Row, Old]`` narrows on ``change.type``. Inbound models are lenient:
fields the server adds later are kept, not refused.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Generic, Literal, TypeAlias, TypeVar

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AnyChange",
    "ChangeColumn",
    "DeleteChange",
    "InsertChange",
    "OldT",
    "RowT",
    "UpdateChange",
]

RowT = TypeVar("RowT")
OldT = TypeVar("OldT")


class ChangeColumn(BaseModel):
    """A column of the changed table as the server lists it: name and ``pg_type.typname``."""

    model_config: ClassVar[ConfigDict] = ConfigDict(frozen=True, extra="allow")

    name: str
    type: str


class _Change(BaseModel):
    """The fields every change carries: where it happened, when, and the table's columns."""

    model_config: ClassVar[ConfigDict] = ConfigDict(
        frozen=True, extra="allow", populate_by_name=True
    )

    schema_name: str = Field(alias="schema")
    table: str
    commit_timestamp: datetime
    columns: list[ChangeColumn] = Field(default_factory=list[ChangeColumn])
    errors: list[str] | None = None


class InsertChange(_Change, Generic[RowT]):
    """A row was inserted: ``record`` is the new row."""

    type: Literal["INSERT"]
    record: RowT


class UpdateChange(_Change, Generic[RowT, OldT]):
    """A row was updated: ``record`` is the new row, ``old_record`` its replica identity."""

    type: Literal["UPDATE"]
    record: RowT
    old_record: OldT


class DeleteChange(_Change, Generic[OldT]):
    """A row was deleted: ``old_record`` is its replica identity (the primary key by default)."""

    type: Literal["DELETE"]
    old_record: OldT


AnyChange: TypeAlias = InsertChange[RowT] | UpdateChange[RowT, OldT] | DeleteChange[OldT]
