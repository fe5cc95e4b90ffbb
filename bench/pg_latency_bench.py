"""Postgres changes latency: from COMMIT in PostgreSQL to the realtime-typed callback.

A throwaway cluster (:class:`~realtime_typed.local.postgres.TemporaryCluster`) and a
:class:`~realtime_typed.testing.LocalRealtimeServer` wired to it, polling its replication slot
at the real cadence (poll again at once after delivering rows, wait when idle). One client
subscribes to the INSERTs of one table through a typed ``ChangeSpec``. The script then commits
``--count`` single-row INSERTs, one at a time: each after a random pause of up to one idle poll
period, so that commits land anywhere in the poller's cycle as an application's writes would,
and each waited for before the next. With the real server's defaults (100 ms interval, 500 ms
when idle) a commit usually meets an idle poller, so the median is about half the idle period.

A sample is the ``perf_counter`` in the callback minus the ``perf_counter`` when the autocommit
INSERT returned (the commit acknowledged), so it slightly understates the true latency by the
time the acknowledgement took to arrive. Prints one JSON line with p50, p90, p99 and max in ms.

Run: ``python -m bench.pg_latency_bench [--count 200]``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from typing import Any

import psycopg
from pydantic import BaseModel, JsonValue

from bench.harness import emit, percentile
from realtime_typed import ChangeSpec, InsertChange, RealtimeClient
from realtime_typed.local.postgres import TemporaryCluster
from realtime_typed.local.postgres.cadence import IDLE_MULTIPLIER
from realtime_typed.testing import LocalRealtimeServer

TABLE = "latency_probe"
POLL_INTERVAL = 0.1
"""The feed's default poll interval (seconds); idle, it polls IDLE_MULTIPLIER times slower."""
CHANGE_TIMEOUT = 10.0
SCHEMA = f"""
create table public.{TABLE} (id bigint primary key, note text not null);
alter publication supabase_realtime add table public.{TABLE};
"""


class Probe(BaseModel):
    """One inserted row."""

    id: int
    note: str


PROBE_INSERT = ChangeSpec.insert("public", TABLE, Probe)


class Arrivals:
    """When each row's INSERT reached the callback (``perf_counter``), by id."""

    def __init__(self) -> None:
        self.times: dict[int, float] = {}
        self._arrived = asyncio.Event()

    def __call__(self, change: InsertChange[Probe]) -> None:
        self.times[change.record.id] = time.perf_counter()
        self._arrived.set()

    async def wait_for(self, row_id: int) -> float:
        """The arrival time of row ``row_id``, waiting for it."""
        async with asyncio.timeout(CHANGE_TIMEOUT):
            while row_id not in self.times:
                self._arrived.clear()
                await self._arrived.wait()
        return self.times[row_id]


async def subscribed(client: RealtimeClient, arrivals: Arrivals) -> None:
    """Join a channel with the INSERT binding; return once the database subscription is live."""
    live = asyncio.Event()

    def on_system(payload: dict[str, JsonValue]) -> None:
        if payload.get("extension") == "postgres_changes" and payload.get("status") == "ok":
            live.set()

    channel = client.channel("latency")
    channel.on_postgres_changes(PROBE_INSERT, arrivals)
    channel.on_system(on_system)
    await channel.subscribe()
    async with asyncio.timeout(CHANGE_TIMEOUT):
        await live.wait()


async def measure(count: int, seed: int) -> list[float]:
    """Latency samples in seconds."""
    rng = random.Random(seed)
    idle_period = POLL_INTERVAL * IDLE_MULTIPLIER
    samples: list[float] = []
    async with TemporaryCluster() as cluster:
        database: psycopg.AsyncConnection[Any]
        async with await psycopg.AsyncConnection.connect(cluster.dsn, autocommit=True) as database:
            await database.execute(SCHEMA.encode())
            async with (
                LocalRealtimeServer(db_url=cluster.dsn) as server,
                RealtimeClient(server.url, apikey=server.anon_key) as client,
            ):
                arrivals = Arrivals()
                await subscribed(client, arrivals)
                for row_id in range(count):
                    await asyncio.sleep(rng.uniform(0, idle_period))
                    await database.execute(
                        f"insert into public.{TABLE} (id, note) values (%s, %s)".encode(),
                        (row_id, "probe"),
                    )
                    committed = time.perf_counter()
                    samples.append(await arrivals.wait_for(row_id) - committed)
    return samples


def main() -> None:
    """Measure and print the JSON line."""
    parser = argparse.ArgumentParser(description="COMMIT to callback latency")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    samples = asyncio.run(measure(args.count, args.seed))
    emit(
        "pg_latency",
        "realtime_typed",
        count=len(samples),
        poll_interval_ms=POLL_INTERVAL * 1000,
        p50_ms=round(percentile(samples, 0.50) * 1000, 1),
        p90_ms=round(percentile(samples, 0.90) * 1000, 1),
        p99_ms=round(percentile(samples, 0.99) * 1000, 1),
        max_ms=round(max(samples) * 1000, 1),
    )


if __name__ == "__main__":
    main()
