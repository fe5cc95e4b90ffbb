"""A push: one message a channel sends, with the deadline of its reply."""

from __future__ import annotations

from typing import Any

from realtime_typed.protocol.deadlines import Deadline

__all__ = ["Push"]


class Push:
    """A channel message, buffered until the channel can send it, then awaiting its reply.

    ``ref`` is the wire ref of the latest send (``None`` while buffered). ``waiter`` is free for
    the I/O layer to attach whatever it resolves when the result arrives.
    """

    __slots__ = (
        "deadline",
        "event",
        "expects_reply",
        "payload",
        "ref",
        "timeout",
        "topic",
        "waiter",
    )

    def __init__(
        self, topic: str, event: str, payload: Any, timeout: float, *, expects_reply: bool
    ) -> None:
        self.topic: str = topic
        self.event: str = event
        self.payload: Any = payload
        self.timeout: float = timeout
        self.expects_reply: bool = expects_reply
        self.ref: str | None = None
        self.deadline: Deadline | None = None
        self.waiter: object = None

    def cancel_deadline(self) -> None:
        """Stop the reply timer."""
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def __repr__(self) -> str:
        return f"Push({self.topic!r}, {self.event!r}, ref={self.ref!r})"
