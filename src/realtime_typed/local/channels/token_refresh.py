"""Channel tokens after the join: ``access_token`` pushes and the periodic expiry check.

At the join and after each accepted refresh the channel re-checks its token after
``min(interval, exp - now)`` seconds. A refused or expired token closes the channel with a
``system`` error then ``phx_close``; the socket and its other channels stay open.
"""

from __future__ import annotations

import asyncio
import logging

from realtime_typed.local.auth.tokens import TokenRejected
from realtime_typed.local.channels.channel import ServerChannel
from realtime_typed.protocol.frames import Frame

__all__ = [
    "accept_refresh",
    "finish_refresh",
    "handle_access_token",
    "next_check_delay",
    "schedule_token_check",
]

_log = logging.getLogger(__name__)


def next_check_delay(exp: float, now: float, interval: float) -> float:
    """Seconds until the next token check: ``min(interval, exp - now)``, never negative."""
    return max(0.0, min(interval, exp - now))


def schedule_token_check(channel: ServerChannel) -> None:
    """(Re)arm the channel's expiry check from its current claims."""
    if channel.token_timer is not None:
        channel.token_timer.cancel()
    state = channel.session.state
    delay = next_check_delay(
        channel.claims["exp"], state.clock(), state.options.token_check_interval
    )
    channel.token_timer = asyncio.get_running_loop().call_later(delay, _check_token, channel)


def _check_token(channel: ServerChannel) -> None:
    channel.token_timer = None
    if channel.closed:
        return
    state = channel.session.state
    try:
        channel.claims = state.verifier.verify(channel.access_token, state.clock())
    except TokenRejected as rejected:
        _log.info("channel %s closed: token no longer valid (%s)", channel.topic, rejected)
        channel.session.shutdown_channel(channel, rejected.system_message())
        return
    schedule_token_check(channel)


def handle_access_token(channel: ServerChannel, frame: Frame) -> None:
    """An ``access_token`` push. Never replied to; ``sb_`` keys, repeats and null are ignored."""
    if accept_refresh(channel, frame):
        finish_refresh(channel)


def accept_refresh(channel: ServerChannel, frame: Frame) -> bool:
    """Take a new token from an ``access_token`` push and verify it; ``True`` when accepted.

    Ignored tokens leave the channel as it is; a refused one closes it.
    """
    payload = frame.payload
    token = payload.get("access_token") if isinstance(payload, dict) else None  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    if not isinstance(token, str) or token.startswith("sb_") or token == channel.access_token:
        return False
    channel.access_token = token
    state = channel.session.state
    try:
        channel.claims = state.verifier.verify(token, state.clock())
    except TokenRejected as rejected:
        _log.info("channel %s closed: refreshed token refused (%s)", channel.topic, rejected)
        channel.session.shutdown_channel(channel, rejected.system_message())
        return False
    return True


def finish_refresh(channel: ServerChannel) -> None:
    """After an accepted refresh: re-arm the expiry check, re-subscribe Postgres changes."""
    schedule_token_check(channel)
    channel.session.state.postgres.claims_changed(channel)
