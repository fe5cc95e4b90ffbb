"""Private channels (``config.private: true``): join checks, lazy write checks, token refreshes.

* **Join**: read policies for broadcast (and presence when enabled) decide; neither readable
  refuses "Unauthorized: You do not have permissions to read from this Channel topic: <topic>".
  A policy that raises counts as unreadable. Replay requests are checked and fetched here too;
  on a public channel any ``replay`` option refuses the join.
* **Broadcast**: the first one runs the write check; without write permission every broadcast
  is dropped silently (no delivery, no ack), counted in :data:`DROPPED`.
* **Presence**: the first ``track`` checks presence read (when not checked yet) and write; the
  track itself then fails without write (see ``presence_wiring``).
* **access_token**: a verified new token re-runs the read checks; no read left, or a read
  granted before and denied now, closes the channel with a ``system`` error then ``phx_close``.
"""

from __future__ import annotations

import collections
import logging
from dataclasses import dataclass, field
from typing import Any, Final

from realtime_typed.local.auth.authorization import Authorizer, DatabaseUnavailable, PolicyError
from realtime_typed.local.auth.policies import Extension, Policies
from realtime_typed.local.channels.broadcast import relay_broadcast, relay_user_broadcast
from realtime_typed.local.channels.channel import ServerChannel
from realtime_typed.local.channels.join_config import JoinConfig
from realtime_typed.local.channels.outgoing import UserBroadcastFanOut
from realtime_typed.local.channels.presence_wiring import handle_presence
from realtime_typed.local.channels.registry import TopicKey
from realtime_typed.local.channels.shared import SharedState
from realtime_typed.local.channels.token_refresh import accept_refresh, finish_refresh
from realtime_typed.local.postgres.stored_messages import StoredMessage, parse_replay
from realtime_typed.protocol.frames import Frame, UserBroadcast, encode_user_broadcast

__all__ = [
    "DROPPED",
    "PRIVATE_EVENTS",
    "PRIVATE_ONLY",
    "JoinGrant",
    "authorize_join",
    "deliver_stored",
    "handle_private",
    "needs_authorization",
    "push_replayed",
]

_log = logging.getLogger(__name__)

PRIVATE_EVENTS: Final = frozenset({"broadcast", "presence", "access_token"})
PRIVATE_ONLY: Final = "PrivateOnly: This project only allows private channels"
NO_READ: Final = "You do not have permissions to read from this Channel topic: {topic}"
READ_REVOKED: Final = "You no longer have permission to read from this Channel topic: {topic}"
NO_DATABASE: Final = "Realtime was unable to connect to the project database"
REPLAY_PUBLIC: Final = "UnableToReplayMessages: Replay is not allowed for public channels"
REPLAY_INVALID: Final = "UnableToReplayMessages: Replay params are not valid"
REPLAY_FAILED: Final = "UnableToReplayMessages: Realtime was unable to replay messages"

DROPPED: collections.Counter[str] = collections.Counter()
"""Broadcasts dropped on private channels: ``no_write`` and ``check_failed``."""


@dataclass(slots=True)
class JoinGrant:
    """What an authorized join carries into its channel."""

    policies: Policies | None
    replay: list[StoredMessage] = field(default_factory=list[StoredMessage])


def _replay_option(payload: object) -> tuple[bool, object]:
    """Whether the join payload has ``config.broadcast.replay``, and its value."""
    config = payload.get("config") if isinstance(payload, dict) else None  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    broadcast = config.get("broadcast") if isinstance(config, dict) else None  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    if isinstance(broadcast, dict) and "replay" in broadcast:
        return True, broadcast["replay"]  # pyright: ignore[reportUnknownVariableType]
    return False, None


def needs_authorization(config: JoinConfig, payload: object) -> bool:
    """Whether a join must go through :func:`authorize_join` (private, or asks for replay)."""
    return config.private or _replay_option(payload)[0]


async def authorize_join(
    state: SharedState,
    sub_topic: str,
    config: JoinConfig,
    payload: object,
    claims: dict[str, Any],
) -> JoinGrant | str:
    """The grant of a join, or the reason refusing it."""
    wants_replay, replay = _replay_option(payload)
    if not config.private:
        return REPLAY_PUBLIC if wants_replay else JoinGrant(None)
    authorizer = state.authorizer
    if authorizer is None:
        return f"UnableToConnectToProject: {NO_DATABASE}"
    policies = Policies()
    extensions: list[Extension] = (
        ["broadcast", "presence"] if config.presence_enabled else ["broadcast"]
    )
    unauthorized = "Unauthorized: " + NO_READ.format(topic=sub_topic)
    try:
        await authorizer.check_read(sub_topic, claims, extensions, policies)
    except PolicyError as exc:
        _log.warning("RlsPolicyError on %s: %s", sub_topic, exc)
        return unauthorized
    except DatabaseUnavailable as exc:
        _log.error("UnableToConnectToProject on %s: %s", sub_topic, exc)
        return f"UnableToConnectToProject: {NO_DATABASE}"
    if not (policies.can_read("broadcast") or policies.can_read("presence")):
        return unauthorized
    if wants_replay and not policies.can_read("broadcast"):
        return unauthorized
    if not isinstance(replay, dict):
        return JoinGrant(policies)
    request = parse_replay(replay)  # pyright: ignore[reportUnknownArgumentType]
    if request is None:
        return REPLAY_INVALID
    try:
        messages = await authorizer.replay(request, sub_topic)
    except (PolicyError, DatabaseUnavailable) as exc:
        _log.error("UnableToReplayMessages on %s: %s", sub_topic, exc)
        return REPLAY_FAILED
    return JoinGrant(policies, messages)


def push_replayed(channel: ServerChannel, messages: list[StoredMessage]) -> None:
    """Push replayed rows to a freshly joined channel (binary rows to vsn 2.0.0 only)."""
    session = channel.session
    for message in messages:
        meta = {"replayed": True, "id": message.id}
        if message.binary_payload is None:
            payload = {
                "payload": message.payload,
                "event": message.event,
                "type": "broadcast",
                "meta": meta,
            }
            channel.push("broadcast", payload)
        elif session.vsn == "2.0.0" and message.event is not None:
            session.send(
                encode_user_broadcast(channel.topic, message.event, message.binary_payload, meta)
            )


def deliver_stored(state: SharedState, message: StoredMessage) -> int:
    """Fan a committed row out to its namespace; returns how many channels got it."""
    if message.event is None:
        return 0
    binary = message.binary_payload is not None
    broadcast = UserBroadcast(
        None,
        None,
        message.topic,
        message.event,
        None,
        message.binary_payload if binary else message.payload,
        binary,
    )
    fan_out = UserBroadcastFanOut("realtime:" + message.topic, broadcast, {"id": message.id})
    key = TopicKey(message.private, message.topic)
    return state.registry.fan_out(key, fan_out, message_id=message.id)


async def handle_private(
    channel: ServerChannel, message: Frame | UserBroadcast, frame_size_bound: int
) -> None:
    """A broadcast, presence or access_token push on a private channel."""
    if isinstance(message, UserBroadcast):
        if await _may_broadcast(channel):
            relay_user_broadcast(channel, message, frame_size_bound)
        return
    if message.event == "broadcast":
        if await _may_broadcast(channel):
            relay_broadcast(channel, message, frame_size_bound)
    elif message.event == "presence":
        if not _is_track(message.payload) or await _presence_checked(channel, message.ref):
            handle_presence(channel, message)
    else:
        await _refresh(channel, message)


def _authorizer(channel: ServerChannel) -> Authorizer:
    authorizer = channel.session.state.authorizer
    if authorizer is None:
        raise DatabaseUnavailable("the server has no database")
    return authorizer


def _policies(channel: ServerChannel) -> Policies:
    policies = channel.policies
    assert policies is not None, "only private channels are checked"
    return policies


async def _may_broadcast(channel: ServerChannel) -> bool:
    policies = _policies(channel)
    if policies.broadcast_write is None:
        try:
            await _authorizer(channel).check_write(channel.sub_topic, channel.claims, policies)
        except (PolicyError, DatabaseUnavailable) as exc:
            DROPPED["check_failed"] += 1
            _log.warning("broadcast on %s dropped: write check failed: %s", channel.topic, exc)
            return False
    if channel.closed:
        return False
    if not policies.can_write("broadcast"):
        DROPPED["no_write"] += 1
        _log.info("broadcast on %s dropped: no write permission", channel.topic)
        return False
    return True


def _is_track(payload: object) -> bool:
    event = payload.get("event") if isinstance(payload, dict) else None  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    return isinstance(event, str) and event.lower() == "track"


async def _presence_checked(channel: ServerChannel, ref: str | None) -> bool:
    """Run the presence checks a first track needs; ``False`` (after an error reply) on failure."""
    policies = _policies(channel)
    if policies.presence_write is not None:
        return True
    authorizer = _authorizer(channel)
    try:
        if policies.presence_read is None:
            await authorizer.check_read(channel.sub_topic, channel.claims, ["presence"], policies)
        await authorizer.check_write(channel.sub_topic, channel.claims, policies)
    except (PolicyError, DatabaseUnavailable) as exc:
        _log.warning("UnableToHandlePresence on %s: %s", channel.topic, exc)
        if not channel.closed:
            channel.reply(ref, "error", {})
        return False
    return not channel.closed


async def _refresh(channel: ServerChannel, frame: Frame) -> None:
    if not accept_refresh(channel, frame):
        return
    previous = _policies(channel)
    current = Policies()
    extensions: list[Extension] = ["broadcast"]
    if channel.config.presence_enabled or previous.presence_read is not None:
        extensions.append("presence")
    session = channel.session
    topic = channel.sub_topic
    try:
        await _authorizer(channel).check_read(topic, channel.claims, extensions, current)
    except PolicyError as exc:
        _log.warning("RlsPolicyError on %s: %s", channel.topic, exc)
        session.shutdown_channel(channel, NO_READ.format(topic=topic))
        return
    except DatabaseUnavailable as exc:
        _log.error("UnableToConnectToProject on %s: %s", channel.topic, exc)
        session.shutdown_channel(channel, NO_DATABASE)
        return
    if channel.closed:
        return
    if not (current.can_read("broadcast") or current.can_read("presence")):
        session.shutdown_channel(channel, NO_READ.format(topic=topic))
    elif previous.read_revoked_by(current):
        session.shutdown_channel(channel, READ_REVOKED.format(topic=topic))
    else:
        channel.policies = current
        finish_refresh(channel)
