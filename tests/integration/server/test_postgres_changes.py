"""Postgres changes through the socket: subscription notices, change pushes, refresh, leave."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest
from psycopg import sql

from realtime_typed.local.channels.join_config import binding_id
from realtime_typed.testing import LocalRealtimeServer

from .wire import RawClient, config, open_client

pytestmark = pytest.mark.postgres


async def _table(dsn: str) -> str:
    name = f"todos_{uuid.uuid4().hex[:8]}"
    table = sql.Identifier("public", name)
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as connection:
        await connection.execute(
            sql.SQL("create table {} (id int primary key, title text)").format(table)
        )
        await connection.execute(
            sql.SQL("alter publication supabase_realtime add table {}").format(table)
        )
    return name


async def _insert(dsn: str, table: str, row_id: int, title: str) -> None:
    statement = sql.SQL("insert into {} values (%s, %s)").format(sql.Identifier("public", table))
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as connection:
        await connection.execute(statement, (row_id, title))


async def _system(client: RawClient, topic: str) -> dict[str, Any]:
    frame = await client.expect("system", topic, wait=30)
    payload: dict[str, Any] = frame.payload
    return payload


async def test_changes_are_pushed_to_the_subscribed_channel(
    realtime_server_db: LocalRealtimeServer, postgres_dsn: str
) -> None:
    table = await _table(postgres_dsn)
    binding = {"event": "INSERT", "schema": "public", "table": table}
    topic = f"realtime:{table}"
    async with open_client(realtime_server_db) as client:
        join_ref, reply = await client.join(topic, config(postgres_changes=[binding]))
        assert reply.payload["response"]["postgres_changes"] == [
            {**binding, "id": binding_id(binding)}
        ]
        assert await _system(client, topic) == {
            "extension": "postgres_changes",
            "status": "ok",
            "message": "Subscribed to PostgreSQL",
            "channel": table,
        }
        await _insert(postgres_dsn, table, 1, "milk")
        change = await client.expect("postgres_changes", topic, wait=30)
        assert (change.join_ref, change.ref) == (None, None)
        assert change.payload["ids"] == [binding_id(binding)]
        data = change.payload["data"]
        assert (data["type"], data["table"], data["record"]) == (
            "INSERT",
            table,
            {"id": 1, "title": "milk"},
        )

        fresh = realtime_server_db.make_token("authenticated", sub="user-2")
        await client.push(topic, "access_token", {"access_token": fresh}, join_ref)
        assert (await _system(client, topic))["message"] == "Subscribed to PostgreSQL"

        await client.push(topic, "phx_leave", {}, join_ref)
        await client.expect("phx_reply", topic)
        await client.expect("phx_close", topic)
        await client.joined("realtime:after", config(postgres_changes=[binding]))
        assert (await _system(client, "realtime:after"))["status"] == "ok"
        await _insert(postgres_dsn, table, 3, "tea")
        late = await client.expect("postgres_changes", "realtime:after", wait=30)
        assert late.payload["data"]["record"]["id"] == 3
        await client.nothing_pending()


async def test_a_bad_binding_gets_a_system_error(
    realtime_server_db: LocalRealtimeServer, postgres_dsn: str
) -> None:
    table = await _table(postgres_dsn)
    binding = {"event": "*", "schema": "public", "table": table, "filter": "id"}
    async with open_client(realtime_server_db) as client:
        await client.joined("realtime:bad", config(postgres_changes=[binding]))
        notice = await _system(client, "realtime:bad")
        assert (notice["extension"], notice["status"], notice["channel"]) == (
            "postgres_changes",
            "error",
            "bad",
        )
        assert notice["message"].startswith("Error parsing `filter` params")
