"""The server restarted three times under 50 live channels with broadcast, presence and changes.

After each restart every channel must be SUBSCRIBED again, its presence re-tracked under the new
join, its Postgres binding re-established (a row inserted after the restart arrives), and every
message delivered exactly once; the state callback must show every drop and every rejoin.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from typing import Any

import psycopg
import pytest
from psycopg import sql
from pydantic import JsonValue

from realtime_typed import BroadcastMessage, Channel, InsertChange, RealtimeClient, SubscribeState
from realtime_typed.testing import LocalRealtimeServer

from .waiting import StateLog, Tally

pytestmark = pytest.mark.postgres

CHANNELS = 50
RESTARTS = 3


def retry_at_once(tries: int) -> float:
    return 0.05


async def _table(dsn: str) -> str:
    name = f"soak_{uuid.uuid4().hex[:8]}"
    table = sql.Identifier("public", name)
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as connection:
        await connection.execute(
            sql.SQL(
                "create table {} (id serial primary key, ch int not null, round int not null)"
            ).format(table)
        )
        await connection.execute(
            sql.SQL("alter publication supabase_realtime add table {}").format(table)
        )
    return name


async def _insert_round(dsn: str, table: str, round_number: int) -> None:
    statement = sql.SQL("insert into {} (ch, round) select g, %s from generate_series(0, %s) g")
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as connection:
        await connection.execute(
            statement.format(sql.Identifier("public", table)), (round_number, CHANNELS - 1)
        )


class Room:
    """One of the 50 channels and what it has seen."""

    def __init__(
        self,
        client: RealtimeClient,
        index: int,
        table: str,
        broadcasts: Tally[tuple[int, int]],
        changes: Tally[tuple[int, int]],
        notices: Tally[int],
        presences: Tally[tuple[int, str | None]],
    ) -> None:
        self.index = index
        self.key = f"member-{index}"
        self.channel: Channel[dict[str, JsonValue]] = client.channel(
            f"room-{index}", broadcast_self=True, broadcast_ack=True, presence_key=self.key
        )

        def on_broadcast(message: BroadcastMessage[JsonValue]) -> None:
            payload: Any = message.payload
            broadcasts.add((payload["round"], payload["ch"]))

        def on_change(change: InsertChange[dict[str, JsonValue]]) -> None:
            record: Any = change.record
            changes.add((record["round"], record["ch"]))

        def on_system(payload: dict[str, JsonValue]) -> None:
            if payload.get("extension") == "postgres_changes" and payload.get("status") == "ok":
                notices.add(index)

        def on_sync() -> None:
            if self.key in self.channel.presence_state():
                presences.add((index, self.channel.join_ref))

        self.channel.on_broadcast("tick", on_broadcast)
        self.channel.on_postgres_changes("INSERT", on_change, table=table, filter=f"ch=eq.{index}")
        self.channel.on_system(on_system)
        self.channel.on_presence_sync(on_sync)

    async def send(self, round_number: int) -> None:
        await self.channel.send_broadcast("tick", {"round": round_number, "ch": self.index})


async def test_channels_recover_after_each_restart(
    realtime_server_db: LocalRealtimeServer, postgres_dsn: str
) -> None:
    server = realtime_server_db
    table = await _table(postgres_dsn)
    states = StateLog()
    broadcasts: Tally[tuple[int, int]] = Tally()
    changes: Tally[tuple[int, int]] = Tally()
    notices: Tally[int] = Tally()
    presences: Tally[tuple[int, str | None]] = Tally()
    client = RealtimeClient(
        server.url,
        apikey=server.anon_key,
        reconnect_after=retry_at_once,
        rejoin_after=retry_at_once,
    )
    async with client:
        rooms = [
            Room(client, index, table, broadcasts, changes, notices, presences)
            for index in range(CHANNELS)
        ]
        topics = [room.channel.topic for room in rooms]
        await asyncio.gather(
            *(room.channel.subscribe(states.callback(room.channel.topic)) for room in rooms)
        )
        await asyncio.gather(*(room.channel.track({"index": room.index}) for room in rooms))

        for round_number in range(RESTARTS + 1):
            if round_number:
                await server.faults.restart()
                await states.reached(SubscribeState.SUBSCRIBED, round_number + 1, topics)
            await notices.seen(range(CHANNELS), times=round_number + 1)
            await presences.seen((room.index, room.channel.join_ref) for room in rooms)
            await asyncio.gather(*(room.send(round_number) for room in rooms))
            await _insert_round(postgres_dsn, table, round_number)
            expected = [(round_number, index) for index in range(CHANNELS)]
            await broadcasts.seen(expected)
            await changes.seen(expected)

        assert server.faults.restarts == RESTARTS
        assert broadcasts.duplicates() == {}
        assert changes.duplicates() == {}
        for topic in topics:
            history = states.history[topic]
            assert history[0] is SubscribeState.SUBSCRIBED
            assert history[-1] is SubscribeState.SUBSCRIBED
            assert history.count(SubscribeState.SUBSCRIBED) == RESTARTS + 1
            assert set(history) == {SubscribeState.SUBSCRIBED, SubscribeState.CHANNEL_ERROR}
            for before, after in itertools.pairwise(history):
                assert (before, after) != (SubscribeState.SUBSCRIBED, SubscribeState.SUBSCRIBED)
