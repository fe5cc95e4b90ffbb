"""The real server's rolling-average rate counter, with a fake clock."""

from __future__ import annotations

from realtime_typed.local.channels.rate_limit import RollingRateLimit


def test_triggers_at_the_tick_where_the_average_reaches_the_limit() -> None:
    rate = RollingRateLimit(100, now=0.0)
    assert not rate.advance(0.0)  # the first tick, at creation, holds nothing
    rate.add(1.0, 999)
    assert not rate.advance(4.9)
    assert not rate.advance(5.0)  # (999 + 0) / 2 buckets / 5 s < 100
    rate.add(6.0, 1001)
    assert rate.advance(10.0)  # (1001 + 999 + 0) / 3 / 5 >= 100
    assert rate.average >= 100


def test_releases_once_the_minute_average_falls_below() -> None:
    rate = RollingRateLimit(100, now=0.0)
    rate.add(0.5, 10_000)
    assert rate.advance(5.0)
    assert rate.advance(30.0)  # 10,000 over 7 buckets of 5 s is still over 100/s
    assert not rate.advance(70.0)  # the burst left the 12-bucket window


def test_a_long_quiet_spell_costs_no_more_than_a_window() -> None:
    rate = RollingRateLimit(100, now=0.0)
    rate.add(1.0, 100_000)
    assert rate.advance(5.0)
    assert not rate.advance(10.0**9)
    assert rate.average == 0.0
