"""Private channels under real RLS: realtime-js and realtime-py beside realtime-typed.

The policies below, on ``realtime.messages`` for role ``authenticated``, allow reading and writing
topics whose first part is ``peers`` and nothing else. They coexist with other tests' policies
(policies of one command are OR-ed, and no other test uses the ``peers`` prefix).
"""

from __future__ import annotations

import json
import uuid

import psycopg
import pytest

from realtime_typed import JoinError
from realtime_typed.protocol.frames import Vsn
from realtime_typed.testing import LocalRealtimeServer

from .js_peer import JsPeer
from .official_peer import OfficialPeer
from .peer import JsonObject, Received
from .typed_peer import TypedPeer

pytestmark = [pytest.mark.peers, pytest.mark.postgres]

POLICIES = """
drop policy if exists peers_read on realtime.messages;
drop policy if exists peers_write on realtime.messages;
create policy peers_read on realtime.messages for select to authenticated
  using (split_part(realtime.topic(), ':', 1) = 'peers');
create policy peers_write on realtime.messages for insert to authenticated
  with check (split_part(realtime.topic(), ':', 1) = 'peers');
"""


@pytest.fixture
async def server(realtime_server_db: LocalRealtimeServer, postgres_dsn: str) -> LocalRealtimeServer:
    """A server wired to the database, with the ``peers:*`` policies in place."""
    async with await psycopg.AsyncConnection.connect(postgres_dsn, autocommit=True) as conn:
        await conn.execute(POLICIES.encode())
    return realtime_server_db


def _topic(prefix: str) -> str:
    return f"{prefix}:{uuid.uuid4().hex[:8]}"


@pytest.mark.parametrize("vsn", ["1.0.0", "2.0.0"])
async def test_realtime_js_and_realtime_typed_exchange_broadcasts_on_a_private_channel(
    server: LocalRealtimeServer, vsn: Vsn
) -> None:
    topic, token = _topic("peers"), server.make_token()
    to_js: JsonObject = {"from": "typed", "n": 1}
    to_typed: JsonObject = {"from": "js", "n": 2}
    async with (
        TypedPeer.open(server.url, server.anon_key, vsn, token=token) as typed,
        JsPeer.open(server.url, server.anon_key, vsn, token=token) as js,
    ):
        await typed.join(topic, private=True)
        await js.join(topic, private=True)

        await typed.send(topic, "hello", to_js)
        assert await js.broadcasts.take(lambda _m: True) == Received(topic, "hello", to_js)
        await js.send(topic, "hello", to_typed)
        assert await typed.broadcasts.take(lambda _m: True) == Received(topic, "hello", to_typed)


async def test_a_denied_private_join_gives_every_client_the_same_reason(
    server: LocalRealtimeServer,
) -> None:
    topic, token = _topic("closed"), server.make_token()
    reason = f"Unauthorized: You do not have permissions to read from this Channel topic: {topic}"

    async with TypedPeer.open(server.url, server.anon_key, "2.0.0", token=token) as typed:
        with pytest.raises(JoinError) as refused:
            await typed.join(topic, private=True)
    async with JsPeer.open(server.url, server.anon_key, "2.0.0", token=token) as js:
        js_status = await js.subscribe(topic, private=True)
    async with OfficialPeer.open(server.url, server.anon_key, token=token) as python:
        python_state, python_error = await python.subscribe(topic, private=True)

    assert (refused.value.code, refused.value.reason) == ("Unauthorized", reason)
    assert (js_status["status"], js_status["error"]) == ("CHANNEL_ERROR", reason)
    assert python_state == "CHANNEL_ERROR"
    assert json.loads(str(python_error)) == {"reason": reason}


async def test_rest_broadcasts_from_the_official_clients_reach_realtime_typed(
    server: LocalRealtimeServer,
) -> None:
    """realtime-js ``httpSend`` and ``send()`` before joining (its batch fallback), and
    realtime-py ``http_send``, each to a private topic; realtime-typed receives all three."""
    topic, token = _topic("peers"), server.make_token()
    async with (
        TypedPeer.open(server.url, server.anon_key, "2.0.0", token=token) as typed,
        JsPeer.open(server.url, server.anon_key, "2.0.0", token=token) as js,
        OfficialPeer.open(server.url, server.anon_key, token=token) as python,
    ):
        await typed.join(topic, private=True)

        sent = await js.rest_send(topic, "rest", {"via": "httpSend"}, private=True, via="httpSend")
        assert sent == {"success": True}
        assert await js.rest_send(topic, "rest", {"via": "send"}, private=True, via="send") == "ok"
        await python.http_send(topic, "rest", {"via": "http_send"}, private=True)

        received = [await typed.broadcasts.take(lambda _m: True) for _ in range(3)]
        assert received == [
            Received(topic, "rest", {"via": via}) for via in ("httpSend", "send", "http_send")
        ]
