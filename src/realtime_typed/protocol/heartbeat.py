"""Heartbeat bookkeeping: the pending ref, when it was sent, and what a reply means.

The cadence is Phoenix's: a heartbeat goes out ``interval`` seconds after the previous reply
(or after the socket opened); if its reply has not come ``interval`` seconds after sending, the
connection is dead ("heartbeat timeout").
"""

from __future__ import annotations

__all__ = ["HeartbeatTracker"]


class HeartbeatTracker:
    """The state of the heartbeat in flight, if any."""

    __slots__ = ("interval", "pending_ref", "sent_at")

    def __init__(self, interval: float) -> None:
        self.interval: float = interval
        self.pending_ref: str | None = None
        self.sent_at: float = 0.0

    def sent(self, ref: str, now: float) -> float:
        """Record a heartbeat sent with ``ref``; returns the time its reply is due by."""
        self.pending_ref = ref
        self.sent_at = now
        return now + self.interval

    def replied(self, now: float) -> float:
        """Clear the pending heartbeat; returns the round-trip latency in seconds."""
        self.pending_ref = None
        return now - self.sent_at

    def reset(self) -> None:
        """Forget the heartbeat in flight (the socket is gone or timed out)."""
        self.pending_ref = None
