"""Broadcast from the database (realtime.send, broadcast_changes) and replay on private channels."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from realtime_typed.protocol.frames import Vsn
from realtime_typed.testing import LocalRealtimeServer

from .raw import join_config, open_socket


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
