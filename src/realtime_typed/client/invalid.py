"""The error reported when a received message cannot be delivered as its listener expects."""

from __future__ import annotations

from typing import Any

from realtime_typed.errors import ProtocolError

__all__ = ["InvalidMessage"]


class InvalidMessage(ProtocolError):
    """A message that arrived but was not delivered: it failed validation or carries errors.

    ``topic`` and ``event`` say where it came from and ``data`` is the raw data as received.
    A validation failure is the ``__cause__``.
    """

    def __init__(self, reason: str, *, topic: str, event: str, data: Any) -> None:
        super().__init__(f"{event} on {topic} not delivered: {reason}")
        self.topic = topic
        self.event = event
        self.data = data
