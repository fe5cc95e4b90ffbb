"""PresenceSync against the reference client's presence tables and wire samples."""

from __future__ import annotations

from typing import Any

import pytest

from realtime_typed.errors import ProtocolError
from realtime_typed.protocol.presence import PresenceEvent, PresenceSync, to_user_meta

SYNC = PresenceEvent("sync", None, [], [])


def synced(state: dict[str, Any] | None = None, join_ref: str = "1") -> PresenceSync:
    sync = PresenceSync()
    sync.reset(join_ref)
    sync.apply_state(join_ref, state or {})
    return sync


def diff(joins: dict[str, Any] | None = None, leaves: dict[str, Any] | None = None) -> Any:
    return {"joins": joins or {}, "leaves": leaves or {}}


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        pytest.param({}, {}, id="empty"),
        pytest.param(
            {"abc123": {"metas": [{"phx_ref": "2", "phx_ref_prev": "1", "user_id": 1}]}},
            {"abc123": [{"presence_ref": "2", "user_id": 1}]},
            id="single presence",
        ),
        pytest.param(
            {"abc123": {"metas": [{"phx_ref": "2", "user_id": 1}]}},
            {"abc123": [{"presence_ref": "2", "user_id": 1}]},
            id="single presence without phx_ref_prev",
        ),
        pytest.param(
            {
                "abc123": {
                    "metas": [
                        {"phx_ref": "2", "phx_ref_prev": "1", "user_id": 1},
                        {"phx_ref": "3", "user_id": 2},
                    ]
                }
            },
            {"abc123": [{"presence_ref": "2", "user_id": 1}, {"presence_ref": "3", "user_id": 2}]},
            id="multiple presences",
        ),
        pytest.param(
            {
                "abc123": {"metas": [{"phx_ref": "2", "phx_ref_prev": "1", "user_id": 1}]},
                "def456": {"metas": [{"phx_ref": "4", "user_id": 3}]},
            },
            {
                "abc123": [{"presence_ref": "2", "user_id": 1}],
                "def456": [{"presence_ref": "4", "user_id": 3}],
            },
            id="multiple keys",
        ),
        pytest.param({"abc123": {"metas": []}}, {"abc123": []}, id="empty metas"),
        pytest.param(
            {
                "abc123": {
                    "metas": [
                        {"phx_ref": "2", "phx_ref_prev": "1", "user_id": 1, "details": {"m": "ok"}}
                    ]
                }
            },
            {"abc123": [{"presence_ref": "2", "user_id": 1, "details": {"m": "ok"}}]},
            id="with extra data",
        ),
    ],
)
def test_state_is_in_user_shape(wire: dict[str, Any], expected: dict[str, Any]) -> None:
    assert synced(wire).state() == expected


def test_payloads_are_not_mutated() -> None:
    state = {"abc123": {"metas": [{"phx_ref": "2", "phx_ref_prev": "1", "user_id": 1}]}}
    update = diff(
        joins={"abc123": {"metas": [{"phx_ref": "3", "phx_ref_prev": "2", "user_id": 1}]}},
        leaves={"abc123": {"metas": [{"phx_ref": "2", "phx_ref_prev": "1", "user_id": 1}]}},
    )
    sync = synced(state)
    sync.apply_diff(update)
    assert state == {"abc123": {"metas": [{"phx_ref": "2", "phx_ref_prev": "1", "user_id": 1}]}}
    assert update["leaves"]["abc123"]["metas"][0]["phx_ref"] == "2"


def test_the_ref_wins_over_a_tracked_presence_ref_field() -> None:
    assert to_user_meta({"phx_ref": "r", "presence_ref": "fake", "a": 1}) == {
        "presence_ref": "r",
        "a": 1,
    }


def test_join_then_leave_from_the_realtime_js_samples() -> None:
    meta = {"phx_ref": "phoenix_ref", "name": "John", "user_id": "user-123"}
    user = {"presence_ref": "phoenix_ref", "name": "John", "user_id": "user-123"}
    sync = synced({})
    assert sync.apply_diff(diff(joins={"user-123": {"metas": [meta]}})) == [
        PresenceEvent("join", "user-123", [], [user]),
        SYNC,
    ]
    assert sync.state() == {"user-123": [user]}
    assert sync.apply_diff(diff(leaves={"user-123": {"metas": [meta]}})) == [
        PresenceEvent("leave", "user-123", [], [user]),
        SYNC,
    ]
    assert sync.state() == {}


def test_update_collapses_to_one_meta_and_fires_join_then_leave() -> None:
    sync = synced({"user-123": {"metas": [{"phx_ref": "r1", "status": "online"}]}})
    events = sync.apply_diff(
        diff(
            joins={
                "user-123": {"metas": [{"phx_ref": "r2", "phx_ref_prev": "r1", "status": "away"}]}
            },
            leaves={"user-123": {"metas": [{"phx_ref": "r1", "status": "online"}]}},
        )
    )
    online = {"presence_ref": "r1", "status": "online"}
    away = {"presence_ref": "r2", "status": "away"}
    assert events == [
        PresenceEvent("join", "user-123", [online], [away]),
        PresenceEvent("leave", "user-123", [away], [online]),
        SYNC,
    ]
    assert sync.state() == {"user-123": [away]}


def test_key_goes_away_only_when_its_last_meta_leaves() -> None:
    sync = synced({"u": {"metas": [{"phx_ref": "a"}, {"phx_ref": "b"}]}})
    events = sync.apply_diff(diff(leaves={"u": {"metas": [{"phx_ref": "a"}]}}))
    assert events[0] == PresenceEvent(
        "leave", "u", [{"presence_ref": "b"}], [{"presence_ref": "a"}]
    )
    assert sync.state() == {"u": [{"presence_ref": "b"}]}
    sync.apply_diff(diff(leaves={"u": {"metas": [{"phx_ref": "b"}]}}))
    assert sync.state() == {}


def test_a_leave_of_one_meta_among_several_keeps_the_others_in_order() -> None:
    sync = synced({"u": {"metas": [{"phx_ref": "a"}, {"phx_ref": "b"}, {"phx_ref": "c"}]}})
    kept = [{"presence_ref": "a"}, {"presence_ref": "c"}]
    events = sync.apply_diff(diff(leaves={"u": {"metas": [{"phx_ref": "b"}]}}))
    assert events == [PresenceEvent("leave", "u", kept, [{"presence_ref": "b"}]), SYNC]
    events = sync.apply_diff(diff(leaves={"u": {"metas": [{"phx_ref": "z"}]}}))
    assert events == [PresenceEvent("leave", "u", kept, [{"presence_ref": "z"}]), SYNC]
    assert sync.state() == {"u": kept}


def test_leave_of_an_unknown_key_is_skipped_and_join_of_a_known_ref_replaces_it() -> None:
    sync = synced({"u": {"metas": [{"phx_ref": "a", "v": 1}, {"phx_ref": "b"}]}})
    events = sync.apply_diff(
        diff(joins={"u": {"metas": [{"phx_ref": "a", "v": 2}]}}, leaves={"ghost": {"metas": []}})
    )
    assert [event.kind for event in events] == ["join", "sync"]
    assert sync.state() == {"u": [{"presence_ref": "b"}, {"presence_ref": "a", "v": 2}]}


@pytest.mark.parametrize(
    "key", ["__proto__", "constructor", "toString", "", "ключ 🔑", "hasOwnProperty"]
)
def test_any_string_is_an_ordinary_key(key: str) -> None:
    sync = synced({key: {"metas": [{"phx_ref": "1", "__proto__": {"polluted": True}}]}})
    assert sync.state() == {key: [{"presence_ref": "1", "__proto__": {"polluted": True}}]}
    sync.apply_diff(diff(joins={key: {"metas": [{"phx_ref": "2"}]}}))
    assert [meta["presence_ref"] for meta in sync.state()[key]] == ["1", "2"]
    sync.apply_diff(diff(leaves={key: {"metas": [{"phx_ref": "1"}, {"phx_ref": "2"}]}}))
    assert sync.state() == {}


def test_diff_before_state_is_buffered_then_applied_after_it() -> None:
    meta = {"phx_ref": "phoenix_ref", "name": "John", "user_id": "user-123"}
    user = {"presence_ref": "phoenix_ref", "name": "John", "user_id": "user-123"}
    sync = PresenceSync()
    sync.reset("1")
    assert sync.pending
    assert sync.apply_diff(diff(joins={"user-123": {"metas": [meta]}})) == []
    assert sync.state() == {}
    events = sync.apply_state("1", {"other": {"metas": [{"phx_ref": "o"}]}})
    assert events == [
        PresenceEvent("join", "other", [], [{"presence_ref": "o"}]),
        PresenceEvent("join", "user-123", [], [user]),
        SYNC,
    ]
    assert not sync.pending
    assert sync.state() == {"other": [{"presence_ref": "o"}], "user-123": [user]}


def test_state_reconciles_and_reports_only_what_changed() -> None:
    sync = synced(
        {
            "stays": {"metas": [{"phx_ref": "s"}]},
            "gone": {"metas": [{"phx_ref": "g"}]},
            "mixed": {"metas": [{"phx_ref": "m1"}, {"phx_ref": "m2"}]},
        }
    )
    sync.reset("2")
    events = sync.apply_state(
        "2",
        {
            "stays": {"metas": [{"phx_ref": "s"}]},
            "mixed": {"metas": [{"phx_ref": "m2"}, {"phx_ref": "m3"}]},
            "new": {"metas": [{"phx_ref": "n"}]},
        },
    )
    assert events == [
        PresenceEvent(
            "join",
            "mixed",
            [{"presence_ref": "m1"}, {"presence_ref": "m2"}],
            [{"presence_ref": "m3"}],
        ),
        PresenceEvent("join", "new", [], [{"presence_ref": "n"}]),
        PresenceEvent("leave", "gone", [], [{"presence_ref": "g"}]),
        PresenceEvent(
            "leave",
            "mixed",
            [{"presence_ref": "m2"}, {"presence_ref": "m3"}],
            [{"presence_ref": "m1"}],
        ),
        SYNC,
    ]
    assert sync.state() == {
        "stays": [{"presence_ref": "s"}],
        "mixed": [{"presence_ref": "m2"}, {"presence_ref": "m3"}],
        "new": [{"presence_ref": "n"}],
    }


def test_rejoin_is_pending_again_until_its_own_state() -> None:
    sync = synced({"a": {"metas": [{"phx_ref": "1"}]}}, join_ref="1")
    sync.reset("2")
    assert sync.pending
    assert sync.join_ref == "2"
    assert sync.apply_diff(diff(joins={"b": {"metas": [{"phx_ref": "2"}]}})) == []
    assert sync.apply_state("1", {}) == []
    assert sync.stale_states == 1
    assert sync.pending
    assert sync.state() == {"a": [{"presence_ref": "1"}]}
    sync.apply_state("2", {"a": {"metas": [{"phx_ref": "1"}]}})
    assert not sync.pending
    assert sync.state() == {"a": [{"presence_ref": "1"}], "b": [{"presence_ref": "2"}]}


def test_reset_drops_diffs_buffered_for_an_earlier_join() -> None:
    sync = PresenceSync()
    sync.reset("1")
    sync.apply_diff(diff(joins={"old": {"metas": [{"phx_ref": "x"}]}}))
    sync.reset("2")
    assert sync.discarded_diffs == 1
    sync.apply_state("2", {})
    assert sync.state() == {}


def test_state_without_join_ref_counts_as_the_current_join() -> None:
    sync = PresenceSync()
    assert sync.pending
    sync.apply_state(None, {"k": {"metas": [{"phx_ref": "1"}]}})
    assert not sync.pending
    sync.reset("7")
    sync.apply_state(None, {})
    assert not sync.pending
    assert sync.state() == {}


def test_state_snapshots_are_cached_and_stable() -> None:
    sync = synced({"a": {"metas": [{"phx_ref": "1"}]}})
    first = sync.state()
    assert sync.state() is first
    sync.apply_diff(diff(joins={"b": {"metas": [{"phx_ref": "2"}]}}))
    assert first == {"a": [{"presence_ref": "1"}]}
    assert sync.state() == {"a": [{"presence_ref": "1"}], "b": [{"presence_ref": "2"}]}


@pytest.mark.parametrize(
    "payload",
    [
        [],
        None,
        {"k": []},
        {"k": {"metas": {}}},
        {"k": {"metas": ["x"]}},
        {"k": {"metas": [{"name": "no ref"}]}},
        {"k": {"metas": [{"phx_ref": 1}]}},
    ],
)
def test_malformed_payloads_raise_and_change_nothing(payload: Any) -> None:
    sync = synced({"a": {"metas": [{"phx_ref": "1"}]}})
    with pytest.raises(ProtocolError):
        sync.apply_state("1", payload)
    with pytest.raises(ProtocolError):
        sync.apply_diff({"joins": payload, "leaves": {}})
    with pytest.raises(ProtocolError):
        sync.apply_diff({"joins": {"b": {"metas": [{"phx_ref": "2"}]}}, "leaves": payload})
    assert sync.state() == {"a": [{"presence_ref": "1"}]}


def test_missing_joins_or_leaves_count_as_empty() -> None:
    sync = synced({})
    with pytest.raises(ProtocolError):
        sync.apply_diff([])
    sync.apply_diff({"joins": {"k": {"metas": [{"phx_ref": "1"}]}}})
    sync.apply_diff({"leaves": {"k": {"metas": [{"phx_ref": "1"}]}}})
    assert sync.state() == {}


def test_a_ref_repeated_under_one_key_keeps_its_first_place_and_last_meta() -> None:
    sync = synced(
        {"u": {"metas": [{"phx_ref": "a", "v": 1}, {"phx_ref": "b"}, {"phx_ref": "a", "v": 2}]}}
    )
    assert sync.state() == {"u": [{"presence_ref": "a", "v": 2}, {"presence_ref": "b"}]}


def test_events_and_snapshots_keep_their_content_through_later_changes() -> None:
    sync = PresenceSync()
    sync.reset("1")
    first = sync.apply_state(
        "1", {"u": {"metas": [{"phx_ref": "a"}]}, "v": {"metas": [{"phx_ref": "b"}]}}
    )
    snapshot = sync.state()
    later = [
        sync.apply_diff(diff(joins={"u": {"metas": [{"phx_ref": "c"}]}})),
        sync.apply_diff(diff(leaves={"u": {"metas": [{"phx_ref": "a"}]}})),
        sync.apply_diff(diff(leaves={"v": {"metas": [{"phx_ref": "b"}]}})),
        sync.apply_diff(diff(joins={"w": {"metas": [{"phx_ref": "d"}]}})),
    ]
    assert first == [
        PresenceEvent("join", "u", [], [{"presence_ref": "a"}]),
        PresenceEvent("join", "v", [], [{"presence_ref": "b"}]),
        SYNC,
    ]
    assert snapshot == {"u": [{"presence_ref": "a"}], "v": [{"presence_ref": "b"}]}
    assert [events[0] for events in later] == [
        PresenceEvent("join", "u", [{"presence_ref": "a"}], [{"presence_ref": "c"}]),
        PresenceEvent("leave", "u", [{"presence_ref": "c"}], [{"presence_ref": "a"}]),
        PresenceEvent("leave", "v", [], [{"presence_ref": "b"}]),
        PresenceEvent("join", "w", [], [{"presence_ref": "d"}]),
    ]
    assert all(events[-1] == SYNC for events in later)
    assert sync.state() == {"u": [{"presence_ref": "c"}], "w": [{"presence_ref": "d"}]}


def test_a_malformed_presence_is_named_in_the_error() -> None:
    sync = synced({})
    with pytest.raises(ProtocolError, match="presence_diff joins: presence 'bad'"):
        sync.apply_diff(diff(joins={"ok": {"metas": []}, "bad": {"metas": [{"phx_ref": None}]}}))
    assert sync.state() == {}
