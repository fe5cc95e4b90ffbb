"""Memory per channel: a client holding many channels keeps each one small.

A channel holds only what every channel needs; its buffers and listener lists are made or grow
when used. Measured with tracemalloc, which counts the Python allocations exactly.
"""

from __future__ import annotations

import gc
import tracemalloc

from realtime_typed import RealtimeClient

CHANNELS = 500
BUDGET = 2_500
"""Bytes one channel that has not joined may hold (about 1,800 on CPython 3.11)."""


def test_a_channel_not_yet_joined_holds_under_its_budget() -> None:
    client = RealtimeClient("ws://127.0.0.1:9/realtime/v1", apikey="key")
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        channels = [client.channel(f"room-{n}") for n in range(CHANNELS)]
        gc.collect()
        per_channel = (tracemalloc.get_traced_memory()[0] - before) / CHANNELS
    finally:
        tracemalloc.stop()
    assert len(channels) == CHANNELS
    assert per_channel < BUDGET
