"""A whole auth scenario logged at DEBUG: no token or secret appears in any record."""

from __future__ import annotations

import logging
import time
import traceback
from typing import Any

import httpx
import jwt
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from realtime_typed.testing import LocalRealtimeServer

from .raw import join_config, open_socket

# The websockets client logs its own request lines and headers at DEBUG: that is the raw test
# client's library, not the project, so its records are left out of the search.
_THIRD_PARTY_CLIENT = "websockets"


def _record_text(record: logging.LogRecord) -> str:
    text = record.getMessage()
    if record.exc_info and record.exc_info[1] is not None:
        text += "".join(traceback.format_exception(record.exc_info[1]))
    return text


async def test_no_token_in_logs(
    server: LocalRealtimeServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    user = server.make_token()
    refreshed = server.make_token(expires_in=120)
    forged = jwt.encode(
        {"role": "anon", "exp": int(time.time()) + 60},
        "a-forged-secret-that-is-long-enough-for-hs256",
        algorithm="HS256",
    )
    expired = server.make_token(expires_in=-30)
    async with open_socket(server, user) as sock:
        await sock.joined("realtime:rw:logs", join_config(ack=True, presence=True))
        await sock.expect("presence_state")
        await sock.join("realtime:secret:logs", join_config())
        await sock.join("realtime:ro:logs", join_config(), access_token=expired)
        await sock.push("realtime:rw:logs", "access_token", {"access_token": refreshed})
        await sock.push(
            "realtime:rw:logs", "broadcast", {"type": "broadcast", "event": "e", "payload": {}}
        )
        await sock.expect("phx_reply")
        await sock.push("realtime:rw:logs", "access_token", {"access_token": forged})
        await sock.expect("system")
        await sock.expect("phx_close")
    for bad in (forged, expired):
        url = f"ws://{server.host}:{server.port}/socket/websocket?apikey={bad}"
        with pytest.raises(InvalidStatus):
            async with connect(url):
                pass
    async with httpx.AsyncClient(base_url=server.http_url) as http:
        body: dict[str, Any] = {
            "messages": [{"topic": "ro:logs", "event": "e", "payload": {}, "private": True}]
        }
        for token in (user, forged):
            await http.post(
                "/api/broadcast", json=body, headers={"Authorization": f"Bearer {token}"}
            )
        await http.post(
            "/api/broadcast/ro:logs/events/e?private=true", json={}, headers={"apikey": user}
        )

    secrets = [user, refreshed, forged, expired, server.jwt_secret, server.anon_key]
    searched = [r for r in caplog.records if not r.name.startswith(_THIRD_PARTY_CLIENT)]
    assert any(r.name.startswith("realtime_typed") for r in searched)
    for record in searched:
        text = _record_text(record)
        for secret in secrets:
            assert secret not in text, (record.name, record.levelname)
        for part in (user.split(".")[2], forged.split(".")[2]):
            assert part not in text, (record.name, record.levelname)
