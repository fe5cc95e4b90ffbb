"""Postgres changes on a channel: bindings, routing by id, typed decoding, reported failures."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from psycopg import sql
from pydantic import BaseModel

from realtime_typed import (
    AnyChange,
    ChangeSpec,
    ChannelError,
    Column,
    InsertChange,
    RealtimeClient,
    SubscribeState,
    UpdateChange,
)
from realtime_typed.client import InvalidMessage
from realtime_typed.testing import LocalRealtimeServer

from .helpers import WAIT, Inbox, States
from .scripted import changes_frame, scripted_server

TOPIC = "realtime:db"


class Todo(BaseModel):
    id: int
    title: str
    price: Decimal | None = None


class TodoKey(BaseModel):
    id: int


TODO_INSERT = ChangeSpec.insert("public", "todos", Todo)
TODO_UPDATE = ChangeSpec.update("public", "todos", Todo, TodoKey)
TODO_ID: Column[int] = Column("id")


def change(kind: str, **fields: Any) -> dict[str, Any]:
    return {
        "schema": "public",
        "table": "todos",
        "commit_timestamp": "2026-01-01T00:00:00.000Z",
        "type": kind,
        "columns": [{"name": "id", "type": "int4"}, {"name": "title", "type": "text"}],
        "errors": None,
        **fields,
    }


async def test_bindings_ids_routing_and_typed_changes() -> None:
    async with scripted_server() as server, RealtimeClient(server.url, apikey="k") as client:
        errors: Inbox[Exception] = Inbox()
        client.on_error(errors)
        inserts: Inbox[InsertChange[Todo]] = Inbox()
        updates: Inbox[UpdateChange[Todo, TodoKey]] = Inbox()
        anything: Inbox[AnyChange[Any, Any]] = Inbox()
        room = client.channel("db")
        room.on_postgres_changes(TODO_INSERT, inserts)
        room.on_postgres_changes(TODO_UPDATE, updates, filter=TODO_ID.eq(1))
        room.on_postgres_changes("*", anything, table="todos")
        room.on_postgres_changes("*", anything, table="todos")
        await room.subscribe()
        join = await server.expect("phx_join")
        assert join.payload["config"]["postgres_changes"] == [
            {"event": "INSERT", "schema": "public", "table": "todos"},
            {"event": "UPDATE", "schema": "public", "table": "todos", "filter": "id=eq.1"},
            {"event": "*", "schema": "public", "table": "todos"},
        ]
        row = {"id": 1, "title": "a", "price": Decimal("1.10")}
        await server.send_raw(changes_frame(TOPIC, [100, 102], change("INSERT", record=row)))
        update = change("UPDATE", record=row, old_record={"id": 1})
        await server.send_raw(changes_frame(TOPIC, [101], update))
        inserted = await inserts.next()
        assert inserted.record == Todo(id=1, title="a", price=Decimal("1.10"))
        assert (await anything.next()).type == "INSERT"
        assert (await updates.next()).old_record == TodoKey(id=1)
        assert len(anything.items) == 2

        bad = change("INSERT", record={"id": "x"})
        await server.send_raw(changes_frame(TOPIC, [100], bad))
        invalid = await errors.next()
        assert isinstance(invalid, InvalidMessage)
        assert invalid.data == bad
        refused = change("INSERT", record={}, errors=["Error 413: Payload Too Large"])
        await server.send_raw(changes_frame(TOPIC, [100], refused))
        reported = await errors.next()
        assert isinstance(reported, InvalidMessage)
        assert "413" in str(reported)
        assert len(inserts.items) == 1


async def test_untyped_changes_stream_keeps_decimals() -> None:
    async with scripted_server() as server, RealtimeClient(server.url, apikey="k") as client:
        room = client.channel("db")
        stream = room.changes("INSERT", table="todos")
        await room.subscribe()
        row = {"id": 1, "price": Decimal("12345678901234567890.123456789")}
        await server.send_raw(changes_frame(TOPIC, [100], change("INSERT", record=row)))
        got = await asyncio.wait_for(anext(stream), WAIT)
        assert got.type == "INSERT"
        assert got.record == row


async def test_binding_mismatch_errors_then_closes() -> None:
    async with scripted_server() as server, RealtimeClient(server.url, apikey="k") as client:
        server.mangle_bindings = True
        states = States()
        room = client.channel("db")
        room.on_postgres_changes("INSERT", lambda change: None, table="todos")
        with pytest.raises(ChannelError, match="mismatch between server and client bindings"):
            await room.subscribe(states)
        await states.until(SubscribeState.CLOSED)
        assert [state for state, _ in states.seen] == [
            SubscribeState.CHANNEL_ERROR,
            SubscribeState.CLOSED,
        ]


@pytest.mark.postgres
async def test_real_database_changes_reach_typed_listeners(
    realtime_server_db: LocalRealtimeServer, postgres_dsn: str
) -> None:
    table = f"todos_{uuid.uuid4().hex[:8]}"
    async with await psycopg.AsyncConnection.connect(postgres_dsn, autocommit=True) as db:
        name = sql.Identifier(table)
        await db.execute(
            sql.SQL(
                "create table {} (id int primary key, title text not null, price numeric)"
            ).format(name)
        )
        await db.execute(sql.SQL("alter publication supabase_realtime add table {}").format(name))
        spec = ChangeSpec.insert("public", table, Todo)
        server = realtime_server_db
        async with RealtimeClient(
            server.url, apikey=server.anon_key, access_token=server.service_key
        ) as client:
            ready = asyncio.Event()
            inserts: Inbox[InsertChange[Todo]] = Inbox()
            room = client.channel("db")
            room.on_system(lambda payload: ready.set())
            room.on_postgres_changes(spec, inserts, filter=TODO_ID.eq(2))
            await room.subscribe()
            await asyncio.wait_for(ready.wait(), WAIT)
            insert = sql.SQL("insert into {} values (%s, %s, %s)").format(name)
            await db.execute(insert, (1, "skip", None))
            await db.execute(insert, (2, "keep", Decimal("0.10000000000000000001")))
            inserted = await inserts.next()
            assert inserted.record == Todo(
                id=2, title="keep", price=Decimal("0.10000000000000000001")
            )
            assert inserts.items == [inserted]
