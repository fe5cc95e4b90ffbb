"""Presence on joined channels: ``presence`` pushes, ``presence_state`` and ``presence_diff``.

Tracking goes through the pure
:class:`~realtime_typed.local.channels.presence.PresenceTracker`; every diff it returns is
fanned out on the channel's topic. The per-channel client limit, the track
payload checks and their messages are those of the real server. On a private channel the state
and diffs need presence read, and a track needs presence write (else a bare error reply).
"""

from __future__ import annotations

import logging
import time
from typing import Any, Final

from realtime_typed.local.channels.broadcast import json_size
from realtime_typed.local.channels.channel import ServerChannel
from realtime_typed.local.channels.outgoing import JsonFanOut
from realtime_typed.local.channels.presence import Diff
from realtime_typed.protocol.frames import Frame

__all__ = ["channel_closed", "handle_presence", "push_presence_state"]

_log = logging.getLogger(__name__)

NOT_A_MAP: Final = "Presence track payload must be a map"
RATE_LIMITED: Final = "Client presence rate limit exceeded"
TOO_BIG: Final = "Track message size exceeded"


def push_presence_state(channel: ServerChannel) -> None:
    """Push the topic's ``presence_state`` to ``channel`` (private: with presence read only)."""
    if channel.policies is not None and not channel.policies.can_read("presence"):
        return
    tracker = channel.session.state.presence
    channel.push("presence_state", tracker.state(channel.key.tracker_topic()))


def channel_closed(channel: ServerChannel) -> None:
    """Untrack a closed channel's presence and tell the rest of the topic."""
    tracker = channel.session.state.presence
    _fan_out(channel, tracker.untrack(channel.key.tracker_topic(), channel.id))


def handle_presence(channel: ServerChannel, frame: Frame) -> None:
    """A ``presence`` push: ``track`` or ``untrack`` (any case); replies as the real server."""
    payload = frame.payload
    if not isinstance(payload, dict) or "event" not in payload:
        channel.reply_ok(frame.ref)
        return
    body: dict[str, Any] = payload  # pyright: ignore[reportUnknownVariableType]
    if not channel.presence_limiter.allow(time.monotonic()):
        _log.warning("ClientPresenceRateLimitReached on %s", channel.topic)
        channel.session.shutdown_channel(channel, RATE_LIMITED)
        return
    event = body["event"]
    name = event.lower() if isinstance(event, str) else None
    if name == "track":
        _track(channel, frame.ref, body.get("payload", {}))
    elif name == "untrack":
        tracker = channel.session.state.presence
        channel.reply_ok(frame.ref)
        _fan_out(channel, tracker.untrack(channel.key.tracker_topic(), channel.id))
    else:
        _log.warning("UnknownPresenceEvent on %s: %r", channel.topic, event)
        channel.reply(frame.ref, "error", {})


def _track(channel: ServerChannel, ref: str | None, meta: object) -> None:
    if channel.policies is not None and not channel.policies.can_write("presence"):
        _log.info("presence track on %s refused: no write permission", channel.topic)
        channel.reply(ref, "error", {})
        return
    if not isinstance(meta, dict):
        _log.warning("InvalidPresencePayload on %s", channel.topic)
        channel.reply(ref, "error", {"reason": NOT_A_MAP})
        return
    state = channel.session.state
    if json_size(meta) > state.options.max_payload_bytes:
        channel.session.shutdown_channel(channel, TOO_BIG)
        return
    tracked: dict[str, Any] = meta  # pyright: ignore[reportUnknownVariableType]
    diff = state.presence.track(
        channel.key.tracker_topic(), channel.id, channel.presence_key, tracked
    )
    channel.reply_ok(ref)
    _fan_out(channel, diff)


def _fan_out(channel: ServerChannel, diff: Diff | None) -> None:
    if diff is not None:
        message = JsonFanOut(channel.topic, "presence_diff", diff)
        channel.session.state.registry.fan_out(channel.key, message, extension="presence")
