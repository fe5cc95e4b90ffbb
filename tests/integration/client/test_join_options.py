"""Join options: replication_ready, postgres_changes_options (wait, timeout), extra payload keys.

The join payload is checked on a scripted server (it keeps every frame a client sends); what
the server does with the options is checked on the local server, with and without a database.
"""

from __future__ import annotations

import uuid

import psycopg
import pytest
from psycopg import sql
from pydantic import JsonValue

from realtime_typed import InsertChange, JoinError, RealtimeClient, SubscribeState
from realtime_typed.local.options import ServerOptions
from realtime_typed.testing import LocalRealtimeServer

from .helpers import Inbox, States
from .scripted import scripted_server

Row = dict[str, JsonValue]


async def test_join_payload_carries_the_options_and_extra_keys() -> None:
    async with scripted_server() as server, RealtimeClient(server.url, apikey="k") as client:
        plain = client.channel("plain")
        await plain.subscribe()
        assert (await server.expect("phx_join")).payload == {
            "config": {
                "broadcast": {"ack": False, "self": False},
                "presence": {"key": "", "enabled": False},
                "postgres_changes": [],
                "private": False,
            }
        }
        room = client.channel(
            "room",
            replication_ready=True,
            postgres_changes_wait=True,
            postgres_changes_timeout=5.0,
            join_payload={"config": {"future": 1}, "tag": "a"},
        )
        room.on_postgres_changes("INSERT", lambda change: None, table="todos")
        room.update_join_payload({"config": {"later": True}, "tag": "b"})
        await room.subscribe()
        payload = (await server.expect("phx_join")).payload
        assert payload["tag"] == "b"
        config = payload["config"]
        assert config["broadcast"] == {"ack": False, "self": False, "replication_ready": True}
        assert config["postgres_changes_options"] == {"wait": True, "timeout": 5000}
        assert (config["future"], config["later"]) == (1, True)
        assert config["postgres_changes"] == [
            {"event": "INSERT", "schema": "public", "table": "todos"}
        ]


async def test_the_join_timeout_covers_the_servers_wait() -> None:
    async with scripted_server() as server, RealtimeClient(server.url, apikey="k") as client:
        room = client.channel("room", postgres_changes_wait=True, postgres_changes_timeout=2.0)
        room.on_postgres_changes("*", lambda change: None)
        assert room._join_timeout(None) == 12.0  # pyright: ignore[reportPrivateUsage]
        assert room._join_timeout(30.0) == 30.0  # pyright: ignore[reportPrivateUsage]
        bare = client.channel("bare", postgres_changes_wait=True)
        assert bare._join_timeout(None) is None  # pyright: ignore[reportPrivateUsage]


async def test_wait_without_a_database_refuses_the_join(
    realtime_server: LocalRealtimeServer,
) -> None:
    url, key = realtime_server.url, realtime_server.anon_key
    async with RealtimeClient(url, apikey=key) as client:
        room = client.channel("room", postgres_changes_wait=True)
        room.on_postgres_changes("INSERT", lambda change: None, table="todos")
        with pytest.raises(JoinError) as refused:
            await room.subscribe()
        assert refused.value.code == "RealtimeDisabledForConfiguration"


async def test_replication_ready_without_a_database_shuts_the_channel_down() -> None:
    options = ServerOptions(replication_ready_timeout=0.1)
    async with LocalRealtimeServer(options=options) as server:
        states = States()
        notices: Inbox[dict[str, JsonValue]] = Inbox()
        async with RealtimeClient(server.url, apikey=server.anon_key) as client:
            room = client.channel("room", replication_ready=True)
            room.on_system(notices)
            await room.subscribe(states)
            notice = await notices.next()
            assert notice["status"] == "error"
            assert notice["message"] == "Replication connection was not established in time"
            await states.until(SubscribeState.CLOSED)


@pytest.mark.postgres
async def test_wait_and_replication_ready_on_a_database(
    realtime_server_db: LocalRealtimeServer, postgres_dsn: str
) -> None:
    """With ``wait``, a row inserted right after ``subscribe()`` returns is never missed."""
    table = f"waited_{uuid.uuid4().hex[:8]}"
    server = realtime_server_db
    async with await psycopg.AsyncConnection.connect(postgres_dsn, autocommit=True) as db:
        name = sql.Identifier(table)
        await db.execute(sql.SQL("create table {} (id int primary key)").format(name))
        await db.execute(sql.SQL("alter publication supabase_realtime add table {}").format(name))
        async with RealtimeClient(
            server.url, apikey=server.anon_key, access_token=server.service_key
        ) as client:
            notices: Inbox[dict[str, JsonValue]] = Inbox()
            inserts: Inbox[InsertChange[Row]] = Inbox()
            room = client.channel("db", postgres_changes_wait=True, replication_ready=True)
            room.on_system(notices)
            room.on_postgres_changes("INSERT", inserts, table=table)
            await room.subscribe()
            await db.execute(sql.SQL("insert into {} values (1)").format(name))
            assert (await inserts.next()).record == {"id": 1}
            while len(notices.items) < 2:
                await notices.next()
            assert {(notice["extension"], notice["message"]) for notice in notices.items} == {
                ("system", "Replication connection established"),
                ("postgres_changes", "Subscribed to PostgreSQL"),
            }


@pytest.mark.postgres
async def test_wait_on_a_table_outside_the_publication_refuses_the_join(
    realtime_server_db: LocalRealtimeServer,
) -> None:
    server = realtime_server_db
    async with RealtimeClient(
        server.url, apikey=server.anon_key, access_token=server.service_key
    ) as client:
        room = client.channel("db", postgres_changes_wait=True)
        room.on_postgres_changes("INSERT", lambda change: None, table="no_such_table")
        with pytest.raises(JoinError) as refused:
            await room.subscribe()
        assert refused.value.code == "RealtimeDisabledForConfiguration"
