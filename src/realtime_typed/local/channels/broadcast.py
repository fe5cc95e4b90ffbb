"""Client broadcasts: size check, fan-out to the topic (``self`` per config), ``ack`` replies."""

from __future__ import annotations

import json
import logging
from typing import Any

from realtime_typed.local.channels.channel import ServerChannel
from realtime_typed.local.channels.outgoing import JsonFanOut, UserBroadcastFanOut
from realtime_typed.local.channels.registry import FanOut
from realtime_typed.protocol.frames import Frame, UserBroadcast

__all__ = ["PAYLOAD_SIZE_EXCEEDED", "json_size", "relay_broadcast", "relay_user_broadcast"]

_log = logging.getLogger(__name__)

PAYLOAD_SIZE_EXCEEDED = "payload_size_exceeded"

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def json_size(value: Any) -> int:
    """The size in bytes of ``value`` as compact JSON (bytes count as themselves)."""
    if isinstance(value, bytes):
        return len(value)
    return len(_dumps(value).encode("utf-8"))


def relay_broadcast(channel: ServerChannel, frame: Frame, frame_size_bound: int) -> None:
    """A JSON ``broadcast`` push: relayed unchanged as ``[null,null,topic,"broadcast",payload]``."""
    payload = frame.payload
    _relay(
        channel,
        frame.ref,
        frame_size_bound,
        payload,
        JsonFanOut(channel.topic, "broadcast", payload),
    )


def relay_user_broadcast(
    channel: ServerChannel, broadcast: UserBroadcast, frame_size_bound: int
) -> None:
    """A binary kind-3 push: kind 4 to v2 sockets, JSON (or nothing, when binary) to v1."""
    _relay(
        channel,
        broadcast.ref,
        frame_size_bound,
        broadcast.payload,
        UserBroadcastFanOut(channel.topic, broadcast),
    )


def _relay(
    channel: ServerChannel,
    ref: str | None,
    frame_size_bound: int,
    payload: Any,
    message: FanOut,
) -> None:
    """Relay ``message``; ``payload`` (measured only when the frame may be too large) is what
    the size limit applies to."""
    session = channel.session
    state = session.state
    limit = state.options.max_payload_bytes
    ack = channel.config.broadcast_ack
    if frame_size_bound > limit and json_size(payload) > limit:
        _log.warning("broadcast on %s over the payload size limit", channel.topic)
        state.oversized_payloads += 1
        if ack:
            channel.reply(ref, "error", PAYLOAD_SIZE_EXCEEDED)
        return
    state.events.sent()
    exclude = None if channel.config.broadcast_self else channel
    state.registry.fan_out(channel.key, message, exclude)
    if ack:
        channel.reply_ok(ref)
