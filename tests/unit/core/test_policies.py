"""Backoff policies, the channel state table, the deadline queue and binding-id matching."""

from __future__ import annotations

import pytest

from realtime_typed.protocol.backoff import reconnect_after, rejoin_after
from realtime_typed.protocol.channel_state import (
    TRANSITIONS,
    ChannelState,
    IllegalTransition,
    Trigger,
    next_state,
)
from realtime_typed.protocol.deadlines import DeadlineQueue
from realtime_typed.protocol.postgres_bindings import binding_config, match_binding_ids


def test_reconnect_backoff_steps_then_ceiling() -> None:
    assert [reconnect_after(n) for n in range(1, 8)] == [1.0, 2.0, 5.0, 10.0, 10.0, 10.0, 10.0]


def test_rejoin_backoff_steps_then_ceiling() -> None:
    assert [rejoin_after(n) for n in range(1, 6)] == [1.0, 2.0, 5.0, 10.0, 10.0]


def test_backoff_before_the_first_try_is_the_first_step() -> None:
    assert reconnect_after(0) == 1.0


def test_every_state_has_a_row_and_close_is_always_legal() -> None:
    assert set(TRANSITIONS) == set(ChannelState)
    for state in ChannelState:
        assert next_state(state, Trigger.CLOSE) is ChannelState.CLOSED


@pytest.mark.parametrize(
    ("state", "trigger"),
    [
        (ChannelState.CLOSED, Trigger.JOIN_OK),
        (ChannelState.JOINED, Trigger.JOIN),
        (ChannelState.LEAVING, Trigger.JOIN),
        (ChannelState.ERRORED, Trigger.JOIN_OK),
    ],
)
def test_illegal_transition_raises(state: ChannelState, trigger: Trigger) -> None:
    with pytest.raises(IllegalTransition, match=trigger.value):
        next_state(state, trigger)


def test_deadlines_fire_in_order_and_cancelled_ones_never() -> None:
    queue = DeadlineQueue()
    fired: list[tuple[str, float]] = []
    queue.add(2.0, lambda now: fired.append(("b", now)))
    first = queue.add(1.0, lambda now: fired.append(("a", now)))
    cancelled = queue.add(1.5, lambda now: fired.append(("x", now)))
    cancelled.cancel()
    assert queue.next_deadline() == 1.0
    queue.fire_due(0.5)
    assert fired == []
    queue.fire_due(3.0)
    assert fired == [("a", 3.0), ("b", 3.0)]
    assert first.cancelled
    assert queue.next_deadline() is None


def test_deadline_added_while_firing_waits_for_the_next_round() -> None:
    queue = DeadlineQueue()
    fired: list[float] = []

    def reschedule(now: float) -> None:
        queue.add(now + 1.0, fired.append)

    queue.add(1.0, reschedule)
    queue.fire_due(1.0)
    assert fired == []
    assert queue.next_deadline() == 2.0


def test_binding_config_leaves_out_absent_parts() -> None:
    assert binding_config("INSERT", "public") == {"event": "INSERT", "schema": "public"}
    assert binding_config("*", "public", "todos", "id=eq.1", ["id"]) == {
        "event": "*",
        "schema": "public",
        "table": "todos",
        "filter": "id=eq.1",
        "select": ["id"],
    }


def test_binding_ids_match_by_position_null_and_missing_alike() -> None:
    client = [
        binding_config("INSERT", "public", "users", "id=eq.1"),
        binding_config("UPDATE", "public", "users"),
    ]
    server = [
        {"event": "INSERT", "schema": "public", "table": "users", "filter": "id=eq.1", "id": 7},
        {"event": "UPDATE", "schema": "public", "table": "users", "filter": None, "id": 8},
        {"event": "DELETE", "schema": "public", "table": "extra", "id": 9},
    ]
    assert match_binding_ids(client, server) == [7, 8]


@pytest.mark.parametrize(
    "server",
    [
        [{"event": "*", "schema": "public", "id": 1}],
        [{"event": "insert", "schema": "public", "table": "t", "id": 1}, {}],
        [{"event": "INSERT", "schema": "other", "table": "t", "id": 1}, {}],
        [{"event": "INSERT", "schema": "public", "table": "t", "filter": "a=eq.1", "id": 1}, {}],
        "not a list",
        ["not an object", {}],
    ],
)
def test_binding_mismatch_gives_none(server: object) -> None:
    client = [binding_config("INSERT", "public", "t"), binding_config("*", "public")]
    assert match_binding_ids(client, server) is None
