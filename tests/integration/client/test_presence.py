"""Presence between real clients: track, untrack, typed state, re-track after a reconnect."""

from __future__ import annotations

from pydantic import BaseModel, JsonValue

from realtime_typed import PresenceSpec, RealtimeClient, SubscribeState
from realtime_typed.testing import LocalRealtimeServer

from .helpers import Inbox, States

Joined = tuple[str, list[dict[str, JsonValue]], list[dict[str, JsonValue]]]


class User(BaseModel):
    user_id: str
    status: str = "online"


USER = PresenceSpec(User)


async def test_track_before_join_untrack_and_typed_state(
    realtime_server: LocalRealtimeServer,
) -> None:
    url, key = realtime_server.url, realtime_server.anon_key
    async with RealtimeClient(url, apikey=key) as alice, RealtimeClient(url, apikey=key) as bob:
        joins: Inbox[Joined] = Inbox()
        leaves: Inbox[Joined] = Inbox()
        watcher = bob.channel("room")
        watcher.on_presence_join(lambda key, current, new: joins((key, current, new)))
        watcher.on_presence_leave(lambda key, current, left: leaves((key, current, left)))
        await watcher.subscribe()
        room = alice.channel("room", presence=USER, presence_key="alice")
        await room.track(User(user_id="a1"))
        await room.subscribe()
        key_, before, new = await joins.next()
        assert (key_, before) == ("alice", [])
        assert new[0]["user_id"] == "a1"
        assert "presence_ref" in new[0]
        assert watcher.presence_state()["alice"][0]["status"] == "online"
        await bob.channel("room").unsubscribe()
        typed = bob.channel("room", presence=USER)
        synced: Inbox[None] = Inbox()
        typed.on_presence_sync(lambda: synced(None))
        await typed.subscribe()
        await synced.next()
        assert typed.presence_state() == {"alice": [User(user_id="a1")]}
        await room.untrack()
        while "alice" in typed.presence_state():
            await synced.next()


async def test_track_is_repeated_after_a_reconnect(realtime_server: LocalRealtimeServer) -> None:
    url, key = realtime_server.url, realtime_server.anon_key
    states = States()
    client = RealtimeClient(url, apikey=key, reconnect_after=lambda tries: 0.05)
    async with client:
        room = client.channel("room", presence_key="me")
        synced: Inbox[None] = Inbox()
        room.on_presence_sync(lambda: synced(None))
        await room.subscribe(states)
        await room.track({"n": 1})
        while "me" not in room.presence_state():
            await synced.next()
        [before] = room.presence_state()["me"]
        await realtime_server.disconnect_all()
        await states.until(SubscribeState.CHANNEL_ERROR)
        await states.until(SubscribeState.SUBSCRIBED)
        while [meta["presence_ref"] for meta in room.presence_state().get("me", [])] in (
            [],
            [before["presence_ref"]],
        ):
            await synced.next()
        [after] = room.presence_state()["me"]
        assert after["n"] == 1


async def test_presence_key_alone_enables_presence(realtime_server: LocalRealtimeServer) -> None:
    url, key = realtime_server.url, realtime_server.anon_key
    async with RealtimeClient(url, apikey=key) as alice, RealtimeClient(url, apikey=key) as bob:
        other = bob.channel("room", presence_key="bob")
        await other.subscribe()
        await other.track({"user": "b"})
        room = alice.channel("room", presence_key="alice")  # no presence callback
        await room.subscribe()
        await room.track({"user": "a"})
        # The join's presence_state came before the track's reply, on the same socket.
        assert room.presence_state()["bob"][0]["user"] == "b"


async def test_track_without_presence_is_visible_to_others_and_says_so(
    realtime_server: LocalRealtimeServer,
) -> None:
    url, key = realtime_server.url, realtime_server.anon_key
    async with RealtimeClient(url, apikey=key) as alice, RealtimeClient(url, apikey=key) as bob:
        joins: Inbox[Joined] = Inbox()
        watcher = bob.channel("room")
        watcher.on_presence_join(lambda key, current, new: joins((key, current, new)))
        await watcher.subscribe()
        errors: list[Exception] = []
        alice.on_error(errors.append)
        room = alice.channel("room", presence_key="alice", presence_enabled=False)
        await room.subscribe()
        await room.track({"user": "a"})
        await room.track({"user": "a2"})
        key_, _, new = await joins.next()
        assert (key_, new[0]["user"]) == ("alice", "a")
        assert room.presence_state() == {}
        [warning] = errors
        assert "joined without presence" in str(warning)
        assert "presence_enabled=True" in str(warning)
