"""When to poll the replication slot next, as the real poller decides (pure, no clock)."""

from __future__ import annotations

import random
from typing import Final

__all__ = ["IDLE_MULTIPLIER", "next_poll_delay"]

IDLE_MULTIPLIER: Final = 5
_JITTER_MS: Final = (50, 100)


def next_poll_delay(
    *, delivered: int, slot_changes: int, poll_interval: float, rng: random.Random
) -> float:
    """Seconds until the next poll: 0 after delivering rows, ``poll_interval`` plus 50-100 ms
    of jitter when the slot had changes nobody could see, ``5 * poll_interval`` when idle."""
    if delivered > 0:
        return 0.0
    if slot_changes > 0:
        return poll_interval + rng.randint(*_JITTER_MS) / 1000
    return poll_interval * IDLE_MULTIPLIER
