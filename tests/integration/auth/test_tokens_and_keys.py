"""Tokens on private channels: expiry, refresh re-checks, JWKS keys and every connect refusal."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Mapping
from urllib.parse import urlencode

import jwt
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from realtime_typed.local.auth.jwks import SigningKey
from realtime_typed.testing import LocalRealtimeServer

from .raw import Socket, join_config, open_socket


def _topic(prefix: str) -> str:
    return f"{prefix}:{uuid.uuid4().hex[:8]}"


async def _closed_with(sock: Socket, topic: str, message: str | re.Pattern[str]) -> None:
    system = await sock.expect("system", topic)
    assert system.payload["status"] == "error"
    assert system.payload["extension"] == "system"
    assert system.payload["channel"] == topic.removeprefix("realtime:")
    text = system.payload["message"]
    assert re.fullmatch(message, text) if isinstance(message, re.Pattern) else text == message
    close = await sock.expect("phx_close", topic)
    assert close.payload == {}


async def test_token_expiring_mid_subscription_closes_the_channel(
    server: LocalRealtimeServer,
) -> None:
    topic = f"realtime:{_topic('ro')}"
    async with open_socket(server, server.make_token()) as sock:
        await sock.joined(topic, join_config(), access_token=server.make_token(expires_in=2))
        await _closed_with(sock, topic, re.compile(r"Token has expired \d+ seconds ago"))
        await sock.nothing_pending()


async def test_refresh_to_a_role_without_access(server: LocalRealtimeServer) -> None:
    topic = f"realtime:{_topic('rw')}"
    async with open_socket(server, server.make_token()) as sock:
        await sock.joined(topic, join_config())
        await sock.push(topic, "access_token", {"access_token": server.anon_key})
        sub_topic = topic.removeprefix("realtime:")
        await _closed_with(
            sock, topic, f"You do not have permissions to read from this Channel topic: {sub_topic}"
        )


async def test_refresh_revoking_one_read_closes_with_no_longer(server: LocalRealtimeServer) -> None:
    topic = f"realtime:{_topic('half')}"
    async with open_socket(server, server.make_token()) as sock:
        await sock.joined(topic, join_config(presence=True))
        await sock.expect("presence_state", topic)
        await sock.push(topic, "access_token", {"access_token": server.anon_key})
        sub_topic = topic.removeprefix("realtime:")
        await _closed_with(
            sock,
            topic,
            f"You no longer have permission to read from this Channel topic: {sub_topic}",
        )


async def test_refresh_keeping_access_keeps_the_channel(server: LocalRealtimeServer) -> None:
    topic = f"realtime:{_topic('rw')}"
    async with open_socket(server, server.make_token()) as sock:
        await sock.joined(topic, join_config(ack=True))
        await sock.push(topic, "access_token", {"access_token": server.make_token(expires_in=60)})
        ref = await sock.push(
            topic, "broadcast", {"type": "broadcast", "event": "e", "payload": {}}
        )
        ack = await sock.expect("phx_reply", topic)
        assert ack.ref == ref


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
async def test_jwks_signed_tokens(
    server: LocalRealtimeServer, signing_keys: dict[str, SigningKey], algorithm: str
) -> None:
    key = signing_keys[algorithm]
    token = server.make_token("authenticated", key=key)
    assert jwt.get_unverified_header(token)["kid"] == key.kid
    topic = f"realtime:{_topic('rw')}"
    async with open_socket(server, token) as sock:
        await sock.joined(topic, join_config())


def _hs_token(secret: str, claims: Mapping[str, object], **headers: object) -> str:
    return jwt.encode(dict(claims), secret, algorithm="HS256", headers=dict(headers) or None)


async def _refusal(server: LocalRealtimeServer, token: str | None) -> tuple[int, object]:
    query = {"vsn": "2.0.0"} if token is None else {"vsn": "2.0.0", "apikey": token}
    url = f"ws://{server.host}:{server.port}/socket/websocket?{urlencode(query)}"
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url):
            pass
    response = refused.value.response
    return response.status_code, json.loads(response.body or b"null")


async def test_connect_refusals(server: LocalRealtimeServer) -> None:
    now = int(time.time())
    secret = server.jwt_secret
    stranger = SigningKey.generate("ES256", kid="unknown-kid")
    cases: list[tuple[str | None, str]] = [
        (None, "API key is missing"),
        (_hs_token(secret, {"role": "anon", "exp": now - 10}), "Token has expired"),
        (_hs_token(secret, {"exp": now + 60}), "Fields `role` and `exp` are required in JWT"),
        (_hs_token(secret, {"role": "anon"}), "Fields `role` and `exp` are required in JWT"),
        ("not-a-jwt", "The token provided is not a valid JWT"),
        (
            _hs_token(
                "another-secret-that-is-at-least-32-bytes-long", {"role": "anon", "exp": now + 60}
            ),
            "Failed to validate JWT signature",
        ),
        (
            jwt.encode({"role": "anon", "exp": now + 60}, stranger.private_key, algorithm="ES256"),
            "Failed to generate JWT signer, check your JWT secret or JWKS configuration",
        ),
        (
            stranger.make_token("anon"),
            'Failed to generate JWT signer for key ID (kid) "unknown-kid", check your JWT'
            " secret or JWKS configuration",
        ),
    ]
    for token, message in cases:
        assert await _refusal(server, token) == (401, {"error": message})


async def test_oct_key_with_matching_kid_wins_over_the_secret() -> None:
    jwks = {
        "keys": [
            {
                "kty": "oct",
                "kid": "shared-1",
                "k": "YS1zaGFyZWQtc2VjcmV0LWZyb20tdGhlLWp3a3MtMDEyMzQ1Njc4OQ",
            }
        ]
    }
    async with LocalRealtimeServer(jwks=jwks) as server:
        claims = {"role": "anon", "exp": int(time.time()) + 60}
        by_kid = _hs_token("a-shared-secret-from-the-jwks-0123456789", claims, kid="shared-1")
        async with open_socket(server, by_kid) as sock:
            await sock.joined("realtime:room", join_config(private=False))
        assert await _refusal(server, _hs_token(server.jwt_secret, claims, kid="shared-1")) == (
            401,
            {"error": "Failed to validate JWT signature"},
        )
        unknown_kid = _hs_token(server.jwt_secret, claims, kid="other")
        async with open_socket(server, unknown_kid) as sock:
            await sock.joined("realtime:room", join_config(private=False))
