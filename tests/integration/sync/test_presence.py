"""Presence through the blocking client: untyped and typed metas, join and leave callbacks."""

from __future__ import annotations

from pydantic import BaseModel

from realtime_typed import PresenceSpec, PresenceUpdate
from realtime_typed.sync import RealtimeClient
from realtime_typed.testing import LocalRealtimeServer

from .helpers import WAIT, Inbox, blocking


class Member(BaseModel):
    user_id: str
    status: str = "online"


MEMBER = PresenceSpec(Member)


async def test_track_untrack_and_presence_state(realtime_server: LocalRealtimeServer) -> None:
    def scenario() -> None:
        joins: Inbox[tuple[str, list[Member]]] = Inbox()
        leaves: Inbox[str] = Inbox()
        syncs: Inbox[None] = Inbox()
        with (
            RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as alice,
            RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as bob,
        ):
            watcher = alice.channel("lobby", presence=MEMBER, presence_key="alice")
            watcher.on_presence_join(lambda key, current, joined: joins((key, joined)))
            watcher.on_presence_leave(lambda key, remaining, left: leaves(key))
            watcher.on_presence_sync(lambda: syncs(None))
            watcher.subscribe(timeout=WAIT)
            member = bob.channel("lobby", presence_key="bob", presence_enabled=True)
            member.subscribe(timeout=WAIT)
            member.track({"user_id": "b", "status": "away"}, timeout=WAIT)
            while (joined := joins.get())[0] != "bob":
                pass
            assert joined[1] == [Member(user_id="b", status="away")]
            assert watcher.presence_state()["bob"] == [Member(user_id="b", status="away")]
            member.untrack(timeout=WAIT)
            while leaves.get() != "bob":
                pass
            assert "bob" not in watcher.presence_state()
            assert not syncs.empty()
            assert joins.threads == leaves.threads == {"realtime-delivery"}

    await blocking(scenario)


async def test_on_presence_gets_joins_and_leaves_as_updates(
    realtime_server: LocalRealtimeServer,
) -> None:
    def scenario() -> None:
        updates: Inbox[PresenceUpdate[Member]] = Inbox()
        with (
            RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as alice,
            RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as bob,
        ):
            watcher = alice.channel("lobby", presence=MEMBER, presence_key="alice")
            watcher.on_presence(updates)
            watcher.subscribe(timeout=WAIT)
            member = bob.channel("lobby", presence_key="bob", presence_enabled=True)
            member.subscribe(timeout=WAIT)
            member.track({"user_id": "b", "status": "here"}, timeout=WAIT)
            while (update := updates.get()).event != "join":
                assert (update.event, update.key) == ("sync", None)
            assert (update.key, update.changed) == ("bob", [Member(user_id="b", status="here")])
            member.untrack(timeout=WAIT)
            while (update := updates.get()).event != "leave":
                pass
            assert (update.key, update.current) == ("bob", [])
            assert updates.threads == {"realtime-delivery"}

    await blocking(scenario)
