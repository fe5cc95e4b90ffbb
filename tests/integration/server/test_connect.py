"""The socket upgrade: token sources, paths, vsn, and every refusal's status and body."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from realtime_typed.protocol.frames import Vsn
from realtime_typed.testing import LocalRealtimeServer

from .wire import open_client, socket_url


def _token(secret: str, claims: dict[str, Any], algorithm: str = "HS256") -> str:
    return jwt.encode(claims, secret, algorithm=algorithm)


async def _refusal(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url, additional_headers=headers):
            pass
    response = refused.value.response
    return response.status_code, response.body


def _refusal_cases(server: LocalRealtimeServer) -> dict[str, tuple[str, int, str]]:
    now = int(time.time())
    secret = server.jwt_secret
    return {
        "expired": (
            server.make_token("anon", expires_in=-30),
            401,
            "Token has expired",
        ),
        "no role": (
            _token(secret, {"exp": now + 60}),
            401,
            "Fields `role` and `exp` are required in JWT",
        ),
        "no exp": (
            _token(secret, {"role": "anon"}),
            401,
            "Fields `role` and `exp` are required in JWT",
        ),
        "malformed": ("not-a-jwt", 401, "The token provided is not a valid JWT"),
        "empty": ("", 401, "The token provided is not a valid JWT"),
        "bad signature": (
            _token(
                "another-secret-of-at-least-thirty-two-bytes", {"role": "anon", "exp": now + 60}
            ),
            401,
            "Failed to validate JWT signature",
        ),
        "no signer": (
            jwt.encode({"role": "anon", "exp": now + 60}, "", algorithm="none"),
            401,
            "Failed to generate JWT signer, check your JWT secret or JWKS configuration",
        ),
        "iat not a number": (
            _token(secret, {"role": "anon", "exp": now + 60, "iat": "yesterday"}),
            500,
            "Error connecting to Realtime",
        ),
    }


async def test_every_token_refusal_is_an_http_response(
    realtime_server: LocalRealtimeServer,
) -> None:
    for name, (token, status, message) in _refusal_cases(realtime_server).items():
        got = await _refusal(socket_url(realtime_server, apikey=token))
        assert got[0] == status, name
        assert json.loads(got[1]) == {"error": message}, name


async def test_missing_api_key_is_refused(realtime_server: LocalRealtimeServer) -> None:
    url = f"ws://{realtime_server.host}:{realtime_server.port}/socket/websocket?vsn=2.0.0"
    status, body = await _refusal(url)
    assert status == 401
    assert json.loads(body) == {"error": "API key is missing"}


async def test_x_api_key_header_wins_over_the_query(realtime_server: LocalRealtimeServer) -> None:
    good = realtime_server.anon_key
    status, body = await _refusal(
        socket_url(realtime_server, apikey=good), headers={"x-api-key": "not-a-jwt"}
    )
    assert (status, json.loads(body)) == (401, {"error": "The token provided is not a valid JWT"})
    url = socket_url(realtime_server, apikey="not-a-jwt")
    async with connect(url, additional_headers={"x-api-key": good}) as connection:
        await connection.send('[null,"1","phoenix","heartbeat",{}]')
        reply = json.loads(await connection.recv())
        assert reply == [None, "1", "phoenix", "phx_reply", {"status": "ok", "response": {}}]


async def test_unsupported_vsn_is_a_bare_403(realtime_server: LocalRealtimeServer) -> None:
    url = socket_url(realtime_server).replace("vsn=2.0.0", "vsn=3.0.0")
    assert await _refusal(url) == (403, b"")


@pytest.mark.parametrize("path", ["/socket/websocket", "/realtime/v1/websocket"])
@pytest.mark.parametrize("vsn", ["1.0.0", "2.0.0"])
async def test_both_paths_serve_both_versions(
    realtime_server: LocalRealtimeServer, path: str, vsn: Vsn
) -> None:
    async with open_client(realtime_server, vsn=vsn, path=path) as client:
        await client.nothing_pending()


async def test_vsn_defaults_to_1_0_0(realtime_server: LocalRealtimeServer) -> None:
    async with connect(socket_url(realtime_server, vsn=None)) as connection:
        await connection.send('{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"7"}')
        reply = json.loads(await connection.recv())
        assert reply == {
            "topic": "phoenix",
            "event": "phx_reply",
            "payload": {"status": "ok", "response": {}},
            "ref": "7",
        }


async def test_a_malformed_frame_is_skipped(realtime_server: LocalRealtimeServer) -> None:
    async with open_client(realtime_server) as client:
        await client.send_raw("{not json")
        await client.send_raw(b"\x09garbage")
        await client.nothing_pending()
    assert realtime_server.state.malformed_frames == 2
