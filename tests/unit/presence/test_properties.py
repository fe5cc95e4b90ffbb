"""Property: every client's PresenceSync converges to the PresenceTracker's state.

Random track, update, untrack and disconnect operations by several connections run against one
tracker. Each simulated client has its own inbox of presence_diff payloads and rejoins at random:
a rejoin drops what was in flight, resets the sync, and the server's presence_state snapshot is
taken at some later point and may be overtaken by diffs, as on the real wire. States of earlier
joins may still arrive late. After everything is delivered, each client's state equals the
tracker's, and the join and leave events each client saw describe exactly how its state changed.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from realtime_typed.local.channels.presence import Diff, Groups, PresenceTracker
from realtime_typed.protocol.presence import Meta, PresenceEvent, PresenceSync, to_user_meta

TOPIC = "room"
CONNECTIONS = 4
CLIENTS = 3

Op = tuple[str, int] | tuple[str, int, int] | tuple[str, int, str, dict[str, Any]]

ops: st.SearchStrategy[Op] = st.one_of(
    st.tuples(
        st.just("track"),
        st.integers(0, CONNECTIONS - 1),
        st.sampled_from(["alice", "bob", "__proto__", "constructor", "", "ü 🔑"]),
        st.sampled_from([{}, {"s": 1}, {"s": 2}, {"s": True}, {"s": 1.0}, {"nested": {"a": [1]}}]),
    ),
    st.tuples(st.just("untrack"), st.integers(0, CONNECTIONS - 1)),
    st.tuples(st.just("disconnect"), st.integers(0, CONNECTIONS - 1)),
    st.tuples(st.just("rejoin"), st.integers(0, CLIENTS - 1)),
    st.tuples(st.just("snapshot"), st.integers(0, CLIENTS - 1)),
    st.tuples(st.just("deliver_state"), st.integers(0, CLIENTS - 1)),
    st.tuples(st.just("deliver_stale"), st.integers(0, CLIENTS - 1)),
    st.tuples(st.just("deliver"), st.integers(0, CLIENTS - 1), st.integers(1, 4)),
)


@dataclass
class Client:
    """One simulated channel: its sync, its inbox and the state its events describe."""

    sync: PresenceSync = field(default_factory=PresenceSync)
    joins: int = 0
    inbox: deque[Diff] = field(default_factory=deque[Diff])
    subscribed: bool = False
    snapshot: Groups | None = None
    stale: list[tuple[str, Groups]] = field(default_factory=list[tuple[str, Groups]])
    seen: dict[str, list[Meta]] = field(default_factory=dict[str, list[Meta]])

    def rejoin(self) -> None:
        if self.snapshot is not None:
            self.stale.append((str(self.joins), self.snapshot))
        self.joins += 1
        self.inbox.clear()
        self.snapshot = None
        self.subscribed = True
        self.sync.reset(str(self.joins))

    def deliver_state(self) -> None:
        if self.snapshot is not None:
            self.observe(self.sync.apply_state(str(self.joins), self.snapshot))
            self.snapshot = None
            self.subscribed = False

    def deliver_stale(self) -> None:
        if self.stale:
            join_ref, payload = self.stale.pop(0)
            before = self.sync.state()
            assert self.sync.apply_state(join_ref, payload) == []
            assert self.sync.state() == before

    def deliver(self, count: int) -> None:
        for _ in range(min(count, len(self.inbox))):
            self.observe(self.sync.apply_diff(self.inbox.popleft()))

    def observe(self, events: list[PresenceEvent]) -> None:
        if not events:
            assert self.sync.pending
            return
        assert events[-1] == PresenceEvent("sync", None, [], [])
        for event in events[:-1]:
            assert event.key is not None
            if event.kind == "join":
                assert event.current == self.seen.get(event.key, [])
                joined = {meta["presence_ref"] for meta in event.changed}
                kept = [meta for meta in event.current if meta["presence_ref"] not in joined]
                self.seen[event.key] = kept + event.changed
            elif event.current:
                self.seen[event.key] = event.current
            else:
                del self.seen[event.key]
        assert self.seen == self.sync.state()


def user_shaped(state: Groups) -> dict[str, list[Meta]]:
    return {
        key: sorted((to_user_meta(meta) for meta in group["metas"]), key=by_ref)
        for key, group in state.items()
    }


def by_ref(meta: Meta) -> str:
    return str(meta["presence_ref"])


def run(script: list[Op]) -> None:
    tracker = PresenceTracker()
    clients = [Client() for _ in range(CLIENTS)]
    for client in clients:
        client.rejoin()

    def broadcast(diff: Diff | None) -> None:
        if diff is not None:
            for client in clients:
                client.inbox.append(diff)

    for op in script:
        match op:
            case ("track", conn, key, meta):
                broadcast(tracker.track(TOPIC, conn, key, meta))
            case ("untrack", conn):
                broadcast(tracker.untrack(TOPIC, conn))
            case ("disconnect", conn):
                for _, diff in tracker.untrack_all(conn):
                    broadcast(diff)
            case ("rejoin", index):
                clients[index].rejoin()
            case ("snapshot", index) if clients[index].subscribed:
                clients[index].snapshot = tracker.state(TOPIC)
            case ("deliver_state", index):
                clients[index].deliver_state()
            case ("deliver_stale", index):
                clients[index].deliver_stale()
            case ("deliver", index, count):
                clients[index].deliver(count)
            case _:
                pass

    expected = user_shaped(tracker.state(TOPIC))
    for client in clients:
        if client.subscribed and client.snapshot is None:
            client.snapshot = tracker.state(TOPIC)
        client.deliver_state()
        client.deliver(len(client.inbox))
        assert not client.sync.pending
        settled = {key: sorted(metas, key=by_ref) for key, metas in client.sync.state().items()}
        assert settled == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(ops, max_size=60))
def test_every_client_converges_to_the_tracker_state(script: list[Op]) -> None:
    run(script)


def test_a_diff_overtaking_the_state_of_a_rejoin() -> None:
    run(
        [
            ("track", 0, "alice", {"s": 1}),
            ("deliver", 0, 1),
            ("rejoin", 0),
            ("snapshot", 0),
            ("track", 0, "alice", {"s": 2}),
            ("untrack", 1),
            ("deliver", 0, 1),
            ("deliver_state", 0),
        ]
    )
