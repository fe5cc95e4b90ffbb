"""Send: N broadcasts on one channel, without ack and with ack (pipelined), messages per second.

Without ack, the N sends are followed by one acknowledged broadcast on a second channel of
the same socket: the server handles a socket's frames in order, so its reply proves every
broadcast before it was received and relayed. With ack, broadcasts go out in windows of
``--window`` in flight; each window ends when all its replies are in.

- ``raw``: ``websockets`` + ``json.dumps`` (vsn 2.0.0 JSON text frames), replies matched by ref;
- ``official``: the ``realtime`` client; ``send_broadcast`` without ack, ``push`` plus
  ``receive("ok", ...)`` with ack (its ``send_broadcast`` discards the reply);
- ``realtime_typed``: ``Channel.send_broadcast`` (binary kind 3 on vsn 2.0.0); with ack, each
  window is one ``Channel.send_broadcasts`` (one wait for the window's replies);
- ``realtime_typed_gather``: with ack, each window is an ``asyncio.gather`` of
  ``send_broadcast`` (one task per message: the one-at-a-time path);
- ``realtime_typed_sync``: the blocking client (``realtime_typed.sync``) on a thread of the
  bench: ``send_broadcast`` one at a time without ack, ``send_broadcasts`` per window with.
  Its client CPU time counts the client's own event-loop thread too (one process).

Run: ``python -m bench.send_bench --impl raw [--ack] [--count 20000] [--window 1000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
from typing import Any

from realtime import AsyncRealtimeClient, RealtimeAcknowledgementStatus
from websockets.asyncio.client import ClientConnection, connect

from bench.harness import Meter, ServerProcess, emit
from realtime_typed import RealtimeClient
from realtime_typed.sync import RealtimeClient as BlockingClient

TOPIC_NAME = "send"
SYNC_NAME = "sync"
EVENT = "cursor"
PAYLOAD: dict[str, Any] = {"id": 42, "x": 12.5, "y": 7.25, "user": "user-1"}
BODY: dict[str, Any] = {"type": "broadcast", "event": EVENT, "payload": PAYLOAD}


def join_config(ack: bool) -> dict[str, Any]:
    """A join payload like the reference client's."""
    return {
        "config": {
            "broadcast": {"ack": ack, "self": False},
            "presence": {"key": "", "enabled": False},
            "postgres_changes": [],
            "private": False,
        }
    }


class RawSocket:
    """A raw socket with numbered refs."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.refs = itertools.count(1)

    async def join(self, name: str, ack: bool) -> str:
        ref = str(next(self.refs))
        await self.ws.send(json.dumps([ref, ref, "realtime:" + name, "phx_join", join_config(ack)]))
        await self.until_reply(ref)
        return ref

    async def until_reply(self, ref: str) -> None:
        """Read frames until the reply to ``ref``."""
        loads = json.loads
        while True:
            frame = loads(await self.ws.recv())
            if frame[3] == "phx_reply" and frame[1] == ref:
                return


async def raw(server: ServerProcess, count: int, ack: bool, window: int) -> Meter:
    async with connect(server.socket_url("2.0.0"), compression=None, max_queue=None) as ws:
        sock = RawSocket(ws)
        topic = "realtime:" + TOPIC_NAME
        join_ref = await sock.join(TOPIC_NAME, ack)
        sync_ref = await sock.join(SYNC_NAME, True)
        dumps = json.dumps
        refs = sock.refs
        meter = Meter()
        meter.start()
        if ack:
            loads = json.loads
            for start in range(0, count, window):
                size = min(window, count - start)
                for _ in range(size):
                    await ws.send(dumps([join_ref, str(next(refs)), topic, "broadcast", BODY]))
                replies = 0
                while replies < size:
                    if loads(await ws.recv())[3] == "phx_reply":
                        replies += 1
        else:
            for _ in range(count):
                await ws.send(dumps([join_ref, str(next(refs)), topic, "broadcast", BODY]))
            ref = str(next(refs))
            await ws.send(dumps([sync_ref, ref, "realtime:" + SYNC_NAME, "broadcast", BODY]))
            await sock.until_reply(ref)
        meter.stop()
        return meter


def _ack_chunk(pushes: list[Any], size: int) -> asyncio.Event:
    """An event set once ``size`` pushes were acknowledged."""
    done = asyncio.Event()
    acked = [0]

    def ok(_response: object) -> None:
        acked[0] += 1
        if acked[0] == size:
            done.set()

    for push in pushes:
        push.receive(RealtimeAcknowledgementStatus.Ok, ok)
    return done


async def official(server: ServerProcess, count: int, ack: bool, window: int) -> Meter:
    client = AsyncRealtimeClient(server.url, token=server.anon_key, auto_reconnect=False)
    channel = client.channel(TOPIC_NAME, {"config": join_config(ack)["config"]})
    sync = client.channel(SYNC_NAME, {"config": join_config(True)["config"]})
    await channel.subscribe()
    await sync.subscribe()
    try:
        meter = Meter()
        meter.start()
        if ack:
            for start in range(0, count, window):
                size = min(window, count - start)
                pushes = [await channel.push("broadcast", BODY) for _ in range(size)]
                await _ack_chunk(pushes, size).wait()
        else:
            for _ in range(count):
                await channel.send_broadcast(EVENT, PAYLOAD)
            await _ack_chunk([await sync.push("broadcast", BODY)], 1).wait()
        meter.stop()
        return meter
    finally:
        await client.close()


async def realtime_typed(server: ServerProcess, count: int, ack: bool, window: int) -> Meter:
    return await _realtime_typed(server, count, ack, window, batch=True)


async def realtime_typed_gather(server: ServerProcess, count: int, ack: bool, window: int) -> Meter:
    return await _realtime_typed(server, count, ack, window, batch=False)


async def _realtime_typed(
    server: ServerProcess, count: int, ack: bool, window: int, *, batch: bool
) -> Meter:
    async with RealtimeClient(server.url, apikey=server.anon_key) as client:
        channel = client.channel(TOPIC_NAME, broadcast_ack=ack)
        sync = client.channel(SYNC_NAME, broadcast_ack=True)
        await channel.subscribe()
        await sync.subscribe()
        send = channel.send_broadcast
        meter = Meter()
        meter.start()
        if ack and batch:
            for start in range(0, count, window):
                size = min(window, count - start)
                outcomes = await channel.send_broadcasts(EVENT, [PAYLOAD] * size)
                assert not any(outcomes), outcomes
        elif ack:
            for start in range(0, count, window):
                size = min(window, count - start)
                await asyncio.gather(*(send(EVENT, PAYLOAD) for _ in range(size)))
        else:
            for _ in range(count):
                await send(EVENT, PAYLOAD)
            await sync.send_broadcast(EVENT, PAYLOAD)
        meter.stop()
        return meter


def _blocking_sends(server: ServerProcess, count: int, ack: bool, window: int) -> Meter:
    with BlockingClient(server.url, apikey=server.anon_key) as client:
        channel = client.channel(TOPIC_NAME, broadcast_ack=ack).subscribe()
        sync = client.channel(SYNC_NAME, broadcast_ack=True).subscribe()
        meter = Meter()
        meter.start()
        if ack:
            for start in range(0, count, window):
                size = min(window, count - start)
                outcomes = channel.send_broadcasts(EVENT, [PAYLOAD] * size)
                assert not any(outcomes), outcomes
        else:
            send = channel.send_broadcast
            for _ in range(count):
                send(EVENT, PAYLOAD)
            sync.send_broadcast(EVENT, PAYLOAD)
        meter.stop()
        return meter


async def realtime_typed_sync(server: ServerProcess, count: int, ack: bool, window: int) -> Meter:
    return await asyncio.to_thread(_blocking_sends, server, count, ack, window)


IMPLS = {
    "raw": raw,
    "official": official,
    "realtime_typed": realtime_typed,
    "realtime_typed_gather": realtime_typed_gather,
    "realtime_typed_sync": realtime_typed_sync,
}


async def run(impl: str, count: int, ack: bool, window: int) -> dict[str, Any]:
    async with ServerProcess() as server:
        cpu0 = await server.cpu()
        async with asyncio.timeout(600):
            meter = await IMPLS[impl](server, count, ack, window)
        server_cpu = await server.cpu() - cpu0
    return {
        "msgs_per_s": count / meter.wall_s,
        "wall_s": meter.wall_s,
        "cpu_s": meter.cpu_s,
        "server_cpu_s": server_cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--impl", choices=sorted(IMPLS), required=True)
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--ack", action="store_true")
    parser.add_argument("--window", type=int, default=1000)
    args = parser.parse_args()
    metrics = asyncio.run(run(args.impl, args.count, args.ack, args.window))
    emit("send_ack" if args.ack else "send", args.impl, count=args.count, **metrics)


if __name__ == "__main__":
    main()
