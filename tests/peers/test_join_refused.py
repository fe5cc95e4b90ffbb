"""A join the server refuses looks the same to realtime-typed, realtime-py and realtime-js."""

from __future__ import annotations

import json

import pytest

from realtime_typed import JoinError, RealtimeClient
from realtime_typed.testing import LocalRealtimeServer

from .js_peer import JsPeer
from .official_peer import OfficialPeer

pytestmark = pytest.mark.peers

TOPIC = "room:refused"
EXPIRED = "InvalidJWTToken: Token has expired"


async def test_an_expired_access_token_is_refused_with_the_same_reason(
    realtime_server: LocalRealtimeServer,
) -> None:
    url, apikey = realtime_server.url, realtime_server.anon_key
    expired = realtime_server.make_token(role="authenticated", expires_in=-60)

    async with RealtimeClient(url, apikey=apikey, access_token=expired) as client:
        with pytest.raises(JoinError) as refused:
            await client.channel(TOPIC).subscribe()
    async with JsPeer.open(url, apikey, "2.0.0", token=expired) as js:
        js_status = await js.subscribe(TOPIC)
        [js_reply] = js.inbound("phx_reply")
    async with OfficialPeer.open(url, apikey, token=expired) as python:
        python_state, python_error = await python.subscribe(TOPIC)

    assert refused.value.code == "InvalidJWTToken"
    assert refused.value.reason.startswith(EXPIRED)
    assert js_status["status"] == "CHANNEL_ERROR"
    assert str(js_status["error"]).startswith(EXPIRED)
    assert js_reply.payload["status"] == "error"
    assert python_state == "CHANNEL_ERROR"
    assert json.loads(str(python_error))["reason"].startswith(EXPIRED)
