"""Presence over sockets: state, diffs, keys, payload checks and the client rate limit."""

from __future__ import annotations

import uuid
from typing import Any

from realtime_typed.testing import LocalRealtimeServer, ServerOptions

from .wire import RawClient, config, open_client

TOPIC = "realtime:lobby"


def _track(payload: Any, event: str = "track") -> dict[str, Any]:
    return {"type": "presence", "event": event, "payload": payload}


def _metas(groups: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return [
        {name: value for name, value in meta.items() if name != "phx_ref"}
        for meta in groups[key]["metas"]
    ]


async def _ok(client: RawClient, ref: str) -> None:
    reply = await client.expect("phx_reply", TOPIC)
    assert (reply.ref, reply.payload) == (ref, {"status": "ok", "response": {}})


async def test_state_after_join_and_diffs_on_track_and_untrack(
    realtime_server: LocalRealtimeServer,
) -> None:
    async with open_client(realtime_server) as alice, open_client(realtime_server) as bob:
        alice_ref = await alice.joined(TOPIC, config(presence=True, key="alice"))
        empty = await alice.expect("presence_state", TOPIC)
        assert (empty.join_ref, empty.ref, empty.payload) == (alice_ref, None, {})
        ref = await alice.push(TOPIC, "presence", _track({"status": "online"}), alice_ref)
        await _ok(alice, ref)
        diff = await alice.expect("presence_diff", TOPIC)
        assert (diff.join_ref, diff.ref) == (None, None)
        assert _metas(diff.payload["joins"], "alice") == [{"status": "online"}]
        assert diff.payload["leaves"] == {}

        await bob.joined(TOPIC, config(presence=True, key="bob"))
        state = await bob.expect("presence_state", TOPIC)
        assert _metas(state.payload, "alice") == [{"status": "online"}]

        ref = await alice.push(TOPIC, "presence", _track({"status": "online"}), alice_ref)
        await _ok(alice, ref)
        await bob.nothing_pending()

        ref = await alice.push(TOPIC, "presence", _track({"status": "away"}), alice_ref)
        await _ok(alice, ref)
        update = await bob.expect("presence_diff", TOPIC)
        [joined] = update.payload["joins"]["alice"]["metas"]
        [left] = update.payload["leaves"]["alice"]["metas"]
        assert (joined["status"], left["status"]) == ("away", "online")
        assert joined["phx_ref_prev"] == left["phx_ref"]
        await alice.expect("presence_diff", TOPIC)

        ref = await alice.push(
            TOPIC, "presence", {"type": "presence", "event": "UNTRACK"}, alice_ref
        )
        await _ok(alice, ref)
        gone = await bob.expect("presence_diff", TOPIC)
        assert gone.payload["joins"] == {}
        [meta] = _metas(gone.payload["leaves"], "alice")
        assert meta["status"] == "away"


async def test_first_track_enables_presence_without_a_state_push(
    realtime_server: LocalRealtimeServer,
) -> None:
    async with open_client(realtime_server) as client:
        join_ref = await client.joined(TOPIC)
        ref = await client.push(TOPIC, "presence", _track({"a": 1}), join_ref)
        await _ok(client, ref)
        diff = await client.expect("presence_diff", TOPIC)
        [key] = diff.payload["joins"]
        assert uuid.UUID(key).version == 1
        await client.nothing_pending()


async def test_leaving_untracks(realtime_server: LocalRealtimeServer) -> None:
    async with open_client(realtime_server) as alice, open_client(realtime_server) as bob:
        alice_ref = await alice.joined(TOPIC, config(key="alice"))
        await bob.joined(TOPIC)
        await alice.push(TOPIC, "presence", _track({}), alice_ref)
        await bob.expect("presence_diff", TOPIC)
        await alice.push(TOPIC, "phx_leave", {}, alice_ref)
        left = await bob.expect("presence_diff", TOPIC)
        assert list(left.payload["leaves"]) == ["alice"]


async def test_bad_presence_pushes(realtime_server: LocalRealtimeServer) -> None:
    async with open_client(realtime_server) as client:
        join_ref = await client.joined(TOPIC)
        ref = await client.push(TOPIC, "presence", _track("not a map"), join_ref)
        reply = await client.expect("phx_reply", TOPIC)
        assert (reply.ref, reply.payload) == (
            ref,
            {"status": "error", "response": {"reason": "Presence track payload must be a map"}},
        )
        ref = await client.push(TOPIC, "presence", _track({}, event="dance"), join_ref)
        reply = await client.expect("phx_reply", TOPIC)
        assert (reply.ref, reply.payload) == (ref, {"status": "error", "response": {}})
        ref = await client.push(TOPIC, "presence", {"type": "presence"}, join_ref)
        await _ok(client, ref)


async def _expect_shutdown(client: RawClient, join_ref: str, message: str) -> None:
    system = await client.expect("system", TOPIC)
    assert system.payload == {
        "extension": "system",
        "status": "error",
        "message": message,
        "channel": "lobby",
    }
    closed = await client.expect("phx_close", TOPIC)
    assert (closed.join_ref, closed.ref) == (join_ref, join_ref)


async def test_client_presence_rate_limit_closes_the_channel() -> None:
    options = ServerOptions(presence_max_calls=2)
    async with LocalRealtimeServer(options=options) as server, open_client(server) as client:
        join_ref = await client.joined(TOPIC)
        for count in range(2):
            ref = await client.push(TOPIC, "presence", _track({"n": count}), join_ref)
            await _ok(client, ref)
            await client.expect("presence_diff", TOPIC)
        await client.push(TOPIC, "presence", _track({"n": 3}), join_ref)
        await _expect_shutdown(client, join_ref, "Client presence rate limit exceeded")


async def test_oversized_track_closes_the_channel(realtime_server: LocalRealtimeServer) -> None:
    async with open_client(realtime_server) as client:
        join_ref = await client.joined(TOPIC)
        big = {"blob": "x" * (3000 * 1024 + 500)}
        await client.push(TOPIC, "presence", _track(big), join_ref)
        await _expect_shutdown(client, join_ref, "Track message size exceeded")
