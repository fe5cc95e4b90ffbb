"""Receive: N small broadcasts on one subscribed channel, trivial callback, messages per second.

The local server's firehose (in its own process) sends the same broadcast N times as fast as
the socket takes it; the client counts them in its callback. Implementations:

- ``sink``: no WebSocket parsing at all, bytes are counted as they arrive: the firehose's own
  rate, the ceiling every client is measured against;
- ``raw``: the fastest honest ``websockets`` loop (no compression, no receive queue limit, one
  ``json.loads``, event, topic and user event compared in place; vsn 2.0.0);
- ``official``: the ``realtime`` client (vsn 1.0.0, the only one it speaks), ``on_broadcast``;
- ``realtime_typed``: ``RealtimeClient`` (vsn 2.0.0), ``on_broadcast`` with a plain event;
- ``realtime_typed_model``: the same with a ``BroadcastSpec`` whose payload is validated into
  a Pydantic model (the "typed receive" job);
- ``raw_model``: the raw loop plus the same model validation;
- ``realtime_typed_sync``: the blocking client (``realtime_typed.sync``), ``on_broadcast`` with
  a plain event: the callback runs on the client's delivery thread;
- ``realtime_typed_sync_iter``: the blocking client's ``broadcasts()`` iterator, read on a
  thread of the bench (``maxsize`` is the message count, so that none is dropped).

``--binary`` sends kind-4 binary broadcasts to v2 sockets instead of JSON text.

Run: ``python -m bench.receive_bench --impl realtime_typed [--count 100000] [--binary]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from realtime import AsyncRealtimeClient
from websockets.asyncio.client import connect

from bench.harness import Meter, ServerProcess, emit
from realtime_typed import BroadcastMessage, BroadcastSpec, RealtimeClient
from realtime_typed.local.firehose import broadcast_fan_out
from realtime_typed.sync import RealtimeClient as BlockingClient

TOPIC_NAME = "hose"
TOPIC = "realtime:" + TOPIC_NAME
EVENT = "cursor"
PAYLOAD: dict[str, Any] = {"id": 42, "x": 12.5, "y": 7.25, "user": "user-1"}
JOIN_CONFIG: dict[str, Any] = {
    "config": {
        "broadcast": {"ack": False, "self": False},
        "presence": {"key": "", "enabled": False},
        "postgres_changes": [],
        "private": False,
    }
}
KIND_USER_BROADCAST = 4
TOPIC_BYTES = TOPIC.encode()
EVENT_BYTES = EVENT.encode()


class Cursor(BaseModel):
    """The broadcast's payload as an app declares it."""

    id: int
    x: float
    y: float
    user: str


CURSOR = BroadcastSpec(EVENT, Cursor)


class Counter:
    """Counts deliveries; ``done`` is set at ``target``."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.count = 0
        self.done = asyncio.Event()

    def hit(self, _message: object) -> None:
        """The trivial callback."""
        self.count += 1
        if self.count == self.target:
            self.done.set()


async def measure(
    server: ServerProcess, count: int, binary: bool, wait: Callable[[], Any]
) -> dict[str, Any]:
    """Fire the firehose, await ``wait()`` (the client has everything), report."""
    meter = Meter()
    meter.start()
    server.send(
        cmd="firehose", topic=TOPIC, event=EVENT, payload=PAYLOAD, count=count, binary=binary
    )
    async with asyncio.timeout(600):
        await wait()
    meter.stop()
    fire = await server.reply()
    return {
        "msgs_per_s": count / meter.wall_s,
        "wall_s": meter.wall_s,
        "cpu_s": meter.cpu_s,
        "server_cpu_s": fire["cpu_seconds"],
        "server_seconds": fire["seconds"],
    }


def _kind4_payload(raw: bytes) -> Any:
    """The user payload of a kind-4 binary broadcast of ``EVENT`` on ``TOPIC``, else ``None``."""
    if raw[0] != KIND_USER_BROADCAST:
        return None
    topic_end = 5 + raw[1]
    event_end = topic_end + raw[2]
    if raw[5:topic_end] != TOPIC_BYTES or raw[topic_end:event_end] != EVENT_BYTES:
        return None
    return json.loads(raw[event_end + raw[3] :])


async def raw(server: ServerProcess, count: int, binary: bool, model: bool) -> dict[str, Any]:
    """The fastest honest loop a user could write with websockets and json.

    No compression offered, no limit on the library's receive queue (so it never pauses the
    socket), one ``json.loads`` per frame, the event, topic and user event compared in place,
    the count kept in a local variable.
    """
    async with connect(server.socket_url("2.0.0"), compression=None, max_queue=None) as ws:
        await ws.send(json.dumps(["1", "1", TOPIC, "phx_join", JOIN_CONFIG]))
        await ws.recv()
        validate = Cursor.model_validate
        loads = json.loads

        async def loop() -> None:
            seen = 0
            async for data in ws:
                if type(data) is str:
                    frame = loads(data)
                    if frame[3] != "broadcast" or frame[2] != TOPIC:
                        continue
                    body = frame[4]
                    if body["event"] != EVENT:
                        continue
                    payload = body["payload"]
                else:
                    payload = _kind4_payload(data)
                    if payload is None:
                        continue
                if model:
                    validate(payload)
                seen += 1
                if seen == count:
                    return

        return await measure(server, count, binary, loop)


async def sink(server: ServerProcess, count: int, binary: bool) -> dict[str, Any]:
    data = broadcast_fan_out(TOPIC, EVENT, PAYLOAD, binary=binary).encoded("2.0.0")
    assert data is not None
    size = len(data.encode() if isinstance(data, str) else data)
    header = 2 if size < 126 else 4 if size < 65536 else 10
    expected = count * (header + size)
    # The socket is handed over to a byte counter after the join: it is never closed the
    # WebSocket way (its protocol object no longer sees the transport), only aborted.
    ws = await connect(server.socket_url("2.0.0"), compression=None)
    await ws.send(json.dumps(["1", "1", TOPIC, "phx_join", JOIN_CONFIG]))
    await ws.recv()
    done = asyncio.Event()
    received = [0]

    class Counting(asyncio.Protocol):
        def data_received(self, data: bytes) -> None:
            received[0] += len(data)
            if received[0] >= expected:
                done.set()

    transport = ws.transport
    transport.set_protocol(Counting())
    try:
        return await measure(server, count, binary, done.wait)
    finally:
        transport.abort()


async def official(server: ServerProcess, count: int, binary: bool) -> dict[str, Any]:
    client = AsyncRealtimeClient(server.url, token=server.anon_key, auto_reconnect=False)
    channel = client.channel(TOPIC_NAME)
    counter = Counter(count)
    channel.on_broadcast(EVENT, counter.hit)
    await channel.subscribe()
    try:
        return await measure(server, count, binary, counter.done.wait)
    finally:
        await client.close()


async def realtime_typed(
    server: ServerProcess, count: int, binary: bool, model: bool
) -> dict[str, Any]:
    async with RealtimeClient(server.url, apikey=server.anon_key) as client:
        channel = client.channel(TOPIC_NAME)
        counter = Counter(count)
        if model:

            def on_cursor(message: BroadcastMessage[Cursor]) -> None:
                counter.hit(message)

            channel.on_broadcast(CURSOR, on_cursor)
        else:
            channel.on_broadcast(EVENT, counter.hit)
        await channel.subscribe()
        return await measure(server, count, binary, counter.done.wait)


class ThreadCounter:
    """Counts deliveries on any thread; ``done`` is set at ``target``."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.count = 0
        self.done = threading.Event()

    def hit(self, _message: object) -> None:
        """The trivial callback (on the blocking client's delivery thread)."""
        self.count += 1
        if self.count == self.target:
            self.done.set()


async def realtime_typed_sync(
    server: ServerProcess, count: int, binary: bool, iterate: bool
) -> dict[str, Any]:
    """The blocking client; the bench's loop waits on a thread while the client receives."""
    with BlockingClient(server.url, apikey=server.anon_key) as client:
        channel = client.channel(TOPIC_NAME)
        counter = ThreadCounter(count)
        if iterate:
            stream = channel.broadcasts(EVENT, maxsize=count)

            def consume() -> None:
                for message in stream:
                    counter.hit(message)
                    if counter.done.is_set():
                        return

            channel.subscribe()
            reader = threading.Thread(target=consume)
            reader.start()
            try:
                return await measure(
                    server, count, binary, lambda: asyncio.to_thread(counter.done.wait)
                )
            finally:
                stream.close()
                await asyncio.to_thread(reader.join)
        channel.on_broadcast(EVENT, counter.hit)
        channel.subscribe()
        return await measure(server, count, binary, lambda: asyncio.to_thread(counter.done.wait))


IMPLS = (
    "sink",
    "raw",
    "raw_model",
    "official",
    "realtime_typed",
    "realtime_typed_model",
    "realtime_typed_sync",
    "realtime_typed_sync_iter",
)


async def run(impl: str, count: int, binary: bool) -> dict[str, Any]:
    async with ServerProcess() as server:
        if impl == "sink":
            return await sink(server, count, binary)
        if impl in ("raw", "raw_model"):
            return await raw(server, count, binary, model=impl == "raw_model")
        if impl == "official":
            return await official(server, count, binary)
        if impl.startswith("realtime_typed_sync"):
            iterate = impl == "realtime_typed_sync_iter"
            return await realtime_typed_sync(server, count, binary, iterate)
        return await realtime_typed(server, count, binary, model=impl == "realtime_typed_model")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--impl", choices=IMPLS, required=True)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--binary", action="store_true")
    args = parser.parse_args()
    metrics = asyncio.run(run(args.impl, args.count, args.binary))
    job = "receive_binary" if args.binary else "receive"
    emit(job, args.impl, count=args.count, **metrics)


if __name__ == "__main__":
    main()
