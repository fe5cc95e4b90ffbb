"""Many channels on one socket: join time of N channels and memory per channel.

All N joins are started together (``asyncio.gather`` of the subscribes) and the time until
every one is joined is the join time. Memory is measured on a second client of the same
process with ``tracemalloc`` running (Python allocations from the first ``channel()`` call
until all are joined, divided by N), and as the growth of the process's resident set size
over the first, untraced client.

Run: ``python -m bench.channels_bench --impl official|realtime_typed [--channels 1000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import resource
import tracemalloc
from collections.abc import Awaitable, Callable
from typing import Any

from realtime import AsyncRealtimeClient

from bench.harness import Meter, ServerProcess, emit
from realtime_typed import RealtimeClient

Joiner = Callable[[ServerProcess, str, int], Awaitable[tuple[Meter, Callable[[], Awaitable[None]]]]]


def rss_bytes() -> int:
    """The process's resident set size now."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


async def official(
    server: ServerProcess, prefix: str, count: int
) -> tuple[Meter, Callable[[], Awaitable[None]]]:
    client = AsyncRealtimeClient(server.url, token=server.anon_key, auto_reconnect=False)
    await client.connect()
    meter = Meter()
    meter.start()
    channels = [client.channel(f"{prefix}{index}") for index in range(count)]
    await asyncio.gather(*(channel.subscribe() for channel in channels))
    meter.stop()
    assert all(channel.is_joined for channel in channels)
    return meter, client.close


async def realtime_typed(
    server: ServerProcess, prefix: str, count: int
) -> tuple[Meter, Callable[[], Awaitable[None]]]:
    client = RealtimeClient(server.url, apikey=server.anon_key)
    await client.connect()
    meter = Meter()
    meter.start()
    channels = [client.channel(f"{prefix}{index}") for index in range(count)]
    await asyncio.gather(*(channel.subscribe() for channel in channels))
    meter.stop()
    return meter, client.close


IMPLS: dict[str, Joiner] = {"official": official, "realtime_typed": realtime_typed}


async def run(impl: str, count: int) -> dict[str, Any]:
    join = IMPLS[impl]
    async with ServerProcess() as server:
        gc.collect()
        rss0 = rss_bytes()
        meter, close_timed = await join(server, "timed-", count)
        gc.collect()
        rss_growth = rss_bytes() - rss0
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        _, close_traced = await join(server, "traced-", count)
        gc.collect()
        traced = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        await close_traced()
        await close_timed()
    return {
        "join_s": meter.wall_s,
        "join_cpu_s": meter.cpu_s,
        "bytes_per_channel": traced / count,
        "rss_bytes_per_channel": rss_growth / count,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--impl", choices=sorted(IMPLS), required=True)
    parser.add_argument("--channels", type=int, default=1000)
    args = parser.parse_args()
    metrics = asyncio.run(run(args.impl, args.channels))
    emit("channels", args.impl, channels=args.channels, **metrics)


if __name__ == "__main__":
    main()
