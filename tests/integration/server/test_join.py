"""Joins: replies, refusals, unmatched topics, duplicates, limits and lenient payloads."""

from __future__ import annotations

import time
from typing import Any

import jwt

from realtime_typed.local.channels.join_config import binding_id
from realtime_typed.local.channels.postgres_wiring import NO_DATABASE_MESSAGE
from realtime_typed.protocol.frames import Frame
from realtime_typed.testing import LocalRealtimeServer, ServerOptions

from .wire import config, open_client

UNMATCHED = {"status": "error", "response": {"reason": "unmatched topic"}}


async def test_join_reply_echoes_bindings_with_integer_ids_in_order(
    realtime_server: LocalRealtimeServer,
) -> None:
    bindings: list[dict[str, Any]] = [
        {"event": "*", "schema": "*"},
        {"event": "INSERT", "schema": "public", "table": "todos", "filter": "id=eq.1"},
        {"event": "UPDATE", "schema": "public", "table": "todos", "select": ["id"]},
    ]
    async with open_client(realtime_server) as client:
        join_config = config()
        join_config["postgres_changes"] = [*bindings, None]
        join_ref, reply = await client.join("realtime:db", join_config)
        assert reply.join_ref == join_ref
        assert reply.payload["status"] == "ok"
        echoed = reply.payload["response"]["postgres_changes"]
        assert echoed == [{**binding, "id": binding_id(binding)} for binding in bindings]
        assert all(type(entry["id"]) is int and entry["id"] >= 0 for entry in echoed)
        system = await client.expect("system", "realtime:db")
        assert system.join_ref == join_ref
        assert system.ref is None
        assert system.payload == {
            "extension": "postgres_changes",
            "status": "error",
            "message": NO_DATABASE_MESSAGE,
            "channel": "db",
        }


async def test_topic_outside_realtime_is_unmatched(realtime_server: LocalRealtimeServer) -> None:
    async with open_client(realtime_server) as client:
        _, reply = await client.join("room:1")
        assert reply.payload == UNMATCHED
        assert reply.join_ref is None


async def test_push_to_a_topic_not_joined_is_unmatched(
    realtime_server: LocalRealtimeServer,
) -> None:
    async with open_client(realtime_server) as client:
        ref = await client.push("realtime:nowhere", "presence", {"event": "untrack"})
        reply = await client.expect("phx_reply", "realtime:nowhere")
        assert (reply.ref, reply.join_ref, reply.payload) == (ref, None, UNMATCHED)
        message: dict[str, Any] = {"type": "broadcast", "event": "e", "payload": {}}
        await client.send(Frame("1", "9", "realtime:nowhere", "broadcast", message))
        reply = await client.expect("phx_reply", "realtime:nowhere")
        assert reply.payload == UNMATCHED


async def test_empty_sub_topic_is_refused(realtime_server: LocalRealtimeServer) -> None:
    async with open_client(realtime_server) as client:
        join_ref, reply = await client.join("realtime:")
        assert reply.join_ref == join_ref
        assert reply.payload == {
            "status": "error",
            "response": {"reason": "TopicNameRequired: You must provide a topic name"},
        }


async def test_duplicate_join_closes_the_old_channel_first(
    realtime_server: LocalRealtimeServer,
) -> None:
    async with open_client(realtime_server) as client:
        first = await client.joined("realtime:dup")
        second = await client.join_without_reply("realtime:dup")
        closed = await client.expect("phx_close", "realtime:dup")
        assert (closed.join_ref, closed.ref, closed.payload) == (first, first, {})
        reply = await client.expect("phx_reply", "realtime:dup")
        assert reply.ref == second
        assert reply.payload["status"] == "ok"


async def test_channel_limit_per_socket() -> None:
    options = ServerOptions(max_channels_per_client=2)
    async with LocalRealtimeServer(options=options) as server, open_client(server) as client:
        await client.joined("realtime:a")
        await client.joined("realtime:b")
        _, reply = await client.join("realtime:c")
        assert reply.payload == {
            "status": "error",
            "response": {"reason": "ChannelRateLimitReached: Too many channels"},
        }
        async with open_client(server) as other:
            await other.joined("realtime:c")


async def test_join_access_token_is_verified(realtime_server: LocalRealtimeServer) -> None:
    now = int(time.time())
    secret = realtime_server.jwt_secret
    cases = {
        realtime_server.make_token(expires_in=-5): "InvalidJWTToken: Token has expired ",
        jwt.encode({"exp": now + 60}, secret): (
            "InvalidJWTToken: Fields `role` and `exp` are required in JWT"
        ),
        "garbage": "MalformedJWT: The token provided is not a valid JWT",
        jwt.encode({"role": "anon", "exp": now + 60}, "x" * 40): (
            "JwtSignatureError: Failed to validate JWT signature"
        ),
    }
    async with open_client(realtime_server) as client:
        for token, reason in cases.items():
            _, reply = await client.join("realtime:t", config(), access_token=token)
            assert reply.payload["status"] == "error"
            assert reply.payload["response"]["reason"].startswith(reason)
        _, reply = await client.join(
            "realtime:t", config(), access_token=realtime_server.make_token(expires_in=-5)
        )
        expired = reply.payload["response"]["reason"].removeprefix(
            "InvalidJWTToken: Token has expired "
        )
        assert expired.endswith(" seconds ago")
        assert int(expired.removesuffix(" seconds ago")) >= 5
        await client.joined("realtime:t", config(), access_token="sb_publishable_key")
        await client.joined(
            "realtime:u", config(), access_token=realtime_server.make_token("authenticated")
        )


async def test_join_payload_is_read_leniently(realtime_server: LocalRealtimeServer) -> None:
    async with open_client(realtime_server) as alice, open_client(realtime_server) as bob:
        lenient = {"broadcast": {"self": "TRUE", "ack": "nope"}, "presence": "x", "private": 3}
        join_ref = await alice.joined("realtime:lenient", lenient)
        not_a_map: Any = "not a map"
        await bob.joined("realtime:lenient", not_a_map)
        message: dict[str, Any] = {"type": "broadcast", "event": "e", "payload": {}}
        await alice.push("realtime:lenient", "broadcast", message, join_ref)
        echoed = await alice.expect("broadcast", "realtime:lenient")
        assert echoed.payload == message
        assert (await bob.expect("broadcast", "realtime:lenient")).payload == message
        await alice.nothing_pending()


async def test_join_without_config_uses_the_legacy_topic_form(
    realtime_server: LocalRealtimeServer,
) -> None:
    async with open_client(realtime_server) as client:
        ref = client.next_ref()
        await client.send(Frame(ref, ref, "realtime:public:todos", "phx_join", {}))
        reply = await client.expect("phx_reply")
        legacy = {"schema": "public", "table": "todos"}
        assert reply.payload == {
            "status": "ok",
            "response": {"postgres_changes": [{**legacy, "id": binding_id(legacy)}]},
        }
        await client.expect("system", "realtime:public:todos")


async def test_pushes_with_stale_or_missing_join_ref_are_accepted(
    realtime_server: LocalRealtimeServer,
) -> None:
    async with open_client(realtime_server) as client:
        await client.joined("realtime:lenient-ref", config(ack=True))
        message: dict[str, Any] = {"type": "broadcast", "event": "e", "payload": {}}
        for join_ref in (None, "999"):
            ref = await client.push("realtime:lenient-ref", "broadcast", message, join_ref)
            ack = await client.expect("phx_reply", "realtime:lenient-ref")
            assert (ack.ref, ack.payload) == (ref, {"status": "ok", "response": {}})


async def test_unknown_events_on_a_channel_are_ignored(
    realtime_server: LocalRealtimeServer,
) -> None:
    async with open_client(realtime_server) as client:
        join_ref = await client.joined("realtime:quiet")
        await client.push("realtime:quiet", "whatever", {"a": 1}, join_ref)
        await client.nothing_pending()
    assert realtime_server.state.ignored_events == 1
