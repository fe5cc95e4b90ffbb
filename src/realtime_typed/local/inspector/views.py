"""The inspector's JSON: a snapshot of sockets, channels and presence, and the message tail.

Everything here is redacted (see ``redaction``) and bounded: a payload is shown as at most
``PREVIEW_CHARS`` characters of JSON. Heartbeats (topic ``phoenix``) are left out of the tail.
"""

from __future__ import annotations

import json
from typing import Any, Final

from realtime_typed.errors import ProtocolError
from realtime_typed.local.channels.channel import ServerChannel
from realtime_typed.local.channels.registry import TopicKey
from realtime_typed.local.inspector.recorder import FrameRecord, TrafficRecorder
from realtime_typed.local.inspector.redaction import redacted
from realtime_typed.local.transport.state import ServerState
from realtime_typed.protocol.frames import Frame, UserBroadcast, decode_server_frame

__all__ = ["PREVIEW_CHARS", "message_entry", "snapshot"]

PREVIEW_CHARS: Final = 2000
_CONTROL_EVENTS: Final = frozenset(
    {"phx_join", "phx_leave", "phx_close", "access_token", "heartbeat"}
)


def _preview(payload: Any) -> str:
    if isinstance(payload, bytes):
        return f"<{len(payload)} bytes>"
    text = json.dumps(redacted(payload), ensure_ascii=False, default=str)
    if len(text) > PREVIEW_CHARS:
        return text[:PREVIEW_CHARS] + f"… ({len(text)} characters)"
    return text


def _kind(frame: Frame) -> str:
    """broadcast, presence, postgres, system, error, reply or control."""
    event = frame.event
    payload: Any = frame.payload
    status = payload.get("status") if isinstance(payload, dict) else None  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    if event == "phx_error" or (event in ("phx_reply", "system") and status == "error"):
        return "error"
    if event == "broadcast":
        return "broadcast"
    if event in ("presence", "presence_diff", "presence_state"):
        return "presence"
    if event == "postgres_changes":
        return "postgres"
    if event == "system":
        return "system"
    if event == "phx_reply":
        return "reply"
    return "control" if event in _CONTROL_EVENTS else "other"


def _subject(frame: Frame) -> str | None:
    """The event inside a broadcast or Postgres change, or a reply's status."""
    payload: Any = frame.payload
    if not isinstance(payload, dict):
        return None
    data: dict[str, Any] = payload  # pyright: ignore[reportUnknownVariableType]
    if frame.event == "broadcast":
        inner = data.get("event")
    elif frame.event == "postgres_changes":
        change = data.get("data")
        inner = change.get("type") if isinstance(change, dict) else None  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    elif frame.event in ("phx_reply", "system", "presence"):
        inner = data.get("status") or data.get("event")
    else:
        inner = None
    return inner if isinstance(inner, str) else None


def message_entry(record: FrameRecord) -> dict[str, Any] | None:
    """A tail entry for ``record``; ``None`` for a heartbeat."""
    base: dict[str, Any] = {
        "seq": record.seq,
        "at": record.at,
        "dir": record.direction,
        "sockets": list(record.sockets),
        "recipients": record.recipients,
        "size": len(record.data),
    }
    message: Frame | UserBroadcast | None = record.message
    if record.direction == "out":
        try:
            message = decode_server_frame(record.data, record.vsn)
        except ProtocolError as exc:
            return {**base, "topic": None, "event": None, "kind": "error", "payload": str(exc)}
    if message is None:
        return {**base, "topic": None, "event": None, "kind": "error", "payload": "malformed"}
    frame = message.as_frame() if isinstance(message, UserBroadcast) else message
    if frame.topic == "phoenix":
        return None
    return {
        **base,
        "topic": frame.topic,
        "event": frame.event,
        "subject": _subject(frame),
        "kind": _kind(frame),
        "payload": _preview(frame.payload),
    }


def _channel(channel: ServerChannel) -> dict[str, Any]:
    config = channel.config
    role, subject = channel.claims.get("role"), channel.claims.get("sub")
    return {
        "topic": channel.topic,
        "private": config.private,
        "role": role if isinstance(role, str) else None,
        "sub": subject if isinstance(subject, str) else None,
        "broadcast_self": config.broadcast_self,
        "broadcast_ack": config.broadcast_ack,
        "presence_enabled": config.presence_enabled,
        "presence_key": redacted(channel.presence_key) if config.presence_enabled else None,
        "postgres_changes": [
            {"id": number, **redacted(binding)} for number, binding in channel.bindings
        ]
        if config.new_api and channel.bindings
        else [],
        "problems": list(config.problems),
    }


def snapshot(state: ServerState, recorder: TrafficRecorder) -> dict[str, Any]:
    """The sockets with their channels, the topics with their presence, and the counters."""
    sockets: list[dict[str, Any]] = []
    topics: dict[TopicKey, dict[str, Any]] = {}
    for session, info in recorder.open_sockets():
        channels = [_channel(channel) for channel in session.channels.values()]
        sockets.append(
            {
                "number": info.number,
                "connected_at": info.connected_at,
                "vsn": info.vsn,
                "role": info.role,
                "sub": info.subject,
                "expires_at": info.expires_at,
                "channels": channels,
            }
        )
        for channel in session.channels.values():
            entry = topics.setdefault(
                channel.key,
                {"topic": channel.topic, "private": channel.key.private, "members": []},
            )
            entry["members"].append(info.number)
    for key, entry in topics.items():
        entry["presence"] = redacted(state.presence.state(key.tracker_topic()))
    return {
        "now": state.clock(),
        "sockets": sockets,
        "topics": sorted(topics.values(), key=lambda topic: (topic["topic"], topic["private"])),
        "totals": {
            "frames_in": recorder.frames_in,
            "frames_out": recorder.frames_out,
            "evicted": recorder.evicted,
            "malformed_frames": state.malformed_frames,
            "oversized_payloads": state.oversized_payloads,
            "slow_consumers": state.slow_consumers,
        },
    }
