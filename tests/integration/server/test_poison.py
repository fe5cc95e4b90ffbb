"""Poison from one client: frames, tokens and REST bodies the server refuses without harm.

Whatever one client sends, the server logs no traceback, the sender's socket keeps working and
every other socket keeps getting its frames and heartbeat replies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Final

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from realtime_typed.protocol.frames import Frame
from realtime_typed.testing import LocalRealtimeServer

from .wire import RawClient, config, open_client, session_of

TOPIC: Final = "realtime:room"
GOOD: Final = {"type": "broadcast", "event": "e", "payload": {"n": 1}}
DEEP: Final = "[" * 970 + "]" * 970


def _v2(topic: str, event: str, payload_json: str, join_ref: str = "1") -> str:
    return f'["{join_ref}","99","{topic}","{event}",{payload_json}]'


def _kind3(topic: str, payload: bytes) -> bytes:
    header = bytes((3, 1, 2, len(topic), 1, 0, 1))
    return header + b"1" + b"99" + topic.encode() + b"e" + payload


POISON_FRAMES: Final[dict[str, str | bytes]] = {
    "lone surrogate in a broadcast": _v2(
        TOPIC, "broadcast", '{"type":"broadcast","event":"e","payload":{"x":"\\ud800"}}'
    ),
    "lone surrogate in a key": _v2(TOPIC, "broadcast", '{"\\udfff":1}'),
    "lone surrogate in the topic": _v2("realtime:\\ud800", "phx_join", "{}"),
    "lone surrogate in a kind-3 payload": _kind3(TOPIC, b'{"x":"\\ud800"}'),
    "lone surrogate in a presence meta": _v2(
        TOPIC, "presence", '{"type":"presence","event":"track","payload":{"m":"\\udc00"}}'
    ),
    "presence meta nested 970 deep": _v2(
        TOPIC, "presence", '{"type":"presence","event":"track","payload":{"m":' + DEEP + "}}"
    ),
    "NaN": _v2(TOPIC, "broadcast", '{"type":"broadcast","event":"e","payload":{"x":NaN}}'),
    "Infinity": _v2(TOPIC, "broadcast", '{"type":"broadcast","event":"e","payload":[-Infinity]}'),
    "1e400": _v2(TOPIC, "broadcast", '{"type":"broadcast","event":"e","payload":{"x":1e400}}'),
    "NaN in a kind-3 payload": _kind3(TOPIC, b"[NaN]"),
    "nested 100,000 deep": _v2(TOPIC, "broadcast", "[" * 100_000 + "]" * 100_000),
}


async def _alive(client: RawClient) -> None:
    """The socket answers a heartbeat, and nothing came before the reply."""
    await client.nothing_pending()


@pytest.mark.parametrize("poison", POISON_FRAMES.values(), ids=POISON_FRAMES.keys())
async def test_a_poison_frame_is_dropped_and_every_socket_carries_on(
    realtime_server: LocalRealtimeServer, poison: str | bytes, caplog: pytest.LogCaptureFixture
) -> None:
    async with (
        open_client(realtime_server) as sender,
        open_client(realtime_server) as peer,
        open_client(realtime_server, vsn="1.0.0") as old_peer,
    ):
        await sender.joined(TOPIC, config(presence=True))
        await peer.joined(TOPIC, config(presence=True))
        await peer.expect("presence_state", TOPIC)
        await old_peer.joined(TOPIC)
        await sender.expect("presence_state", TOPIC)
        await sender.send_raw(poison)
        await _alive(sender)
        await _alive(peer)
        await _alive(old_peer)
        assert realtime_server.state.malformed_frames == 1
        await sender.send(Frame("1", None, TOPIC, "broadcast", GOOD))
        assert (await peer.recv()).payload == GOOD
        assert (await old_peer.expect("broadcast", TOPIC)).payload == GOOD
    assert not [record for record in caplog.records if record.exc_info]


async def test_a_socket_that_cannot_be_written_is_closed_and_the_others_carry_on(
    realtime_server: LocalRealtimeServer, caplog: pytest.LogCaptureFixture
) -> None:
    async with open_client(realtime_server) as doomed, open_client(realtime_server) as other:
        await doomed.joined(TOPIC)
        await other.joined(TOPIC)
        session_of(realtime_server, doomed).send("\ud800")  # no UTF-8 encoder writes this
        with pytest.raises(ConnectionClosed) as closed:
            await doomed.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1011
        assert "could not be written" in caplog.text
        await _alive(other)


# --------------------------------------------------------------------------- tokens


def signed(secret: str, claims_json: str) -> str:
    """An HS256 JWT of ``claims_json`` as written, signed with ``secret``."""

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    signing_input = b64(b'{"alg":"HS256","typ":"JWT"}') + "." + b64(claims_json.encode())
    signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(signature)


POISON_CLAIMS: Final = {
    "exp 1e400": '{"role":"anon","exp":1e400}',
    "iat NaN": '{"role":"anon","exp":9999999999,"iat":NaN}',
    "exp Infinity": '{"role":"anon","exp":Infinity}',
    "role with a lone surrogate": '{"role":"\\ud800","exp":9999999999}',
}
NOT_A_JWT: Final = "The token provided is not a valid JWT"


@pytest.mark.parametrize("claims", POISON_CLAIMS.values(), ids=POISON_CLAIMS.keys())
async def test_a_signed_token_with_poison_claims_is_malformed_everywhere(
    realtime_server: LocalRealtimeServer, claims: str, caplog: pytest.LogCaptureFixture
) -> None:
    token = signed(realtime_server.jwt_secret, claims)
    with pytest.raises(InvalidStatus) as refused:
        async with open_client(realtime_server, apikey=token):
            pass
    response = refused.value.response
    assert response.status_code == 401
    assert json.loads(response.body or b"") == {"error": NOT_A_JWT}
    async with open_client(realtime_server) as client:
        _, reply = await client.join(TOPIC, config(), access_token=token)
        assert reply.payload == {
            "status": "error",
            "response": {"reason": f"MalformedJWT: {NOT_A_JWT}"},
        }
        join_ref = await client.joined(TOPIC)
        await client.push(TOPIC, "access_token", {"access_token": token}, join_ref)
        system = await client.expect("system", TOPIC)
        assert system.payload["message"] == NOT_A_JWT
        await client.expect("phx_close", TOPIC)
        await _alive(client)
    assert not [record for record in caplog.records if record.exc_info]


# --------------------------------------------------------------------------- REST


REST_POISON: Final = {
    "nested 100,000 deep": b'{"messages":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "lone surrogate": b'{"messages":[{"topic":"room","event":"e","payload":{"x":"\\ud800"}}]}',
    "NaN": b'{"messages":[{"topic":"room","event":"e","payload":{"x":NaN}}]}',
    "1e400": b'{"messages":[{"topic":"room","event":"e","payload":{"x":1e400}}]}',
}


@pytest.mark.parametrize("body", REST_POISON.values(), ids=REST_POISON.keys())
async def test_rest_poison_is_refused_after_authentication(
    realtime_server: LocalRealtimeServer, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    headers = {"Content-Type": "application/json"}
    authorized = {**headers, "apikey": realtime_server.anon_key}
    single = body.replace(b'{"messages":', b'{"wrapped":', 1)
    async with (
        httpx.AsyncClient(base_url=realtime_server.http_url) as http,
        open_client(realtime_server) as listener,
    ):
        await listener.joined("realtime:room")
        for path, sent in (("/api/broadcast", body), ("/api/broadcast/room/events/e", single)):
            anonymous = await http.post(path, content=sent, headers=headers)
            assert (anonymous.status_code, anonymous.json()) == (401, {"message": "Unauthorized"})
            refused = await http.post(path, content=sent, headers=authorized)
            assert (refused.status_code, refused.json()) == (400, {"message": "Bad Request"})
        await _alive(listener)
    assert not [record for record in caplog.records if record.exc_info]
