"""Poison and floods from a hostile server: every report bounded, nothing poisons the state.

A join reply naming another topic, presence diffs before any state, endless distinct unknown
events, and presence metas that do not fit a typed channel, each sent by the hostile server
right after it answers a join.
"""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel

from realtime_typed import PresenceSpec, ProtocolError, RealtimeClient
from realtime_typed.client.reporting import MAX_KINDS
from realtime_typed.errors import InvalidMessage, JoinTimeout
from realtime_typed.protocol.frames import Frame
from realtime_typed.protocol.phoenix import REPLY_TOPIC_MISMATCH
from realtime_typed.protocol.presence import MAX_PENDING_METAS

from .helpers import Inbox
from .hostile import Conduct, Peer, hostile_server


class User(BaseModel):
    user_id: str


USER = PresenceSpec(User)


def metas(*refs_and_fields: tuple[str, dict[str, object]]) -> dict[str, object]:
    return {"metas": [{"phx_ref": ref, **fields} for ref, fields in refs_and_fields]}


async def end_marker(peer: Peer, join: Frame) -> None:
    """A broadcast the test waits for: everything sent before it has been handled."""
    payload: dict[str, object] = {"type": "broadcast", "event": "end", "payload": {}}
    await peer.send(Frame(None, None, join.topic, "broadcast", payload))


async def test_a_join_reply_for_another_topic_is_not_subscribed_and_is_reported_once() -> None:
    async with hostile_server() as server:
        server.next_connections(Conduct(reply_topic="realtime:elsewhere"))
        errors: Inbox[Exception] = Inbox()
        async with RealtimeClient(server.url, apikey="anon", timeout=0.5) as client:
            client.on_error(errors)
            for name in ("one", "two", "three"):
                with pytest.raises(JoinTimeout):
                    await client.channel(name).subscribe()
            assert client.dropped[REPLY_TOPIC_MISMATCH] == 3
            [error] = errors.items
            assert isinstance(error, ProtocolError)
            assert "realtime:elsewhere" in str(error)


async def test_presence_diffs_before_the_state_are_bounded_and_the_overflow_reported() -> None:
    diffs, keys = 60, 500  # 30,000 metas waiting, three times the bound

    async def flood(peer: Peer, join: Frame) -> None:
        for n in range(diffs):
            joins = {f"k{n}-{k}": metas((f"r{n}-{k}", {})) for k in range(keys)}
            diff = Frame(None, None, join.topic, "presence_diff", {"joins": joins, "leaves": {}})
            await peer.send(diff)
        state = {"first": metas(("r-first", {}))}
        await peer.send(Frame(None, None, join.topic, "presence_state", state))

    async with hostile_server() as server:
        server.next_connections(Conduct(after_join=flood))
        errors: Inbox[Exception] = Inbox()
        async with RealtimeClient(server.url, apikey="anon") as client:
            client.on_error(errors)
            channel = client.channel("room", presence_enabled=True)
            synced: Inbox[None] = Inbox()
            channel.on_presence_sync(lambda: synced(None))
            await channel.subscribe()
            await synced.next()
            kept = MAX_PENDING_METAS // keys
            assert client.dropped["presence diff overflow"] == diffs - kept
            state = channel.presence_state()
            assert len(state) == 1 + kept * keys
            assert f"k{diffs - 1}-0" in state and "k0-0" not in state  # the newest are kept
            [error] = errors.items
            assert isinstance(error, ProtocolError)
            assert "the oldest were dropped" in str(error)


async def test_endless_distinct_unknown_events_give_a_bounded_number_of_reports() -> None:
    events = 20_000

    async def flood(peer: Peer, join: Frame) -> None:
        for n in range(events):
            await peer.send_raw(json.dumps([None, None, join.topic, f"event-{n}", {}]))
        await end_marker(peer, join)

    async with hostile_server() as server:
        server.next_connections(Conduct(after_join=flood))
        errors: Inbox[Exception] = Inbox()
        async with RealtimeClient(server.url, apikey="anon") as client:
            client.on_error(errors)
            channel = client.channel("room")
            ended: Inbox[object] = Inbox()
            channel.on_broadcast("end", ended)
            await channel.subscribe()
            await ended.next()
            assert client.dropped["unknown event"] == events
            sampled = (events - MAX_KINDS).bit_length()  # the 1st, 2nd, 4th, ... beyond the cap
            assert len(errors.items) == MAX_KINDS + sampled
            assert all("unknown event" in str(error) for error in errors.items)
            assert len(client._reported) == MAX_KINDS  # pyright: ignore[reportPrivateUsage]


async def test_an_invalid_presence_meta_is_reported_and_left_out_of_the_typed_state() -> None:
    async def poison(peer: Peer, join: Frame) -> None:
        state = {
            "good": metas(("r1", {"user_id": "u1"})),
            "bad": metas(("r2", {"user_id": 42})),
            "mixed": metas(("r3", {"user_id": "u3"}), ("r4", {"name": "no user_id"})),
        }
        await peer.send(Frame(None, None, join.topic, "presence_state", state))
        joins = {"bad": metas(("r5", {"user_id": ["still", "bad"]})), "new": metas(("r6", {}))}
        diff = {"joins": joins, "leaves": {"good": metas(("r1", {"user_id": "u1"}))}}
        await peer.send(Frame(None, None, join.topic, "presence_diff", diff))
        later = {"joins": {"late": metas(("r7", {"user_id": "u7"}))}, "leaves": {}}
        await peer.send(Frame(None, None, join.topic, "presence_diff", later))

    async with hostile_server() as server:
        server.next_connections(Conduct(after_join=poison))
        errors: Inbox[Exception] = Inbox()
        async with RealtimeClient(server.url, apikey="anon") as client:
            client.on_error(errors)
            channel = client.channel("room", presence=USER)
            joined: Inbox[tuple[str, list[User]]] = Inbox()
            channel.on_presence_join(lambda key, _current, new: joined((key, new)))
            left: Inbox[tuple[str, list[User]]] = Inbox()
            channel.on_presence_leave(lambda key, _current, gone: left((key, gone)))
            await channel.subscribe()
            assert await joined.next() == ("good", [User(user_id="u1")])
            assert await joined.next() == ("mixed", [User(user_id="u3")])
            assert await left.next() == ("good", [User(user_id="u1")])
            assert await joined.next() == ("late", [User(user_id="u7")])
            assert channel.presence_state() == {
                "mixed": [User(user_id="u3")],
                "late": [User(user_id="u7")],
            }
            assert client.dropped["invalid presence meta"] == 4
            reported = sorted(str(error).split("'")[1] for error in errors.items)
            assert reported == ["bad", "mixed", "new"]  # once per key
            assert all(isinstance(error, InvalidMessage) for error in errors.items)


async def test_presence_diffs_on_a_channel_without_presence_are_checked_not_kept() -> None:
    async def diffs(peer: Peer, join: Frame) -> None:
        good = {"joins": {"a": metas(("r1", {}))}, "leaves": {}}
        await peer.send(Frame(None, None, join.topic, "presence_diff", good))
        bad = {"joins": {"b": {"metas": [{"no": "ref"}]}}, "leaves": {}}
        await peer.send(Frame(None, None, join.topic, "presence_diff", bad))
        await end_marker(peer, join)

    async with hostile_server() as server:
        server.next_connections(Conduct(after_join=diffs))
        errors: Inbox[Exception] = Inbox()
        async with RealtimeClient(server.url, apikey="anon") as client:
            client.on_error(errors)
            channel = client.channel("room", presence_enabled=False)
            ended: Inbox[object] = Inbox()
            channel.on_broadcast("end", ended)
            await channel.subscribe()
            await ended.next()
            assert channel.presence_state() == {}
            assert client.dropped["malformed payload"] == 1
            [error] = errors.items
            assert isinstance(error, InvalidMessage)
            assert "presence_diff" in str(error) and "'b'" in str(error)
