"""Type tests of a generated module's table keys: checked by mypy and pyright, never run.

``assert_type`` states what must hold; each ``# type: ignore[code]`` marks a misuse that must
stay an error (both checkers report an unused ignore, so a misuse that starts to type-check
fails the check).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import assert_type
from uuid import UUID

from strict_app import Orders, Status
from typed_app import (
    Address,
    AllTypes,
    AuditEvents,
    Memberships,
    Mood,
    NoPk,
    Todos,
    WeirdNames,
)

from realtime_typed import (
    AnyChange,
    BoolColumn,
    BroadcastMessage,
    BroadcastSpec,
    ChangeSpec,
    Column,
    DatabaseBroadcast,
    DeleteBroadcast,
    DeleteChange,
    Filter,
    InsertBroadcast,
    InsertChange,
    NullColumn,
    RealtimeClient,
    TextColumn,
    UpdateBroadcast,
    UpdateChange,
)


def keys() -> None:
    assert_type(Todos.insert, ChangeSpec[InsertChange[Todos.Row]])
    assert_type(Todos.update, ChangeSpec[UpdateChange[Todos.Row, Todos.Old]])
    assert_type(Todos.delete, ChangeSpec[DeleteChange[Todos.Old]])
    assert_type(Todos.all, ChangeSpec[AnyChange[Todos.Row, Todos.Old]])
    assert_type(AuditEvents.insert, ChangeSpec[InsertChange[AuditEvents.Row]])


def columns() -> None:
    assert_type(Todos.c.id, Column[int])
    assert_type(Todos.c.user_id, Column[UUID])
    assert_type(Todos.c.mood, Column[Mood])
    assert_type(Todos.c.inserted_at.gt(datetime(2024, 1, 1)), Filter)
    assert_type(Todos.c.id.in_([1, 2, 3]), Filter)
    assert_type(WeirdNames.c.user_id, Column[int])
    Todos.c.done.eq(True)
    Todos.c.mood.eq("happy")
    _ = Todos.c.owner  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType, reportUnknownVariableType]
    Todos.c.id.eq("42")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    Todos.c.mood.eq("grumpy")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    Todos.c.user_id.in_(["not-a-uuid"])  # type: ignore[list-item]  # pyright: ignore[reportArgumentType]
    Todos.c.title.like(42)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    Todos.c.id.like("4%")  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType]


def filter_classes() -> None:
    """Each column offers only the filters the server evaluates correctly on its type."""
    assert_type(Todos.c.title, TextColumn)
    assert_type(Todos.c.done, BoolColumn)
    assert_type(AllTypes.c.c_point, NullColumn)
    assert_type(AllTypes.c.c_bytea, Column[bytes])
    assert_type(AllTypes.c.c_varchar, Column[str])
    assert_type(AllTypes.c.c_char, NullColumn)
    Todos.c.done.is_("true")
    AllTypes.c.c_point.is_(None)
    _ = Todos.c.labels  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType, reportUnknownVariableType]
    _ = Todos.c.address  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType, reportUnknownVariableType]
    _ = AllTypes.c.c_jsonb  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType, reportUnknownVariableType]
    AllTypes.c.c_point.eq("(1,2)")  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType]
    AllTypes.c.c_varchar.like("a%")  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType]
    AllTypes.c.c_tsvector.lt("a")  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType]
    Todos.c.title.is_("true")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


def strict_enums(row: Orders.Row, default: Todos.Row) -> None:
    """Under --strict-enums rows hold the Literal alone; by default ``Alias | str``."""
    assert_type(row.status, Status)
    assert_type(row.previous, Status | None)
    assert_type(row.history, list[Status | None] | None)
    assert_type(default.mood, Mood | str | None)
    _ = row.status == "shiped"  # type: ignore[comparison-overlap]  # pyright: ignore[reportUnnecessaryComparison]
    _ = default.mood == "shiped"
    Orders.c.status.eq("shiped")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


def rows(row: Todos.Row, old: Todos.Old, event: AuditEvents.Row) -> None:
    assert_type(row.id, int)
    assert_type(row.title, str)
    assert_type(row.priority, int)
    assert_type(row.mood, Mood | str | None)
    assert_type(row.moods, list[Mood | str | None] | None)
    assert_type(row.address, Address | None)
    assert_type(row.total, Decimal | None)
    assert_type(old.id, int)
    assert_type(old.title, str | None)
    assert_type(event.at, datetime)
    _ = row.nope  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType, reportUnknownVariableType]
    row.title = "changed"  # type: ignore[misc]


def identities(membership: Memberships.Old, loose: NoPk.Old) -> None:
    assert_type(membership.org_id, int)
    assert_type(membership.user_id, UUID)
    assert_type(membership.role, str | None)
    assert_type(loose.a, int | None)
    assert_type(loose.b, str | None)


def on_insert(change: InsertChange[Todos.Row]) -> None:
    assert_type(change.record.title, str)
    assert_type(change.commit_timestamp, datetime)
    _ = change.old_record  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType, reportUnknownVariableType]


def on_update(change: UpdateChange[Todos.Row, Todos.Old]) -> None:
    assert_type(change.old_record.id, int)


def on_delete(change: DeleteChange[Todos.Old]) -> None:
    assert_type(change.old_record.id, int)
    _ = change.record  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType, reportUnknownVariableType]


def on_any(change: AnyChange[Todos.Row, Todos.Old]) -> None:
    if change.type == "INSERT":
        assert_type(change, InsertChange[Todos.Row])
        assert_type(change.record.done, bool)
        _ = change.old_record  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType, reportUnknownVariableType]
    elif change.type == "DELETE":
        assert_type(change.old_record.title, str | None)
        _ = change.record  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType, reportUnknownVariableType]
    else:
        assert_type(change, UpdateChange[Todos.Row, Todos.Old])


def on_audit(change: InsertChange[AuditEvents.Row]) -> None:
    del change


def channel_bindings(client: RealtimeClient) -> None:
    ch = client.channel("db-changes")
    ch.on_postgres_changes(Todos.insert, on_insert)
    ch.on_postgres_changes(Todos.update, on_update, filter=Todos.c.user_id.eq(UUID(int=1)))
    ch.on_postgres_changes(Todos.delete, on_delete)
    ch.on_postgres_changes(Todos.all, on_any)
    ch.on_postgres_changes(Todos.delete, on_insert)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType, reportCallIssue]
    ch.on_postgres_changes(Todos.insert, on_delete)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType, reportCallIssue]
    ch.on_postgres_changes(Todos.insert, on_audit)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType, reportCallIssue]


def on_database_broadcast(
    message: BroadcastMessage[DatabaseBroadcast[Todos.Row, Todos.Old]],
) -> None:
    change = message.payload
    assert_type(change.table, str)
    if change.operation == "INSERT":
        assert_type(change, InsertBroadcast[Todos.Row])
        assert_type(change.record.done, bool)
        assert_type(change.old_record, None)
    elif change.operation == "UPDATE":
        assert_type(change, UpdateBroadcast[Todos.Row, Todos.Old])
        assert_type(change.old_record.title, str | None)
    else:
        assert_type(change, DeleteBroadcast[Todos.Old])
        assert_type(change.old_record.id, int)
        assert_type(change.record, None)
    _ = change.operation == "TRUNCATE"  # type: ignore[comparison-overlap]  # pyright: ignore[reportUnnecessaryComparison]
    _ = change.record.nope  # type: ignore[union-attr]  # pyright: ignore[reportAttributeAccessIssue, reportOptionalMemberAccess, reportUnknownMemberType, reportUnknownVariableType]


def on_audit_broadcast(
    message: BroadcastMessage[DatabaseBroadcast[AuditEvents.Row, AuditEvents.Old]],
) -> None:
    del message


def database_broadcasts(client: RealtimeClient) -> None:
    assert_type(Todos.broadcast, BroadcastSpec[DatabaseBroadcast[Todos.Row, Todos.Old]])
    assert_type(
        Todos.broadcast.with_event("INSERT"),
        BroadcastSpec[DatabaseBroadcast[Todos.Row, Todos.Old]],
    )
    ch = client.channel("todos:1", private=True)
    ch.on_broadcast(Todos.broadcast, on_database_broadcast)
    ch.on_broadcast(Todos.broadcast, on_audit_broadcast)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType, reportCallIssue]


def missing_table() -> None:
    from typed_app import Todo  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue, reportUnknownVariableType]

    del Todo
