"""REST broadcast through ``http_send``, replay of stored broadcasts, and the persist option."""

from __future__ import annotations

import time
import uuid
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb
from pydantic import JsonValue

from realtime_typed import BroadcastMessage, BroadcastSpec, RealtimeClient
from realtime_typed.errors import PushError
from realtime_typed.testing import LocalRealtimeServer

from .helpers import Inbox

REPLAY_PREFIX = "clientreplay"
READ_POLICY = f"""
drop policy if exists client_replay_read on realtime.messages;
create policy client_replay_read on realtime.messages for select to authenticated using (
  split_part(realtime.topic(), ':', 1) = '{REPLAY_PREFIX}'
);
"""


async def test_http_send_reaches_subscribers(realtime_server: LocalRealtimeServer) -> None:
    url, key = realtime_server.url, realtime_server.anon_key
    async with RealtimeClient(url, apikey=key) as sender, RealtimeClient(url, apikey=key) as peer:
        inbox: Inbox[BroadcastMessage[JsonValue]] = Inbox()
        listening = peer.channel("room:rest")
        listening.on_broadcast("*", inbox)
        await listening.subscribe()
        room = sender.channel("room:rest")
        await room.http_send("cursor", {"x": 1, "label": "é"})
        await room.http_send(BroadcastSpec("typed", dict[str, int]), {"n": 2})
        first, second = await inbox.next(), await inbox.next()
        assert (first.event, first.payload) == ("cursor", {"x": 1, "label": "é"})
        assert (second.event, second.payload) == ("typed", {"n": 2})


async def test_http_send_errors_carry_the_server_message(
    realtime_server: LocalRealtimeServer,
) -> None:
    bad_key = realtime_server.make_token(expires_in=-60)
    async with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
        await client.set_auth(bad_key)
        with pytest.raises(PushError, match="Unauthorized") as raised:
            await client.channel("room").http_send("cursor", {"x": 1})
        assert bad_key not in str(raised.value)


async def test_replay_and_persist_are_refused_on_public_channels(
    realtime_server: LocalRealtimeServer,
) -> None:
    async with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
        with pytest.raises(ValueError, match="replay on public channel 'realtime:room'"):
            client.channel("room", broadcast_replay={"since": 0, "limit": 5})
        with pytest.raises(ValueError, match="unknown replay options"):
            client.channel("room", private=True, broadcast_replay={"since": 0, "max": 5})
        room = client.channel("room")
        with pytest.raises(ValueError, match="private channel"):
            await room.send_broadcast("cursor", {"x": 1}, persist=True)
        with pytest.raises(ValueError, match="private channel"):
            await room.http_send("cursor", {"x": 1}, persist={"ttl": 60})
    async with RealtimeClient(
        realtime_server.url, apikey=realtime_server.anon_key, vsn="1.0.0"
    ) as legacy:
        secret = legacy.channel("secret", private=True)
        with pytest.raises(ValueError, match=r"2\.0\.0 serializer"):
            await secret.send_broadcast("cursor", {"x": 1}, persist=True)


async def test_private_join_replays_stored_broadcasts(
    realtime_server_db: LocalRealtimeServer, postgres_dsn: str
) -> None:
    topic = f"{REPLAY_PREFIX}:{uuid.uuid4().hex[:8]}"
    since = int(time.time() * 1000) - 60_000
    database: psycopg.AsyncConnection[Any]
    async with await psycopg.AsyncConnection.connect(postgres_dsn, autocommit=True) as database:
        await database.execute(READ_POLICY.encode())
        for n in range(3):
            await database.execute(
                "select realtime.send(%s, %s, %s)", (Jsonb({"n": n}), "note", topic)
            )
    server = realtime_server_db
    async with RealtimeClient(
        server.url, apikey=server.anon_key, access_token=server.make_token()
    ) as client:
        inbox: Inbox[BroadcastMessage[JsonValue]] = Inbox()
        channel = client.channel(topic, private=True, broadcast_replay={"since": since, "limit": 2})
        channel.on_broadcast("note", inbox)
        await channel.subscribe()
        replayed = [await inbox.next(), await inbox.next()]
    for message, n in zip(replayed, (1, 2), strict=True):
        assert message.meta is not None and message.meta.replayed
        assert message.payload == {"n": n, "id": message.meta.id}
