"""Pure parts of the feed: poll cadence, fan-out order and filter parsing."""

from __future__ import annotations

import random
import uuid
from typing import Any

import pytest

from realtime_typed.local.postgres.cadence import IDLE_MULTIPLIER, next_poll_delay
from realtime_typed.local.postgres.fanout import ChannelSubscription, route
from realtime_typed.local.postgres.params import ColumnFilter, SubscriptionParams, parse_binding


async def _ignore(payload: dict[str, Any]) -> None:
    del payload


class _EdgeJitter(random.Random):
    """Draws the lowest or the highest jitter, so both ends of the range are pinned."""

    def __init__(self, *, highest: bool) -> None:
        super().__init__(0)
        self._highest = highest

    def randint(self, a: int, b: int) -> int:
        return b if self._highest else a


def test_cadence_polls_again_at_once_after_delivering_rows() -> None:
    rng = random.Random(7)
    assert next_poll_delay(delivered=3, slot_changes=3, poll_interval=0.1, rng=rng) == 0.0


def test_cadence_waits_interval_plus_jitter_when_changes_were_invisible() -> None:
    low = next_poll_delay(
        delivered=0, slot_changes=2, poll_interval=0.1, rng=_EdgeJitter(highest=False)
    )
    high = next_poll_delay(
        delivered=0, slot_changes=2, poll_interval=0.1, rng=_EdgeJitter(highest=True)
    )
    assert low == pytest.approx(0.15)
    assert high == pytest.approx(0.2)


def test_cadence_waits_five_intervals_when_idle() -> None:
    rng = random.Random(7)
    assert IDLE_MULTIPLIER == 5
    assert next_poll_delay(delivered=0, slot_changes=0, poll_interval=0.1, rng=rng) == 0.5
    assert next_poll_delay(delivered=0, slot_changes=0, poll_interval=0.2, rng=rng) == 1.0


def test_route_lists_matching_bindings_last_first() -> None:
    subs = [uuid.uuid4() for _ in range(3)]
    channel = ChannelSubscription("c", {}, _ignore, [(10, subs[0]), (11, subs[1]), (12, subs[2])])
    owners = dict.fromkeys(subs, channel)
    [(routed, ids)] = route([subs[0], subs[2], uuid.uuid4()], owners)
    assert routed is channel
    assert ids == [12, 10]


def test_parse_defaults_and_quoting() -> None:
    assert parse_binding({"table": "todos", "event": "update"}) == SubscriptionParams(
        "UPDATE", "public", "todos", (), None
    )
    parsed = parse_binding(
        {"schema": "s", "table": "t", "filter": 'a=not.eq."x,y",b=in.(1,2)', "select": ["a", 3]}
    )
    assert parsed == SubscriptionParams(
        "*",
        "s",
        "t",
        (ColumnFilter("a", "eq", "x,y", True), ColumnFilter("b", "in", "{1,2}", False)),
        ("a",),
    )
