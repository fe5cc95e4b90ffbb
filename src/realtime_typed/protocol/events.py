"""What the Phoenix core tells the I/O layer, through ``PhoenixProtocol.events_received()``."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from realtime_typed.protocol.frames import Frame

if TYPE_CHECKING:
    from realtime_typed.protocol.pushes import Push

__all__ = [
    "CloseConnection",
    "CoreEvent",
    "FrameDropped",
    "HeartbeatStatus",
    "HeartbeatUpdate",
    "LeaveOutcome",
    "PushDone",
    "PushStatus",
    "ReconnectDue",
    "StateChanged",
    "SubscribeState",
]


class SubscribeState(StrEnum):
    """The states a subscription reports, as the reference client names them."""

    SUBSCRIBED = "SUBSCRIBED"
    TIMED_OUT = "TIMED_OUT"
    CLOSED = "CLOSED"
    CHANNEL_ERROR = "CHANNEL_ERROR"


HeartbeatStatus = Literal["sent", "ok", "error", "timeout", "disconnected"]
LeaveOutcome = Literal["ok", "timed out", "error"]
PushStatus = Literal["ok", "error", "timeout", "dropped", "closed"]


@dataclass(frozen=True, slots=True)
class StateChanged:
    """A channel reached ``state``; ``error`` says why for errors, timeouts and closes."""

    topic: str
    state: SubscribeState
    error: Exception | None = None


@dataclass(frozen=True, slots=True)
class PushDone:
    """A push that expects a result got one.

    ``ok``/``error`` carry the server's ``response``; ``timeout`` means no reply in time;
    ``dropped`` means the channel buffer overflowed; ``closed`` means the channel or client
    closed first.
    """

    push: Push
    status: PushStatus
    response: Any = None


@dataclass(frozen=True, slots=True)
class HeartbeatUpdate:
    """A heartbeat was sent, answered or missed; ``latency`` in seconds for answers.

    ``disconnected``: a heartbeat was asked for (:meth:`PhoenixProtocol.send_heartbeat`) while
    the socket is down, so none went out.
    """

    status: HeartbeatStatus
    latency: float | None = None


@dataclass(frozen=True, slots=True)
class CloseConnection:
    """The core gave up on the socket (heartbeat timeout): close it."""

    reason: str


@dataclass(frozen=True, slots=True)
class ReconnectDue:
    """Time to open a new socket; ``attempt`` counts from 1 since the last open."""

    attempt: int


@dataclass(frozen=True, slots=True)
class FrameDropped:
    """A frame the core did not deliver, and why (stale join_ref, unknown topic, ...)."""

    frame: Frame
    reason: str


CoreEvent: TypeAlias = (
    StateChanged | PushDone | HeartbeatUpdate | CloseConnection | ReconnectDue | FrameDropped
)
