"""The blocking client's join options against the local server: replication_ready,
postgres_changes_wait with its timeout, and extra join-payload keys given at creation or later."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from psycopg import sql
from pydantic import JsonValue

from realtime_typed import BroadcastMessage, InsertChange, JoinError, SubscribeState
from realtime_typed.local.options import ServerOptions
from realtime_typed.sync import RealtimeClient
from realtime_typed.testing import LocalRealtimeServer

from .helpers import WAIT, Inbox, blocking

Row = dict[str, JsonValue]
SELF_BROADCAST: dict[str, JsonValue] = {"config": {"broadcast": {"self": True, "ack": False}}}
"""Extra join keys the server acts on: the broadcast config is replaced by one with ``self``."""


async def test_replication_ready_brings_the_servers_notice() -> None:
    async with LocalRealtimeServer(options=ServerOptions(replication_ready_timeout=0.1)) as server:

        def scenario() -> None:
            notices: Inbox[dict[str, JsonValue]] = Inbox()
            states: Inbox[SubscribeState] = Inbox()
            with RealtimeClient(server.url, apikey=server.anon_key) as client:
                room = client.channel("room", replication_ready=True)
                room.on_system(notices)
                room.subscribe(lambda state, error: states(state), timeout=WAIT)
                notice = notices.get()
                assert notice["status"] == "error"
                assert notice["message"] == "Replication connection was not established in time"
                while states.get() is not SubscribeState.CLOSED:
                    pass

        await blocking(scenario)


async def test_postgres_changes_wait_without_a_database_refuses_the_join(
    realtime_server: LocalRealtimeServer,
) -> None:
    def scenario() -> None:
        with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
            room = client.channel("room", postgres_changes_wait=True)
            room.on_postgres_changes("INSERT", lambda change: None, table="todos")
            with pytest.raises(JoinError) as refused:
                room.subscribe(timeout=WAIT)
            assert refused.value.code == "RealtimeDisabledForConfiguration"

    await blocking(scenario)


@pytest.mark.postgres
async def test_postgres_changes_wait_misses_no_row_inserted_after_subscribe(
    realtime_server_db: LocalRealtimeServer, postgres_dsn: str
) -> None:
    server = realtime_server_db

    def scenario() -> None:
        name = f"sync_waited_{uuid.uuid4().hex[:8]}"
        table = sql.Identifier(name)
        with psycopg.connect(postgres_dsn, autocommit=True) as db:
            db.execute(sql.SQL("create table {} (id int primary key)").format(table))
            db.execute(sql.SQL("alter publication supabase_realtime add table {}").format(table))
            with RealtimeClient(
                server.url, apikey=server.anon_key, access_token=server.service_key
            ) as client:
                inserts: Inbox[InsertChange[Row]] = Inbox()
                room = client.channel(
                    "db", postgres_changes_wait=True, postgres_changes_timeout=WAIT
                )
                room.on_postgres_changes("INSERT", inserts, table=name)
                room.subscribe()
                db.execute(sql.SQL("insert into {} values (1)").format(table))
                assert inserts.get().record == {"id": 1}

    await blocking(scenario)


async def test_join_payload_keys_reach_the_server(realtime_server: LocalRealtimeServer) -> None:
    def scenario() -> None:
        with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
            got: Inbox[BroadcastMessage[JsonValue]] = Inbox()
            room = client.channel("room", join_payload=SELF_BROADCAST)
            room.on_broadcast("echo", got)
            room.subscribe(timeout=WAIT)
            room.send_broadcast("echo", "to myself")
            assert got.get().payload == "to myself"

    await blocking(scenario)


async def test_update_join_payload_applies_to_the_next_join(
    realtime_server: LocalRealtimeServer,
) -> None:
    def scenario() -> None:
        with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
            got: Inbox[BroadcastMessage[JsonValue]] = Inbox()
            room = client.channel("room")
            room.update_join_payload(SELF_BROADCAST)
            room.on_broadcast("echo", got)
            room.subscribe(timeout=WAIT)
            room.send_broadcast("echo", "updated")
            assert got.get().payload == "updated"

    await blocking(scenario)
