"""PresenceTracker: refs, updates, no-op re-tracks, untracks and the grouped payloads."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from realtime_typed.local.channels.presence import PresenceTracker, new_ref_factory


def counting_refs() -> Callable[[], str]:
    numbers = itertools.count(1)
    return lambda: f"r{next(numbers)}"


def test_track_joins_with_a_fresh_ref() -> None:
    tracker = PresenceTracker(ref_factory=counting_refs())
    diff = tracker.track("room", "c1", "alice", {"status": "online"})
    assert diff == {
        "joins": {"alice": {"metas": [{"status": "online", "phx_ref": "r1"}]}},
        "leaves": {},
    }
    assert tracker.state("room") == {"alice": {"metas": [{"status": "online", "phx_ref": "r1"}]}}


def test_update_carries_phx_ref_prev_and_leaves_the_old_meta() -> None:
    tracker = PresenceTracker(ref_factory=counting_refs())
    tracker.track("room", "c1", "alice", {"status": "online"})
    diff = tracker.track("room", "c1", "alice", {"status": "away"})
    assert diff == {
        "joins": {"alice": {"metas": [{"status": "away", "phx_ref": "r2", "phx_ref_prev": "r1"}]}},
        "leaves": {"alice": {"metas": [{"status": "online", "phx_ref": "r1"}]}},
    }
    assert tracker.state("room") == {
        "alice": {"metas": [{"status": "away", "phx_ref": "r2", "phx_ref_prev": "r1"}]}
    }


def test_identical_retrack_is_a_no_op() -> None:
    tracker = PresenceTracker(ref_factory=counting_refs())
    tracker.track("room", "c1", "alice", {"n": 1, "tags": ["a"]})
    assert tracker.track("room", "c1", "alice", {"tags": ["a"], "n": 1}) is None
    assert tracker.state("room") == {"alice": {"metas": [{"n": 1, "tags": ["a"], "phx_ref": "r1"}]}}


def test_retrack_with_json_unequal_values_is_an_update() -> None:
    tracker = PresenceTracker(ref_factory=counting_refs())
    tracker.track("room", "c1", "alice", {"flag": True})
    assert tracker.track("room", "c1", "alice", {"flag": 1}) is not None
    assert tracker.track("room", "c1", "alice", {"flag": 1.0}) is not None
    assert tracker.track("room", "c1", "alice", {"flag": [1.0]}) is not None
    assert tracker.track("room", "c1", "alice", {"flag": [1.0]}) is None


def test_client_supplied_refs_are_replaced() -> None:
    tracker = PresenceTracker(ref_factory=counting_refs())
    diff = tracker.track("room", "c1", "k", {"phx_ref": "fake", "phx_ref_prev": "x", "a": 1})
    assert diff == {"joins": {"k": {"metas": [{"a": 1, "phx_ref": "r1"}]}}, "leaves": {}}


def test_new_key_leaves_the_old_key_in_one_diff() -> None:
    tracker = PresenceTracker(ref_factory=counting_refs())
    tracker.track("room", "c1", "alice", {})
    diff = tracker.track("room", "c1", "bob", {})
    assert diff == {
        "joins": {"bob": {"metas": [{"phx_ref": "r2"}]}},
        "leaves": {"alice": {"metas": [{"phx_ref": "r1"}]}},
    }
    assert tracker.state("room") == {"bob": {"metas": [{"phx_ref": "r2"}]}}


def test_state_groups_connections_by_key_and_topics_are_separate() -> None:
    tracker = PresenceTracker(ref_factory=counting_refs())
    tracker.track("room", "c1", "alice", {"d": "phone"})
    tracker.track("room", "c2", "alice", {"d": "laptop"})
    tracker.track("room", "c3", "bob", {})
    tracker.track("other", "c1", "alice", {})
    assert tracker.state("room") == {
        "alice": {"metas": [{"d": "phone", "phx_ref": "r1"}, {"d": "laptop", "phx_ref": "r2"}]},
        "bob": {"metas": [{"phx_ref": "r3"}]},
    }
    assert tracker.state("other") == {"alice": {"metas": [{"phx_ref": "r4"}]}}
    assert tracker.state("empty") == {}


def test_untrack_leaves_and_untracking_nothing_returns_none() -> None:
    tracker = PresenceTracker(ref_factory=counting_refs())
    tracker.track("room", "c1", "alice", {"a": 1})
    assert tracker.untrack("room", "c1") == {
        "joins": {},
        "leaves": {"alice": {"metas": [{"a": 1, "phx_ref": "r1"}]}},
    }
    assert tracker.untrack("room", "c1") is None
    assert tracker.untrack("nowhere", "c9") is None
    assert tracker.state("room") == {}


def test_untrack_all_leaves_every_topic_of_a_connection() -> None:
    tracker = PresenceTracker(ref_factory=counting_refs())
    tracker.track("a", "c1", "k", {})
    tracker.track("b", "c1", "k", {})
    tracker.track("b", "c2", "k", {})
    assert tracker.untrack_all("c1") == [
        ("a", {"joins": {}, "leaves": {"k": {"metas": [{"phx_ref": "r1"}]}}}),
        ("b", {"joins": {}, "leaves": {"k": {"metas": [{"phx_ref": "r2"}]}}}),
    ]
    assert tracker.untrack_all("c1") == []
    assert tracker.state("b") == {"k": {"metas": [{"phx_ref": "r3"}]}}


def test_default_refs_are_unique_short_strings() -> None:
    next_ref = new_ref_factory()
    refs = {next_ref() for _ in range(1000)}
    assert len(refs) == 1000
    assert all(len(ref) == 16 and ref.isascii() for ref in refs)
    tracker = PresenceTracker()
    diff = tracker.track("room", "c1", "k", {})
    assert diff is not None
    assert len(diff["joins"]["k"]["metas"][0]["phx_ref"]) == 16
