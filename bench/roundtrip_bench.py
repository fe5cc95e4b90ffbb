"""Round trip: a self broadcast with ack, one at a time; p50 and p99 latency in microseconds.

The channel is joined with ``self`` and ``ack``; one round trip is the time from the send
until both the broadcast's echo and the server's ack reply have been received (the server
sends the echo first). Warm-up round trips are not counted. Besides p50 and p99 the JSON line
holds ``cdf_us``, the percentiles 0 to 100, which ``bench/plots.py`` draws as a CDF.

``realtime_typed_sync`` is the blocking client: ``send_broadcast`` blocks until the ack, then
the echo is taken from its ``broadcasts()`` iterator, on the caller's thread.

``raw_binary`` is the raw loop sending binary kind-3 broadcasts, as realtime-typed does.

Run: ``python -m bench.roundtrip_bench --impl IMPL [--count 2000]``, IMPL one of raw,
raw_binary, official, realtime_typed, realtime_typed_sync.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from realtime import AsyncRealtimeClient, RealtimeAcknowledgementStatus
from websockets.asyncio.client import connect

from bench.harness import Meter, ServerProcess, emit, percentile
from bench.send_bench import BODY, EVENT, PAYLOAD, RawSocket, join_config
from realtime_typed import RealtimeClient
from realtime_typed.sync import RealtimeClient as BlockingClient

TOPIC_NAME = "echo"
WARMUP = 200
CDF_POINTS = 100
"""The latency distribution is reported as this many quantiles (plus the minimum)."""
CONFIG: dict[str, Any] = {"broadcast": {"ack": True, "self": True}}


async def raw(server: ServerProcess, count: int) -> list[float]:
    return await _raw(server, count, binary=False)


async def raw_binary(server: ServerProcess, count: int) -> list[float]:
    return await _raw(server, count, binary=True)


async def _raw(server: ServerProcess, count: int, *, binary: bool) -> list[float]:
    """The raw loop; with ``binary`` it sends kind-3 binary broadcasts, as realtime-typed (and
    the reference client) do on vsn 2.0.0, instead of JSON text frames."""
    async with connect(server.socket_url("2.0.0"), compression=None, max_queue=None) as ws:
        sock = RawSocket(ws)
        topic = "realtime:" + TOPIC_NAME
        config = join_config(True)
        config["config"]["broadcast"]["self"] = True
        ref = str(next(sock.refs))
        await ws.send(json.dumps([ref, ref, topic, "phx_join", config]))
        await sock.until_reply(ref)
        join_ref = ref
        dumps, loads, clock = json.dumps, json.loads, time.perf_counter
        samples: list[float] = []
        for _ in range(count + WARMUP):
            ref = str(next(sock.refs))
            start = clock()
            if binary:
                await ws.send(_kind3(join_ref, ref, topic))
            else:
                await ws.send(dumps([join_ref, ref, topic, "broadcast", BODY]))
            echoed = False
            while True:
                data = await ws.recv()
                if type(data) is not str:
                    echoed = True
                    continue
                frame = loads(data)
                if frame[3] == "broadcast":
                    echoed = True
                elif frame[3] == "phx_reply" and frame[1] == ref:
                    break
            samples.append(clock() - start)
            assert echoed
        return samples[WARMUP:]


def _kind3(join_ref: str, ref: str, topic: str) -> bytes:
    """A kind-3 user broadcast push (the binary frame's layout, written out by hand)."""
    fields = [join_ref.encode(), ref.encode(), topic.encode(), EVENT.encode(), b""]
    header = bytes((3, *(len(field) for field in fields), 1))
    return header + b"".join(fields) + json.dumps(PAYLOAD).encode()


def _resolver(future: asyncio.Future[None]) -> Callable[[object], None]:
    """A reply callback that resolves ``future``."""

    def resolve(_response: object) -> None:
        future.set_result(None)

    return resolve


async def official(server: ServerProcess, count: int) -> list[float]:
    client = AsyncRealtimeClient(server.url, token=server.anon_key, auto_reconnect=False)
    config = join_config(True)["config"]
    config["broadcast"]["self"] = True
    channel = client.channel(TOPIC_NAME, {"config": config})
    echoes = [0]

    def on_echo(_message: object) -> None:
        echoes[0] += 1

    channel.on_broadcast(EVENT, on_echo)
    await channel.subscribe()
    loop = asyncio.get_running_loop()
    clock = time.perf_counter
    samples: list[float] = []
    try:
        for index in range(count + WARMUP):
            acked: asyncio.Future[None] = loop.create_future()
            start = clock()
            push = await channel.push("broadcast", BODY)
            push.receive(RealtimeAcknowledgementStatus.Ok, _resolver(acked))
            await acked
            samples.append(clock() - start)
            assert echoes[0] == index + 1
    finally:
        await client.close()
    return samples[WARMUP:]


async def realtime_typed(server: ServerProcess, count: int) -> list[float]:
    async with RealtimeClient(server.url, apikey=server.anon_key) as client:
        channel = client.channel(TOPIC_NAME, broadcast_self=True, broadcast_ack=True)
        echoes = [0]

        def on_echo(_message: object) -> None:
            echoes[0] += 1

        channel.on_broadcast(EVENT, on_echo)
        await channel.subscribe()
        send = channel.send_broadcast
        clock = time.perf_counter
        samples: list[float] = []
        for index in range(count + WARMUP):
            start = clock()
            await send(EVENT, PAYLOAD)
            samples.append(clock() - start)
            assert echoes[0] == index + 1
        return samples[WARMUP:]


def _blocking_round_trips(server: ServerProcess, count: int) -> list[float]:
    with BlockingClient(server.url, apikey=server.anon_key) as client:
        channel = client.channel(TOPIC_NAME, broadcast_self=True, broadcast_ack=True)
        echoes = channel.broadcasts(EVENT)
        channel.subscribe()
        send = channel.send_broadcast
        clock = time.perf_counter
        samples: list[float] = []
        for _ in range(count + WARMUP):
            start = clock()
            send(EVENT, PAYLOAD)
            next(echoes)
            samples.append(clock() - start)
        return samples[WARMUP:]


async def realtime_typed_sync(server: ServerProcess, count: int) -> list[float]:
    return await asyncio.to_thread(_blocking_round_trips, server, count)


IMPLS = {
    "raw": raw,
    "raw_binary": raw_binary,
    "official": official,
    "realtime_typed": realtime_typed,
    "realtime_typed_sync": realtime_typed_sync,
}


async def run(impl: str, count: int) -> dict[str, Any]:
    async with ServerProcess() as server:
        meter = Meter()
        meter.start()
        async with asyncio.timeout(600):
            samples = await IMPLS[impl](server, count)
        meter.stop()
    return {
        "p50_us": percentile(samples, 0.5) * 1e6,
        "p99_us": percentile(samples, 0.99) * 1e6,
        "cdf_us": [percentile(samples, q / CDF_POINTS) * 1e6 for q in range(CDF_POINTS + 1)],
        "wall_s": meter.wall_s,
        "cpu_s": meter.cpu_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--impl", choices=sorted(IMPLS), required=True)
    parser.add_argument("--count", type=int, default=2000)
    args = parser.parse_args()
    emit("roundtrip", args.impl, count=args.count, **asyncio.run(run(args.impl, args.count)))


if __name__ == "__main__":
    main()
