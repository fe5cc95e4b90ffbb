"""``phx_join``: the checks, the reply and what follows a successful join.

In order, as the real server: a topic outside ``realtime:`` is an unmatched topic; a repeated
join of a topic closes the old channel first (``phx_close``); an empty sub-topic, PrivateOnly
mode, the concurrent users limit (sockets with a joined channel), the joins-per-second limit
(which also closes the socket), the channel limit, the token (the join's own ``access_token``,
else the socket's) and, for private channels or replay requests, the RLS read checks (see
``private_channels``) can refuse the join. The ok reply echoes each Postgres-changes binding
with its integer ``id``; then come replayed broadcasts, ``presence_state`` (when presence is
enabled), the replication notice (``replication_ready``) and the Postgres-changes notices.
With ``postgres_changes_options.wait`` the reply waits for the Postgres-changes subscription,
and a failed one refuses the join.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Final

from realtime_typed.local.auth.tokens import TokenRejected
from realtime_typed.local.channels.channel import TOPIC_PREFIX, ChannelSocket, ServerChannel
from realtime_typed.local.channels.join_config import JoinConfig, binding_id, parse_join_payload
from realtime_typed.local.channels.presence_wiring import push_presence_state
from realtime_typed.local.channels.private_channels import (
    PRIVATE_ONLY,
    JoinGrant,
    authorize_join,
    needs_authorization,
    push_replayed,
)
from realtime_typed.local.channels.rate_limit import FixedWindowLimiter
from realtime_typed.local.channels.token_refresh import schedule_token_check
from realtime_typed.protocol.frames import Frame

__all__ = ["join"]

_log = logging.getLogger(__name__)

TOPIC_NAME_REQUIRED: Final = "TopicNameRequired: You must provide a topic name"
TOO_MANY_CHANNELS: Final = "ChannelRateLimitReached: Too many channels"
TOO_MANY_USERS: Final = "ConnectionRateLimitReached: Too many connected users"
CLOSE_NORMAL: Final = 1000
TOO_MANY_JOINS: Final = "ClientJoinRateLimitReached: Too many joins per second"
_LEGACY_FIELDS: Final = ("schema", "table", "filter")
REPLICATION_READY: Final = "Replication connection established"
REPLICATION_NOT_READY: Final = "Replication connection was not established in time"


def join(session: ChannelSocket, frame: Frame) -> None:
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
    if state.options.private_only and not config.private:
        _refuse(session, frame, PRIVATE_ONLY)
        return
    if session not in state.users and len(state.users) >= state.options.max_concurrent_users:
        _log.error("ConnectionRateLimitReached: Too many connected users")
        _refuse(session, frame, TOO_MANY_USERS)
        return
    if state.joins.advance(time.monotonic()):
        _refuse(session, frame, TOO_MANY_JOINS)
        session.close(CLOSE_NORMAL)
        return
    state.joins.add(time.monotonic())
    if len(session.channels) >= state.options.max_channels_per_client:
        _refuse(session, frame, TOO_MANY_CHANNELS)
        return
    token = config.access_token if config.access_token is not None else session.token
    try:
        claims = state.verifier.verify(token, state.clock())
    except TokenRejected as rejected:
        _refuse(session, frame, rejected.join_reason())
        return
    if needs_authorization(config, frame.payload):
        session.defer(_join_authorized(session, frame, config, token, claims))
    else:
        _open(session, frame, config, token, claims, JoinGrant(None))


async def _join_authorized(
    session: ChannelSocket, frame: Frame, config: JoinConfig, token: str, claims: dict[str, Any]
) -> None:
    sub_topic = frame.topic[len(TOPIC_PREFIX) :]
    outcome = await authorize_join(session.state, sub_topic, config, frame.payload, claims)
    if isinstance(outcome, str):
        _refuse(session, frame, outcome)
    else:
        _open(session, frame, config, token, claims, outcome)


def _open(
    session: ChannelSocket,
    frame: Frame,
    config: JoinConfig,
    token: str,
    claims: dict[str, Any],
    grant: JoinGrant,
) -> None:
    """Create the joined channel, reply ok and push what follows a join."""
    state = session.state
    topic = frame.topic
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
    channel.policies = grant.policies
    channel.replayed_ids = frozenset(message.id for message in grant.replay)
    session.channels[topic] = channel
    if config.wait_ms is not None and channel.bindings:

        def subscribed(refusal: str | None) -> None:
            if channel.closed:
                return
            if refusal is not None:
                session.close_channel(channel, notify=False)
                _refuse(session, frame, refusal)
            else:
                _joined(channel, frame, grant)

        state.postgres.subscribe_before_reply(channel, config.wait_ms, subscribed)
        return
    _joined(channel, frame, grant)
    state.postgres.joined(channel)


def _joined(channel: ServerChannel, frame: Frame, grant: JoinGrant) -> None:
    """Reply ok to the join, then push what follows it."""
    state = channel.session.state
    config = channel.config
    state.registry.add(channel)
    state.users.add(channel.session)
    changes = [{**binding, "id": number} for number, binding in channel.bindings]
    channel.reply(frame.ref, "ok", {"postgres_changes": changes})
    _log.info(
        "joined %s (role %s%s%s, %d postgres_changes bindings)",
        channel.topic,
        channel.claims.get("role"),
        ", private" if config.private else "",
        ", presence" if config.presence_enabled else "",
        len(changes),
    )
    push_replayed(channel, grant.replay)
    if config.presence_enabled:
        push_presence_state(channel)
    schedule_token_check(channel)
    if config.replication_ready:
        _notify_replication_ready(channel)


def _notify_replication_ready(channel: ServerChannel) -> None:
    """The ``replication_ready`` opt-in: say the replication connection is up, or give up.

    The local server's replication connection is up whenever it has a database; without one
    the channel is shut down after the server's ``replication_ready_timeout``, as the real
    server does when the connection never comes.
    """
    state = channel.session.state
    if state.postgres.has_feed:
        channel.push_system("system", "ok", REPLICATION_READY)
        return

    def give_up() -> None:
        if not channel.closed:
            channel.session.shutdown_channel(channel, REPLICATION_NOT_READY)

    asyncio.get_running_loop().call_later(state.options.replication_ready_timeout, give_up)


def _bindings(config: JoinConfig, sub_topic: str) -> list[tuple[int, dict[str, Any]]]:
    """The join's Postgres-changes bindings; without ``config``, the legacy topic form."""
    if config.new_api:
        maps: list[dict[str, Any]] = list(config.postgres_changes)
    else:
        parts = sub_topic.split(":", 2)
        maps = [{name: part for name, part in zip(_LEGACY_FIELDS, parts, strict=False)}]
    return [(binding_id(binding), binding) for binding in maps]


def _refuse(session: ChannelSocket, frame: Frame, reason: str) -> None:
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
