"""Fan-out messages, each encoded lazily and at most once per serializer version."""

from __future__ import annotations

from typing import Any

from realtime_typed.protocol.frames import (
    Frame,
    UserBroadcast,
    Vsn,
    encode_server_frame,
    encode_user_broadcast,
)

__all__ = ["JsonFanOut", "UserBroadcastFanOut"]


class JsonFanOut:
    """``[null, null, topic, event, payload]`` as JSON text, for v1 and v2 sockets alike."""

    __slots__ = ("_frame", "_v1", "_v2")

    def __init__(self, topic: str, event: str, payload: Any) -> None:
        self._frame = Frame(None, None, topic, event, payload)
        self._v1: str | None = None
        self._v2: str | None = None

    def encoded(self, vsn: Vsn) -> str:
        """The text frame for ``vsn``."""
        if vsn == "2.0.0":
            if self._v2 is None:
                self._v2 = encode_server_frame(self._frame, vsn)
            return self._v2
        if self._v1 is None:
            self._v1 = encode_server_frame(self._frame, vsn)
        return self._v1


class UserBroadcastFanOut:
    """A user broadcast: kind 4 for v2 sockets (encoding kept).

    v1 sockets get the JSON broadcast ``{"type", "event", "payload"}`` (plus ``meta`` when
    ``metadata`` is given) when the payload is JSON, and nothing when it is binary. A client's
    kind-3 metadata is not relayed, as on the real server.
    """

    __slots__ = ("_broadcast", "_metadata", "_topic", "_v1", "_v2")

    def __init__(
        self, topic: str, broadcast: UserBroadcast, metadata: dict[str, Any] | None = None
    ) -> None:
        self._topic = topic
        self._broadcast = broadcast
        self._metadata = metadata
        self._v1: str | None = None
        self._v2: bytes | None = None

    def encoded(self, vsn: Vsn) -> str | bytes | None:
        """Kind-4 bytes for v2, JSON text or ``None`` (binary payload) for v1."""
        broadcast = self._broadcast
        if vsn == "2.0.0":
            if self._v2 is None:
                self._v2 = encode_user_broadcast(
                    self._topic, broadcast.user_event, broadcast.payload, self._metadata
                )
            return self._v2
        if broadcast.binary:
            return None
        if self._v1 is None:
            payload: dict[str, Any] = {
                "type": "broadcast",
                "event": broadcast.user_event,
                "payload": broadcast.payload,
            }
            if self._metadata:
                payload["meta"] = self._metadata
            self._v1 = encode_server_frame(
                Frame(None, None, self._topic, "broadcast", payload), vsn
            )
        return self._v1
