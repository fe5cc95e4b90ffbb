"""Private channels against real RLS policies: read, write, presence, namespaces, PrivateOnly."""

from __future__ import annotations

import uuid

from realtime_typed.testing import LocalRealtimeServer

from .raw import join_config, open_socket


def _topic(prefix: str) -> str:
    return f"{prefix}:{uuid.uuid4().hex[:8]}"


async def test_readable_topic_joins_and_unreadable_is_refused(server: LocalRealtimeServer) -> None:
    token = server.make_token("authenticated")
    allowed, denied, anon_only = _topic("ro"), _topic("secret"), _topic("rw")
    async with open_socket(server, token) as sock:
        await sock.joined(f"realtime:{allowed}", join_config())
        reply = await sock.join(f"realtime:{denied}", join_config())
        assert reply.payload == {
            "status": "error",
            "response": {
                "reason": "Unauthorized: You do not have permissions to read from this Channel"
                f" topic: {denied}"
            },
        }
    async with open_socket(server, server.anon_key) as sock:
        reply = await sock.join(f"realtime:{anon_only}", join_config())
        assert reply.payload["response"]["reason"].startswith("Unauthorized: ")


async def test_raising_policy_counts_as_unauthorized(server: LocalRealtimeServer) -> None:
    topic = _topic("boom")
    async with open_socket(server, server.make_token()) as sock:
        reply = await sock.join(f"realtime:{topic}", join_config())
        assert reply.payload["response"]["reason"] == (
            f"Unauthorized: You do not have permissions to read from this Channel topic: {topic}"
        )


async def test_write_allowed_delivers_and_acks(server: LocalRealtimeServer) -> None:
    topic = f"realtime:{_topic('rw')}"
    token = server.make_token()
    async with open_socket(server, token) as alice, open_socket(server, token, vsn="1.0.0") as bob:
        await alice.joined(topic, join_config(ack=True))
        await bob.joined(topic, join_config())
        message = {"type": "broadcast", "event": "ping", "payload": {"n": 1}}
        ref = await alice.push(topic, "broadcast", message)
        ack = await alice.expect("phx_reply", topic)
        assert (ack.ref, ack.payload) == (ref, {"status": "ok", "response": {}})
        got = await bob.expect("broadcast", topic)
        assert got.payload == message


async def test_write_denied_drops_silently_without_ack(server: LocalRealtimeServer) -> None:
    topic = f"realtime:{_topic('ro')}"
    token = server.make_token()
    async with open_socket(server, token) as alice, open_socket(server, token) as bob:
        await alice.joined(topic, join_config(ack=True, self_=True))
        await bob.joined(topic, join_config())
        for n in range(2):
            await alice.push(
                topic, "broadcast", {"type": "broadcast", "event": "e", "payload": {"n": n}}
            )
        await alice.nothing_pending()
        await bob.nothing_pending()


async def test_public_and_private_namespaces_are_separate(server: LocalRealtimeServer) -> None:
    topic = f"realtime:{_topic('rw')}"
    token = server.make_token()
    async with (
        open_socket(server, token) as private_sender,
        open_socket(server, token) as private_peer,
        open_socket(server, token) as public_peer,
    ):
        await private_sender.joined(topic, join_config(ack=True))
        await private_peer.joined(topic, join_config())
        await public_peer.joined(topic, join_config(private=False))
        await private_sender.push(
            topic, "broadcast", {"type": "broadcast", "event": "e", "payload": {}}
        )
        await private_sender.expect("phx_reply", topic)
        await private_peer.expect("broadcast", topic)
        await public_peer.nothing_pending()


async def test_presence_read_and_write(server: LocalRealtimeServer) -> None:
    rw, ro, bro = (f"realtime:{_topic(prefix)}" for prefix in ("rw", "ro", "bro"))
    token = server.make_token()
    async with open_socket(server, token) as sock, open_socket(server, token) as watcher:
        await sock.joined(rw, join_config(presence=True))
        assert (await sock.expect("presence_state", rw)).payload == {}
        ref = await sock.push(
            rw, "presence", {"type": "presence", "event": "track", "payload": {"u": 1}}
        )
        reply = await sock.expect("phx_reply", rw)
        assert (reply.ref, reply.payload) == (ref, {"status": "ok", "response": {}})
        diff = await sock.expect("presence_diff", rw)
        assert next(iter(diff.payload["joins"].values()))["metas"][0]["u"] == 1

        await sock.joined(ro, join_config(presence=True))
        await sock.expect("presence_state", ro)
        ref = await sock.push(
            ro, "presence", {"type": "presence", "event": "track", "payload": {"u": 2}}
        )
        reply = await sock.expect("phx_reply", ro)
        assert (reply.ref, reply.payload) == (ref, {"status": "error", "response": {}})

        await watcher.joined(bro, join_config(presence=True))
        await sock.joined(bro, join_config(presence=True))
        await sock.push(
            bro, "presence", {"type": "presence", "event": "track", "payload": {"u": 3}}
        )
        reply = await sock.expect("phx_reply", bro)
        assert reply.payload["status"] == "error"
        await watcher.nothing_pending()
        await sock.nothing_pending()


async def test_private_only_refuses_public_joins(private_only_server: LocalRealtimeServer) -> None:
    server = private_only_server
    topic = f"realtime:{_topic('rw')}"
    async with open_socket(server, server.make_token()) as sock:
        reply = await sock.join(topic, join_config(private=False))
        assert reply.payload["response"] == {
            "reason": "PrivateOnly: This project only allows private channels"
        }
        await sock.joined(topic, join_config())


async def test_private_join_without_database_is_refused(
    realtime_server: LocalRealtimeServer,
) -> None:
    async with open_socket(realtime_server, realtime_server.make_token()) as sock:
        reply = await sock.join("realtime:rw:x", join_config())
        assert reply.payload["response"] == {
            "reason": "UnableToConnectToProject: Realtime was unable to connect to the project"
            " database"
        }
