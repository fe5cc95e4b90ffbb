"""Broadcasts stored in ``realtime.messages``: live delivery and replay.

**Live**: the database announces every committed broadcast row with NOTIFY (``sql/messages.sql``);
:class:`MessageListener` reads the row by id and hands it on, in commit order. NOTIFY rather
than a replication slot: the local server already polls one wal2json slot for Postgres changes,
and NOTIFY is delivered on commit only (rolled-back authorization probes never show), in commit
order, with no polling delay; the row itself is read back, so no payload size limit applies.
Rows inserted with triggers disabled (``session_replication_role = replica``) are not seen.

Each row goes to the private or public namespace its ``private`` column names, as event
``broadcast`` with ``{type, event, payload, meta: {id}}`` (kind 4 on vsn 2.0.0 sockets; binary
rows reach those only). Channels that replayed a row skip its live copy.

**Replay**: a private join with ``config.broadcast.replay = {since, limit}`` gets the newest
``limit`` (clamped 1 to 25, default 25) broadcast rows of its topic inserted at or after
``since`` (ms since the epoch), oldest first, each with ``meta: {replayed: true, id}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

import psycopg

__all__ = [
    "NOTIFY_CHANNEL",
    "MessageListener",
    "ReplayRequest",
    "StoredMessage",
    "fetch_replay",
    "parse_replay",
]

_log = logging.getLogger(__name__)

NOTIFY_CHANNEL: Final = "realtime_typed_messages"
REPLAY_MAX: Final = 25
_EPOCH: Final = datetime.datetime(1970, 1, 1)
_SINCE_MIN_MS: Final = -62_135_596_800_000  # 0001-01-01
_SINCE_MAX_MS: Final = 253_402_300_799_999  # 9999-12-31T23:59:59.999
_COLUMNS: Final = "id::text, topic, event, payload, binary_payload, private"
_BY_ID: Final = f"select {_COLUMNS} from realtime.messages where id = %s"
_REPLAY: Final = f"""
select {_COLUMNS} from realtime.messages
 where topic = %s and private is true and extension = 'broadcast'
   and inserted_at >= %s and inserted_at < %s
 order by inserted_at desc
 limit %s
"""


class StoredMessage(NamedTuple):
    """One broadcast row of ``realtime.messages``."""

    id: str
    topic: str
    event: str | None
    payload: Any
    binary_payload: bytes | None
    private: bool

    @property
    def deliverable(self) -> bool:
        """Whether it has an event and a payload (the real server skips it otherwise)."""
        return self.event is not None and (
            self.payload is not None or self.binary_payload is not None
        )


@dataclass(frozen=True, slots=True)
class ReplayRequest:
    """A valid ``config.broadcast.replay``: since (ms epoch) and the clamped limit."""

    since_ms: int
    limit: int


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_replay(value: dict[str, Any]) -> ReplayRequest | None:
    """The replay request, or ``None`` when its values are not valid."""
    since = value.get("since")
    limit = value.get("limit") or REPLAY_MAX
    if not _is_int(since) or not _is_int(limit):
        return None
    assert isinstance(since, int) and isinstance(limit, int)
    if not _SINCE_MIN_MS <= since <= _SINCE_MAX_MS:
        return None
    return ReplayRequest(since, max(1, min(limit, REPLAY_MAX)))


async def fetch_replay(
    conn: psycopg.AsyncConnection[Any], request: ReplayRequest, topic: str
) -> list[StoredMessage]:
    """The rows ``request`` selects on ``topic``, oldest first."""
    since = _EPOCH + datetime.timedelta(milliseconds=request.since_ms)
    until = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) + datetime.timedelta(minutes=1)
    cursor = await conn.execute(_REPLAY, (topic, since, until, request.limit))
    rows = await cursor.fetchall()
    return [StoredMessage(*row) for row in reversed(rows)]


class MessageListener:
    """LISTENs for committed broadcast rows and hands each to ``deliver``, in commit order."""

    def __init__(self, dsn: str, deliver: Callable[[StoredMessage], object]) -> None:
        self._dsn = dsn
        self._deliver = deliver
        self._listen: psycopg.AsyncConnection[Any] | None = None
        self._fetch: psycopg.AsyncConnection[Any] | None = None
        self._task: asyncio.Task[None] | None = None
        self.failures: int = 0

    async def start(self) -> None:
        """Connect, LISTEN and start reading notifications."""
        self._listen = await psycopg.AsyncConnection.connect(self._dsn, autocommit=True)
        self._fetch = await psycopg.AsyncConnection.connect(self._dsn, autocommit=True)
        await self._listen.execute(f"listen {NOTIFY_CHANNEL}")
        self._task = asyncio.get_running_loop().create_task(
            self._run(self._listen, self._fetch), name="realtime-messages"
        )

    async def stop(self) -> None:
        """Stop reading and close both connections."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for conn in (self._listen, self._fetch):
            if conn is not None:
                await conn.close()
        self._listen = self._fetch = None

    async def _run(
        self, listen: psycopg.AsyncConnection[Any], fetch: psycopg.AsyncConnection[Any]
    ) -> None:
        try:
            async for notice in listen.notifies():
                await self._handle(fetch, notice.payload)
        except psycopg.Error as exc:
            self.failures += 1
            _log.error("stored broadcasts: the listening connection failed: %s", exc)

    async def _handle(self, fetch: psycopg.AsyncConnection[Any], message_id: str) -> None:
        try:
            cursor = await fetch.execute(_BY_ID, (uuid.UUID(message_id),))
            row = await cursor.fetchone()
        except (psycopg.Error, ValueError) as exc:
            self.failures += 1
            _log.warning("stored broadcast %s could not be read: %s", message_id, exc)
            return
        if row is None:
            self.failures += 1
            _log.warning("stored broadcast %s is gone before delivery", message_id)
            return
        message = StoredMessage(*row)
        if not message.deliverable:
            self.failures += 1
            _log.warning("stored broadcast %s has no event or payload: skipped", message_id)
            return
        self._deliver(message)
