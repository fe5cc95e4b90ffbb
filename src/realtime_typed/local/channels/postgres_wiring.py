"""Postgres changes for joined channels: subscribe on join, refresh claims, unsubscribe on close.

With a :class:`ChangesFeed` each channel's bindings are subscribed after the join reply; every
notice the feed returns becomes a ``system`` message (extension ``postgres_changes``) and every
change is pushed as ``[null, null, topic, "postgres_changes", payload]``. Operations on one
channel run one after the other. Without a feed, a channel with bindings gets one system error.

A join with ``postgres_changes_options.wait`` subscribes before its reply instead
(:meth:`PostgresWiring.subscribe_before_reply`): a notice with status error, no feed, or no
success within the wait refuses the join with the real server's reasons.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Final, Protocol

from realtime_typed._tasks import TaskOwner
from realtime_typed.protocol.frames import Frame

__all__ = [
    "NO_DATABASE_MESSAGE",
    "SUBSCRIBED",
    "ChangesFeed",
    "PostgresWiring",
    "Subscriber",
    "SubscriberSocket",
]

_log = logging.getLogger(__name__)

EXTENSION: Final = "postgres_changes"
SUBSCRIBED: Final = "Subscribed to PostgreSQL"
NO_DATABASE_MESSAGE: Final = (
    "Postgres changes are not available on this server: it was started without a database"
)
DISABLED_CODE: Final = "RealtimeDisabledForConfiguration"
TIMEOUT_CODE: Final = "PostgresChangesSubscribeTimeout"


class ChangesFeed(Protocol):
    """The Postgres-changes engine the server drives (see ``realtime_typed.local.postgres``)."""

    async def subscribe(
        self,
        channel_id: str,
        bindings: list[tuple[int, dict[str, Any]]],
        claims: dict[str, Any],
        deliver: Callable[[dict[str, Any]], Awaitable[None]],
    ) -> list[tuple[str, str]]:
        """Subscribe a channel's bindings; the notices to push as system messages."""
        ...

    async def update_claims(self, channel_id: str, claims: dict[str, Any]) -> None:
        """Re-subscribe a channel with refreshed claims."""
        ...

    async def unsubscribe(self, channel_id: str) -> None:
        """Drop a channel's subscriptions."""
        ...


class SubscriberSocket(Protocol):
    """The socket of a subscribed channel, as the wiring writes changes to it."""

    def encode(self, frame: Frame) -> str:
        """``frame`` as the socket's serializer writes it."""
        ...

    def send(self, data: str | bytes) -> None:
        """Queue a frame for the socket."""


class Subscriber(Protocol):
    """A joined channel, as the wiring subscribes it (a ``ServerChannel``)."""

    postgres_task: asyncio.Task[None] | None
    """The channel's last subscription step; the next one waits for it."""

    @property
    def id(self) -> str:
        """The channel's unique id (its subscriber id in the feed)."""
        ...

    @property
    def topic(self) -> str:
        """The full topic."""
        ...

    @property
    def bindings(self) -> list[tuple[int, dict[str, Any]]]:
        """The join's Postgres-changes bindings with their ids."""
        ...

    @property
    def claims(self) -> dict[str, Any]:
        """The claims of the channel's current token."""
        ...

    @property
    def closed(self) -> bool:
        """Whether the channel has been closed."""
        ...

    @property
    def session(self) -> SubscriberSocket:
        """The socket the channel was joined on."""
        ...

    def push_system(self, extension: str, status: str, message: str) -> None:
        """A ``system`` message naming the channel's sub-topic."""


class PostgresWiring:
    """Connects channels to a :class:`ChangesFeed`, or reports that there is none."""

    def __init__(self, feed: ChangesFeed | None, tasks: TaskOwner) -> None:
        self._feed = feed
        self._tasks = tasks

    @property
    def has_feed(self) -> bool:
        """Whether the server streams Postgres changes (it has a database)."""
        return self._feed is not None

    def subscribe_before_reply(
        self, channel: Subscriber, wait_ms: int, done: Callable[[str | None], None]
    ) -> None:
        """Subscribe ``channel`` now; ``done(None)`` once live, else ``done(reason)``.

        On success the ``Subscribed to PostgreSQL`` notice follows (after ``done`` has replied).
        """
        feed = self._feed
        if feed is None:
            done(f"{DISABLED_CODE}: {NO_DATABASE_MESSAGE}")
            return

        async def step() -> None:
            try:
                async with asyncio.timeout(wait_ms / 1000):
                    notices = await feed.subscribe(
                        channel.id, channel.bindings, channel.claims, self._deliver(channel)
                    )
            except TimeoutError:
                reason = f"{TIMEOUT_CODE}: Timed out after {wait_ms}ms waiting for the"
                done(f"{reason} postgres_changes subscription")
                return
            except Exception as exc:
                _log.exception("postgres changes subscription failed on %s", channel.topic)
                done(f"{DISABLED_CODE}: Unable to subscribe to changes: {type(exc).__name__}")
                return
            errors = [message for status, message in notices if status == "error"]
            if errors:
                done(f"{DISABLED_CODE}: {errors[0]}")
                return
            done(None)
            if not channel.closed:
                for status, message in notices:
                    channel.push_system(EXTENSION, status, message)

        self._chain(channel, step)

    def joined(self, channel: Subscriber) -> None:
        """Subscribe a freshly joined channel's bindings (after its join reply is queued)."""
        if not channel.bindings:
            return
        feed = self._feed
        if feed is None:
            channel.push_system(EXTENSION, "error", NO_DATABASE_MESSAGE)
            return
        self._chain(channel, lambda: self._subscribe(feed, channel))

    def claims_changed(self, channel: Subscriber) -> None:
        """Re-subscribe with the channel's new claims; pushes the success notice again."""
        feed = self._feed
        if feed is not None and channel.bindings:
            self._chain(channel, lambda: self._update_claims(feed, channel))

    def closed(self, channel: Subscriber) -> None:
        """Drop a closed channel's subscriptions."""
        feed = self._feed
        if feed is not None and channel.bindings:
            self._chain(channel, lambda: feed.unsubscribe(channel.id))

    def _chain(self, channel: Subscriber, step: Callable[[], Coroutine[Any, Any, None]]) -> None:
        previous = channel.postgres_task

        async def run() -> None:
            if previous is not None:
                with contextlib.suppress(Exception):
                    await previous
            await step()

        channel.postgres_task = self._tasks.spawn(run(), name=f"postgres:{channel.topic}")

    @staticmethod
    def _deliver(channel: Subscriber) -> Callable[[dict[str, Any]], Awaitable[None]]:
        session = channel.session
        topic = channel.topic

        async def deliver(payload: dict[str, Any]) -> None:
            if not channel.closed:
                session.send(session.encode(Frame(None, None, topic, "postgres_changes", payload)))

        return deliver

    async def _subscribe(self, feed: ChangesFeed, channel: Subscriber) -> None:
        topic = channel.topic
        try:
            notices = await feed.subscribe(
                channel.id, channel.bindings, channel.claims, self._deliver(channel)
            )
        except Exception as exc:
            _log.exception("postgres changes subscription failed on %s", topic)
            notices = [("error", f"Unable to subscribe to changes: {type(exc).__name__}")]
        if channel.closed:
            return
        for status, message in notices:
            channel.push_system(EXTENSION, status, message)

    async def _update_claims(self, feed: ChangesFeed, channel: Subscriber) -> None:
        await feed.update_claims(channel.id, channel.claims)
        if not channel.closed:
            channel.push_system(EXTENSION, "ok", SUBSCRIBED)
