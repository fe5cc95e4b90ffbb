"""Broadcast from the database (realtime.send, broadcast_changes) and replay on private channels."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from realtime_typed import (
    BroadcastMessage,
    DatabaseBroadcast,
    DeleteBroadcast,
    InsertBroadcast,
    InvalidMessage,
    RealtimeClient,
    UpdateBroadcast,
)
from realtime_typed.gen.cli import main as realtime_gen
from realtime_typed.protocol.frames import Vsn
from realtime_typed.testing import LocalRealtimeServer

from .raw import join_config, open_socket

WAIT = 5.0


def _topic(prefix: str) -> str:
    return f"{prefix}:{uuid.uuid4().hex[:8]}"


async def _send(
    database: psycopg.AsyncConnection[Any], payload: dict[str, Any], event: str, topic: str
) -> None:
    await database.execute("select realtime.send(%s, %s, %s)", (Jsonb(payload), event, topic))


async def test_realtime_send_reaches_private_channels_only(
    server: LocalRealtimeServer, database: psycopg.AsyncConnection[Any]
) -> None:
    sub_topic = _topic("ro")
    topic = f"realtime:{sub_topic}"
    token = server.make_token()
    vsns: tuple[Vsn, Vsn] = ("2.0.0", "1.0.0")
    async with (
        open_socket(server, token, vsn=vsns[0]) as v2,
        open_socket(server, token, vsn=vsns[1]) as v1,
        open_socket(server, token) as public,
    ):
        await v2.joined(topic, join_config())
        await v1.joined(topic, join_config())
        await public.joined(topic, join_config(private=False))
        await _send(database, {"text": "hi"}, "note", sub_topic)
        for sock in (v2, v1):
            got = await sock.expect("broadcast", topic)
            message_id = got.payload["meta"]["id"]
            assert got.payload == {
                "type": "broadcast",
                "event": "note",
                "payload": {"text": "hi", "id": message_id},
                "meta": {"id": message_id},
            }
        await public.nothing_pending()


async def test_broadcast_changes_from_a_trigger(
    server: LocalRealtimeServer, database: psycopg.AsyncConnection[Any]
) -> None:
    sub_topic = _topic("ro")
    table = f"notes_{uuid.uuid4().hex[:8]}"
    await database.execute(
        f"""
        create table public.{table} (id int primary key, body text);
        create function public.{table}_changes() returns trigger language plpgsql as $$
        begin
          perform realtime.broadcast_changes(
            '{sub_topic}', tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
          return null;
        end $$;
        create trigger {table}_changes after insert on public.{table}
          for each row execute function public.{table}_changes();
        """.encode()
    )
    async with open_socket(server, server.make_token()) as sock:
        await sock.joined(f"realtime:{sub_topic}", join_config())
        await database.execute(f"insert into public.{table} values (1, 'first')".encode())
        got = await sock.expect("broadcast")
        inner = got.payload["payload"]
        assert got.payload["event"] == "INSERT"
        assert (inner["operation"], inner["table"], inner["schema"]) == ("INSERT", table, "public")
        assert (inner["record"], inner["old_record"]) == ({"id": 1, "body": "first"}, None)


async def test_replay_of_stored_broadcasts(
    server: LocalRealtimeServer, database: psycopg.AsyncConnection[Any]
) -> None:
    sub_topic = _topic("ro")
    topic = f"realtime:{sub_topic}"
    for n in range(3):
        await _send(database, {"n": n}, "tick", sub_topic)
    async with open_socket(server, server.make_token()) as sock:
        await sock.joined(topic, join_config(replay={"since": 0, "limit": 2}))
        replayed = [await sock.expect("broadcast", topic) for _ in range(2)]
        assert [frame.payload["payload"]["n"] for frame in replayed] == [1, 2]
        for frame in replayed:
            assert frame.payload["meta"] == {
                "replayed": True,
                "id": frame.payload["payload"]["id"],
            }
        await sock.nothing_pending()


async def test_replay_refusals(server: LocalRealtimeServer) -> None:
    async with open_socket(server, server.make_token()) as sock:
        public = await sock.join("realtime:ro:x", join_config(private=False, replay={"since": 0}))
        invalid = await sock.join("realtime:ro:y", join_config(replay={"since": "yesterday"}))
        unreadable = await sock.join("realtime:nope:z", join_config(replay={"since": 0}))
    assert public.payload["response"]["reason"] == (
        "UnableToReplayMessages: Replay is not allowed for public channels"
    )
    assert invalid.payload["response"]["reason"] == (
        "UnableToReplayMessages: Replay params are not valid"
    )
    assert unreadable.payload["response"]["reason"].startswith("Unauthorized: ")


def _load(path: Path) -> ModuleType:
    name = f"database_broadcast_{uuid.uuid4().hex[:8]}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


async def test_generated_key_types_broadcast_changes(
    server: LocalRealtimeServer, database: psycopg.AsyncConnection[Any], tmp_path: Path
) -> None:
    """A row trigger's ``broadcast_changes`` arrives as the table's Row and Old, by operation."""
    suffix = "".join(chr(ord("a") + int(digit, 16)) for digit in uuid.uuid4().hex[:8])
    table = f"notes_{suffix}"
    sub_topic = f"ro:{suffix}"
    schema = tmp_path / "schema.sql"
    schema.write_text(
        f"create table public.{table} (id int primary key, body text not null, tags text[]);\n"
    )
    output = tmp_path / "types.py"
    assert realtime_gen(["--tables", str(schema), "-o", str(output)]) == 0
    notes = getattr(_load(output), f"Notes{suffix.capitalize()}")
    await database.execute(
        schema.read_text().encode()
        + f"""
        create function public.{table}_changes() returns trigger language plpgsql as $$
        begin
          perform realtime.broadcast_changes(
            '{sub_topic}', tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
          return null;
        end $$;
        create trigger {table}_changes after insert or update or delete on public.{table}
          for each row execute function public.{table}_changes();
        """.encode()
    )
    received: asyncio.Queue[BroadcastMessage[DatabaseBroadcast[Any, Any]]] = asyncio.Queue()
    errors: list[Exception] = []
    async with RealtimeClient(
        server.url, apikey=server.anon_key, access_token=server.make_token()
    ) as client:
        client.on_error(errors.append)
        channel = client.channel(sub_topic, private=True)
        channel.on_broadcast(notes.broadcast, received.put_nowait)
        await channel.subscribe()
        await database.execute(f"insert into public.{table} values (1, 'first', '{{a}}')".encode())
        await database.execute(f"update public.{table} set body = 'second'".encode())
        await database.execute(f"delete from public.{table}".encode())
        inserted, updated, deleted = [
            await asyncio.wait_for(received.get(), WAIT) for _ in range(3)
        ]
    assert [m.event for m in (inserted, updated, deleted)] == ["INSERT", "UPDATE", "DELETE"]
    first = notes.Row(id=1, body="first", tags=["a"])
    assert isinstance(inserted.payload, InsertBroadcast)
    assert (inserted.payload.record, inserted.payload.old_record) == (first, None)
    assert (inserted.payload.schema_name, inserted.payload.table) == ("public", table)
    assert isinstance(inserted.payload.id, str)
    assert isinstance(updated.payload, UpdateBroadcast)
    assert updated.payload.record == notes.Row(id=1, body="second", tags=["a"])
    assert updated.payload.old_record == notes.Old(id=1, body="first", tags=["a"])
    assert isinstance(deleted.payload, DeleteBroadcast)
    assert deleted.payload.record is None
    assert deleted.payload.old_record == notes.Old(id=1, body="second", tags=["a"])
    assert errors == []


async def test_a_payload_that_is_not_the_table_is_reported(
    server: LocalRealtimeServer, database: psycopg.AsyncConnection[Any], tmp_path: Path
) -> None:
    """A broadcast on the topic that is not a row of the table reaches ``on_error``, not the key."""
    schema = tmp_path / "schema.sql"
    schema.write_text("create table public.jots (id int primary key);\n")
    output = tmp_path / "types.py"
    assert realtime_gen(["--tables", str(schema), "-o", str(output)]) == 0
    jots = _load(output).Jots
    sub_topic = _topic("ro")
    received: list[BroadcastMessage[Any]] = []
    errors: asyncio.Queue[Exception] = asyncio.Queue()
    async with RealtimeClient(
        server.url, apikey=server.anon_key, access_token=server.make_token()
    ) as client:
        client.on_error(errors.put_nowait)
        channel = client.channel(sub_topic, private=True)
        channel.on_broadcast(jots.broadcast.with_event("jot"), received.append)
        await channel.subscribe()
        await _send(database, {"operation": "INSERT", "record": {"id": "x"}}, "jot", sub_topic)
        error = await asyncio.wait_for(errors.get(), WAIT)
    assert isinstance(error, InvalidMessage)
    assert error.event == "jot"
    assert received == []
