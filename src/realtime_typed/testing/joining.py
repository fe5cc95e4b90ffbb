"""``phx_join``: the checks, the reply and what follows a successful join.

In order, as the real server: a topic outside ``realtime:`` is an unmatched topic; a repeated
join of a topic closes the old channel first (``phx_close``); an empty sub-topic, the channel
limit and the token (the join's own ``access_token``, else the socket's) can refuse the join.
The ok reply echoes each Postgres-changes binding with its integer ``id``; then come
``presence_state`` (when presence is enabled) and the Postgres-changes notices.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Final

from realtime_typed.protocol.frames import Frame
from realtime_typed.testing.auth import TokenRejected
from realtime_typed.testing.channel import TOPIC_PREFIX, ServerChannel
from realtime_typed.testing.join_config import JoinConfig, binding_id, parse_join_payload
from realtime_typed.testing.presence_wiring import push_presence_state
from realtime_typed.testing.rate_limit import FixedWindowLimiter
from realtime_typed.testing.token_refresh import schedule_token_check

if TYPE_CHECKING:
    from realtime_typed.testing.session import SocketSession

__all__ = ["join"]

_log = logging.getLogger(__name__)

TOPIC_NAME_REQUIRED: Final = "TopicNameRequired: You must provide a topic name"
TOO_MANY_CHANNELS: Final = "ChannelRateLimitReached: Too many channels"
_LEGACY_FIELDS: Final = ("schema", "table", "filter")


def join(session: SocketSession, frame: Frame) -> None:
    """Handle a ``phx_join`` push."""
    topic = frame.topic
    if not topic.startswith(TOPIC_PREFIX):
        session.reply_unmatched(frame)
        return
    previous = session.channels.get(topic)
    if previous is not None:
        session.close_channel(previous)
    if topic == TOPIC_PREFIX:
        _refuse(session, frame, TOPIC_NAME_REQUIRED)
        return
    config = parse_join_payload(frame.payload)
    if config.problems:
        _log.warning("InvalidJoinPayload on %s: %s", topic, "; ".join(config.problems))
    state = session.state
    if len(session.channels) >= state.options.max_channels_per_client:
        _refuse(session, frame, TOO_MANY_CHANNELS)
        return
    token = config.access_token if config.access_token is not None else session.token
    try:
        claims = state.verifier.verify(token, state.clock())
    except TokenRejected as rejected:
        _refuse(session, frame, rejected.join_reason())
        return
    channel = ServerChannel(
        session,
        topic,
        frame.join_ref,
        config,
        access_token=token,
        claims=claims,
        presence_limiter=FixedWindowLimiter(
            state.options.presence_max_calls, state.options.presence_window_seconds
        ),
        bindings=_bindings(config, topic[len(TOPIC_PREFIX) :]),
    )
    session.channels[topic] = channel
    state.registry.add(channel)
    changes = [{**binding, "id": number} for number, binding in channel.bindings]
    channel.reply(frame.ref, "ok", {"postgres_changes": changes})
    if config.presence_enabled:
        push_presence_state(channel)
    schedule_token_check(channel)
    state.postgres.joined(channel)


def _bindings(config: JoinConfig, sub_topic: str) -> list[tuple[int, dict[str, Any]]]:
    """The join's Postgres-changes bindings; without ``config``, the legacy topic form."""
    if config.new_api:
        maps: list[dict[str, Any]] = list(config.postgres_changes)
    else:
        parts = sub_topic.split(":", 2)
        maps = [{name: part for name, part in zip(_LEGACY_FIELDS, parts, strict=False)}]
    return [(binding_id(binding), binding) for binding in maps]


def _refuse(session: SocketSession, frame: Frame, reason: str) -> None:
    _log.info("join of %s refused: %s", frame.topic, reason)
    reply = Frame(
        frame.join_ref,
        frame.ref,
        frame.topic,
        "phx_reply",
        {"status": "error", "response": {"reason": reason}},
    )
    data = session.encode(reply)
    delay = session.state.options.join_error_delay
    if delay > 0:
        asyncio.get_running_loop().call_later(delay, session.send, data)
    else:
        session.send(data)
