"""The events-per-second limit of a server, as the real server counts it: each broadcast a
client sends and each one a channel receives count once, over every socket. While the rolling
average is at or over the limit, a channel that receives a broadcast is shut down with
"Too many messages per second"; REST broadcast answers 429 (see the transport)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Final

from realtime_typed.local.channels.rate_limit import RollingRateLimit
from realtime_typed.local.channels.registry import Member

__all__ = ["TOO_MANY_MESSAGES", "EventRateMeter"]

_log = logging.getLogger(__name__)

TOO_MANY_MESSAGES: Final = "Too many messages per second"


class EventRateMeter:
    """Counts broadcast events against ``max_events_per_second``."""

    def __init__(
        self,
        limit: float,
        shut_down: Callable[[Member], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._shut_down = shut_down
        self.rate: RollingRateLimit = RollingRateLimit(limit, clock())

    def over_limit(self) -> bool:
        """Whether the limit holds now."""
        return self.rate.advance(self._clock())

    def sent(self, count: int = 1) -> None:
        """Count broadcasts sent by a client or over REST."""
        self.rate.add(self._clock(), count)

    def delivered(self, member: Member) -> None:
        """Count a broadcast delivered to ``member``; shut it down (after the fan-out) while
        over the limit."""
        self.rate.add(self._clock())
        if self.rate.triggered:
            _log.warning("MessagePerSecondRateLimitReached: %s", TOO_MANY_MESSAGES)
            asyncio.get_running_loop().call_soon(self._shut_down, member)
