"""REST broadcast: batch and single endpoints, public and private topics, refusals."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from realtime_typed.testing import LocalRealtimeServer

from .raw import join_config, open_socket


def _topic(prefix: str) -> str:
    return f"{prefix}:{uuid.uuid4().hex[:8]}"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_batch_to_public_and_private_topics(server: LocalRealtimeServer) -> None:
    public, allowed, denied = _topic("any"), _topic("rw"), _topic("ro")
    token = server.make_token()
    message_id = str(uuid.uuid4())
    body: dict[str, Any] = {
        "messages": [
            {"topic": public, "event": "a", "payload": {"n": 1}, "id": message_id},
            {"topic": allowed, "event": "b", "payload": {"n": 2}, "private": True},
            {"topic": denied, "event": "c", "payload": {"n": 3}, "private": True},
        ]
    }
    async with (
        open_socket(server, token) as sock,
        httpx.AsyncClient(base_url=server.http_url) as http,
    ):
        await sock.joined(f"realtime:{public}", join_config(private=False))
        await sock.joined(f"realtime:{allowed}", join_config())
        await sock.joined(f"realtime:{denied}", join_config())
        response = await http.post("/api/broadcast", json=body, headers=_bearer(token))
        assert (response.status_code, response.content) == (202, b"")
        first = await sock.expect("broadcast", f"realtime:{public}")
        assert first.payload == {
            "type": "broadcast",
            "event": "a",
            "payload": {"n": 1},
            "meta": {"id": message_id},
        }
        second = await sock.expect("broadcast", f"realtime:{allowed}")
        assert second.payload == {"type": "broadcast", "event": "b", "payload": {"n": 2}}
        await sock.nothing_pending()


async def test_batch_refusals(server: LocalRealtimeServer) -> None:
    valid: dict[str, Any] = {"messages": [{"topic": "t", "event": "e", "payload": {}}]}
    async with httpx.AsyncClient(base_url=server.http_url) as http:
        missing = await http.post("/api/broadcast", json=valid)
        bad = await http.post("/api/broadcast", json=valid, headers=_bearer("not-a-jwt"))
        by_apikey = await http.post(
            "/realtime/v1/api/broadcast", json=valid, headers={"apikey": server.anon_key}
        )
        invalid = await http.post(
            "/api/broadcast",
            json={"messages": [{"topic": "t"}, {"payload": {"d": 1}}, valid["messages"][0]]},
            headers=_bearer(server.anon_key),
        )
        blank = await http.post("/api/broadcast", json={}, headers=_bearer(server.anon_key))
    assert (missing.status_code, missing.json()) == (401, {"message": "Unauthorized"})
    assert (bad.status_code, bad.json()) == (401, {"message": "Unauthorized"})
    assert by_apikey.status_code == 202
    assert invalid.status_code == 422
    assert invalid.json() == {
        "errors": {
            "messages": [
                {"payload": ["can't be blank"], "event": ["can't be blank"]},
                {"topic": ["can't be blank"], "event": ["can't be blank"]},
                {},
            ]
        }
    }
    assert (blank.status_code, blank.json()) == (422, {"errors": {"messages": ["can't be blank"]}})


async def test_single_json_and_binary(server: LocalRealtimeServer) -> None:
    topic = _topic("any")
    token = server.make_token()
    url = f"/api/broadcast/{topic}/events/news"
    async with (
        open_socket(server, token) as v2,
        open_socket(server, token, vsn="1.0.0") as v1,
        httpx.AsyncClient(base_url=server.http_url, headers=_bearer(token)) as http,
    ):
        await v2.joined(f"realtime:{topic}", join_config(private=False))
        await v1.joined(f"realtime:{topic}", join_config(private=False))
        assert (await http.post(url, json={"title": "x"})).status_code == 202
        expected = {"type": "broadcast", "event": "news", "payload": {"title": "x"}}
        assert (await v2.expect("broadcast")).payload == expected
        assert (await v1.expect("broadcast")).payload == expected
        binary = await http.post(
            url, content=b"\x00\x01", headers={"Content-Type": "application/octet-stream"}
        )
        assert binary.status_code == 202
        got = await v2.expect("broadcast")
        assert got.payload == {"type": "broadcast", "event": "news", "payload": b"\x00\x01"}
        await v1.nothing_pending()


async def test_single_refusals_and_private(server: LocalRealtimeServer) -> None:
    allowed, denied = _topic("rw"), _topic("ro")
    token = server.make_token()
    async with (
        open_socket(server, token) as sock,
        httpx.AsyncClient(base_url=server.http_url) as http,
    ):
        await sock.joined(f"realtime:{allowed}", join_config())
        media = await http.post(
            f"/api/broadcast/{allowed}/events/e",
            content=b"x",
            headers={"Content-Type": "text/plain"},
        )
        no_token = await http.post(f"/api/broadcast/{allowed}/events/e", json={})
        forbidden = await http.post(
            f"/api/broadcast/{denied}/events/e?private=true", json={}, headers=_bearer(token)
        )
        ok = await http.post(
            f"/realtime/v1/api/broadcast/{allowed}/events/e?private=true",
            json={"k": 1},
            headers=_bearer(token),
        )
        assert ok.status_code == 202
        assert (await sock.expect("broadcast")).payload["payload"] == {"k": 1}
    assert (media.status_code, media.json()) == (
        415,
        {"error": "Unsupported Media Type. Use application/json or application/octet-stream"},
    )
    assert (no_token.status_code, no_token.json()) == (401, {"message": "Unauthorized"})
    assert (forbidden.status_code, forbidden.json()) == (403, {"message": "Unauthorized"})
