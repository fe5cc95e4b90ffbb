"""``PostgresChangesFeed``: Supabase Realtime's Postgres changes, computed from a real database.

The feed keeps two connections. One owns a temporary wal2json slot and polls it with the real
poller's cadence; each change goes through ``realtime.feed_changes`` (per-subscriber column
privileges, RLS, filters, value casting) and every resulting row is delivered once per channel
with that channel's matching binding ids. The other inserts and deletes subscription rows.
The ``supabase_realtime`` publication decides what is streamed; it is re-read every minute and
on every subscribe. Numbers keep every digit: payload JSON is parsed with ``Decimal``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

import psycopg

from realtime_typed.local.postgres.cadence import next_poll_delay
from realtime_typed.local.postgres.fanout import ChannelSubscription, Deliver, route
from realtime_typed.local.postgres.install import install_schema
from realtime_typed.local.postgres.params import SubscriptionParams, parse_binding
from realtime_typed.local.postgres.slot import (
    Publication,
    create_slot,
    drop_slot,
    read_changes,
    read_publication,
)
from realtime_typed.local.postgres.subscriptions import (
    SubscriptionFailed,
    delete_subscriptions,
    insert_subscriptions,
)

__all__ = ["FeedStats", "PostgresChangesFeed"]

_log = logging.getLogger(__name__)

SUBSCRIBED: Final = "Subscribed to PostgreSQL"
PUBLICATION_REFRESH_S: Final = 60.0
_RETRY_MIN_S: Final = 0.1
_RETRY_MAX_S: Final = 5.0
_APPLY = (
    "select payload::text, subscription_ids, errors from realtime.feed_changes(%s::jsonb, %s, %s)"
)
_decode = json.JSONDecoder(parse_float=Decimal).decode


@dataclass
class FeedStats:
    """Counters for what the feed did, including everything it had to drop."""

    polls: int = 0
    changes: int = 0
    deliveries: int = 0
    poll_errors: int = 0
    dropped_changes: int = 0
    failed_deliveries: int = 0


@dataclass
class _Binding:
    binding_id: int
    subscription_id: uuid.UUID
    params: SubscriptionParams


def _data(payload: Mapping[str, Any], errors: Sequence[str]) -> dict[str, Any]:
    """The ``data`` object of a ``postgres_changes`` push, keys as the server orders them."""
    kind = payload["type"]
    data: dict[str, Any] = {
        "columns": payload.get("columns", []),
        "commit_timestamp": payload.get("commit_timestamp"),
        "errors": list(errors) or None,
    }
    if kind in ("UPDATE", "DELETE"):
        data["old_record"] = payload.get("old_record", {})
    if kind in ("INSERT", "UPDATE"):
        data["record"] = payload.get("record", {})
    data.update(schema=payload["schema"], table=payload["table"], type=kind)
    return data


class PostgresChangesFeed:
    """Postgres changes for the local server, from the database at ``dsn``."""

    def __init__(
        self,
        dsn: str,
        *,
        publication: str = "supabase_realtime",
        max_changes: int = 100,
        max_record_bytes: int = 1024 * 1024,
        poll_interval: float = 0.1,
        rng: random.Random | None = None,
    ) -> None:
        self._dsn = dsn
        self._publication_name = publication
        self._max_changes = max_changes
        self._max_record_bytes = max_record_bytes
        self._poll_interval = poll_interval
        self._rng = rng or random.Random()
        self._feed_id = uuid.uuid4().hex
        self._slot = f"supabase_realtime_replication_slot_{self._feed_id[:16]}"
        self._admin: psycopg.AsyncConnection[Any] | None = None
        self._poller: psycopg.AsyncConnection[Any] | None = None
        self._poll_lock = asyncio.Lock()
        self._admin_lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._publication = Publication((), ())
        self._slot_ready = False
        self._refreshed_at: float | None = None
        self._channels: dict[str, ChannelSubscription] = {}
        self._bindings: dict[str, list[_Binding]] = {}
        self._owners: dict[uuid.UUID, ChannelSubscription] = {}
        self.stats: FeedStats = FeedStats()

    @property
    def slot_name(self) -> str:
        """The temporary replication slot this feed reads."""
        return self._slot

    async def start(self) -> None:
        """Connect, install the schema if needed and start polling."""
        if self._task is not None:
            raise RuntimeError("the feed is already started")
        self._admin = await psycopg.AsyncConnection.connect(
            self._dsn, autocommit=True, application_name="realtime_rls"
        )
        await install_schema(self._admin, self._publication_name)
        async with self._poll_lock:
            await self._refresh_publication()
        self._task = asyncio.create_task(self._run(), name="postgres-changes-poller")

    async def stop(self) -> None:
        """Stop polling, delete this feed's subscriptions and close the connections."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for connection in (self._admin, self._poller):
            if connection is not None and not connection.closed:
                with contextlib.suppress(psycopg.Error):
                    if connection is self._admin:
                        await connection.execute(
                            "delete from realtime.feed_subscription where feed_id = %s",
                            (self._feed_id,),
                        )
                await connection.close()
        self._admin = self._poller = None
        self._slot_ready = False
        self._channels.clear()
        self._bindings.clear()
        self._owners.clear()

    async def subscribe(
        self,
        channel_id: str,
        bindings: list[tuple[int, dict[str, Any]]],
        claims: dict[str, Any],
        deliver: Deliver,
    ) -> list[tuple[str, str]]:
        """Subscribe a channel's bindings with its JWT claims; the notices to push."""
        parsed: list[_Binding] = []
        for binding_id, raw in bindings:
            params = parse_binding(raw)
            if isinstance(params, str):
                return [("error", params)]
            parsed.append(_Binding(binding_id, uuid.uuid1(), params))
        await self.unsubscribe(channel_id)
        async with self._poll_lock:
            await self._refresh_publication()
        try:
            await self._insert(parsed, claims)
        except SubscriptionFailed as failure:
            return [("error", str(failure))]
        channel = ChannelSubscription(
            channel_id, dict(claims), deliver, [(b.binding_id, b.subscription_id) for b in parsed]
        )
        self._channels[channel_id] = channel
        self._bindings[channel_id] = parsed
        for binding in parsed:
            self._owners[binding.subscription_id] = channel
        return [("ok", SUBSCRIBED)]

    async def update_claims(self, channel_id: str, claims: dict[str, Any]) -> None:
        """Re-subscribe a channel's bindings with refreshed claims (same subscription ids)."""
        channel = self._channels.get(channel_id)
        if channel is None:
            return
        parsed = self._bindings[channel_id]
        await self._delete(parsed)
        try:
            await self._insert(parsed, claims)
        except SubscriptionFailed as failure:
            _log.warning("re-subscribing %s with new claims failed: %s", channel_id, failure)
            self._forget(channel_id)
            return
        channel.claims = dict(claims)

    async def unsubscribe(self, channel_id: str) -> None:
        """Delete a channel's subscriptions; nothing more is delivered to it."""
        parsed = self._bindings.get(channel_id)
        if parsed is None:
            return
        self._forget(channel_id)
        await self._delete(parsed)

    def _forget(self, channel_id: str) -> None:
        self._channels.pop(channel_id, None)
        for binding in self._bindings.pop(channel_id, []):
            self._owners.pop(binding.subscription_id, None)

    def _admin_connection(self) -> psycopg.AsyncConnection[Any]:
        if self._admin is None:
            raise RuntimeError("the feed is not started")
        return self._admin

    async def _insert(self, parsed: list[_Binding], claims: dict[str, Any]) -> None:
        conn = self._admin_connection()
        async with self._admin_lock, conn.transaction():
            await insert_subscriptions(
                conn,
                feed_id=self._feed_id,
                publication=self._publication_name,
                claims=claims,
                bindings=[(b.subscription_id, b.params) for b in parsed],
            )

    async def _delete(self, parsed: list[_Binding]) -> None:
        conn = self._admin_connection()
        async with self._admin_lock:
            await delete_subscriptions(conn, self._feed_id, [b.subscription_id for b in parsed])

    async def _poll_connection(self) -> psycopg.AsyncConnection[Any]:
        if self._poller is None or self._poller.closed:
            self._poller = await psycopg.AsyncConnection.connect(
                self._dsn, autocommit=True, application_name="realtime_rls"
            )
            self._slot_ready = False
        return self._poller

    async def _refresh_publication(self) -> None:
        """Re-read the publication; create the slot when it has tables, drop it when not."""
        conn = await self._poll_connection()
        self._publication = await read_publication(conn, self._publication_name)
        self._refreshed_at = asyncio.get_running_loop().time()
        if self._publication.tables and not self._slot_ready:
            await create_slot(conn, self._slot)
            self._slot_ready = True
        elif not self._publication.tables and self._slot_ready:
            await drop_slot(conn, self._slot)
            self._slot_ready = False

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                async with self._poll_lock:
                    delay = await self._cycle()
                failures = 0
            except (psycopg.Error, OSError):
                failures += 1
                self.stats.poll_errors += 1
                _log.exception("polling the replication slot failed (%d in a row)", failures)
                await self._drop_poll_connection()
                delay = min(_RETRY_MAX_S, _RETRY_MIN_S * 2**failures)
                delay *= self._rng.uniform(0.5, 1.0)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)

    async def _drop_poll_connection(self) -> None:
        poller, self._poller = self._poller, None
        self._slot_ready = False
        if poller is not None:
            with contextlib.suppress(psycopg.Error):
                await poller.close()

    async def _cycle(self) -> float:
        loop = asyncio.get_running_loop()
        if self._refreshed_at is None or loop.time() - self._refreshed_at >= PUBLICATION_REFRESH_S:
            await self._refresh_publication()
        if not self._slot_ready:
            return next_poll_delay(
                delivered=0, slot_changes=0, poll_interval=self._poll_interval, rng=self._rng
            )
        conn = await self._poll_connection()
        self.stats.polls += 1
        outputs: list[tuple[dict[str, Any], list[uuid.UUID]]] = []
        async with conn.transaction():
            changes = await read_changes(conn, self._slot, self._publication, self._max_changes)
            for change in changes:
                outputs.extend(await self._apply(conn, change))
        self.stats.changes += len(changes)
        for data, visible in outputs:
            await self._fan_out(data, visible)
        return next_poll_delay(
            delivered=len(outputs),
            slot_changes=len(changes),
            poll_interval=self._poll_interval,
            rng=self._rng,
        )

    async def _apply(
        self, conn: psycopg.AsyncConnection[Any], change: str
    ) -> list[tuple[dict[str, Any], list[uuid.UUID]]]:
        try:
            async with conn.transaction():
                cursor = await conn.execute(_APPLY, (change, self._feed_id, self._max_record_bytes))
                rows = await cursor.fetchall()
        except psycopg.DatabaseError:
            self.stats.dropped_changes += 1
            _log.exception("a change could not be processed and was dropped")
            return []
        return [(_data(_decode(payload), errors or []), list(ids)) for payload, ids, errors in rows]

    async def _fan_out(self, data: dict[str, Any], visible: list[uuid.UUID]) -> None:
        for channel, ids in route(visible, self._owners):
            try:
                await channel.deliver({"ids": ids, "data": data})
            except Exception:
                self.stats.failed_deliveries += 1
                _log.exception("delivering a change to %s failed", channel.channel_id)
                continue
            self.stats.deliveries += 1
