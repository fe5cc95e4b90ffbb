"""Firehose: one broadcast sent N times to every socket joined to a topic, as fast as it reads.

A benchmark and load-test tool. The message is encoded once per serializer version; each
socket's writer then sends the same bytes ``count`` times through aiohttp's uncompressed frame
path (one transport write per frame, waiting only while the socket's send buffer is full), so
the server spends a few microseconds per frame and the reading client is the bottleneck. The
burst goes through the socket's ordered outbox: frames queued before it are sent first.

    report = await firehose(server, "realtime:room", broadcast_fan_out(
        "realtime:room", "tick", {"n": 1}, binary=False), count=100_000)
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from realtime_typed.local.channels.outgoing import JsonFanOut, UserBroadcastFanOut
from realtime_typed.local.channels.registry import FanOut
from realtime_typed.local.transport.session import Burst
from realtime_typed.protocol.frames import UserBroadcast

if TYPE_CHECKING:
    from realtime_typed.local.server import LocalRealtimeServer

__all__ = ["FirehoseReport", "broadcast_fan_out", "firehose"]


@dataclass(frozen=True, slots=True)
class FirehoseReport:
    """What one firehose sent, and what it cost the server's process."""

    sockets: int
    """Sockets that had a channel joined to the topic."""
    frames: int
    """Frames written, over every socket."""
    seconds: float
    """Wall time from the start until the last socket's last frame was written."""
    cpu_seconds: float
    """CPU time of the server's process (user + system) over the same span."""


def broadcast_fan_out(topic: str, event: str, payload: Any, *, binary: bool) -> FanOut:
    """A user broadcast as the server relays it.

    With ``binary`` it is a kind-4 frame for v2 sockets (JSON text for v1 ones); without, the
    JSON text ``[null, null, topic, "broadcast", {"type", "event", "payload"}]`` for every socket.
    """
    if binary:
        relayed = UserBroadcast(None, None, topic, event, None, payload, False)
        return UserBroadcastFanOut(topic, relayed)
    return JsonFanOut(topic, "broadcast", {"type": "broadcast", "event": event, "payload": payload})


def _burst(data: str | bytes, count: int, written: list[int], done: asyncio.Event) -> Burst:
    """A writer that sends ``data`` ``count`` times, counting into ``written``."""
    body = data.encode() if isinstance(data, str) else data
    opcode = WSMsgType.TEXT if isinstance(data, str) else WSMsgType.BINARY

    async def write(ws: web.WebSocketResponse) -> None:
        send = ws.send_frame
        try:
            for _ in range(count):
                await send(body, opcode)
                written[0] += 1
        finally:
            done.set()

    return write


async def firehose(
    server: LocalRealtimeServer,
    topic: str,
    message: FanOut,
    count: int,
    *,
    private: bool = False,
    timeout: float | None = None,
) -> FirehoseReport:
    """Send ``message`` ``count`` times to every socket joined to ``topic``; wait until written.

    ``topic`` is the full channel topic (``realtime:room``); ``private`` picks the namespace.
    Sockets that join later get nothing. A socket that closes mid-burst ends its burst early
    (the report counts what was written); one that closes before its burst starts is waited
    for until ``timeout`` (``None``: no bound), which then raises ``TimeoutError``.
    """
    cpu_start = time.process_time()
    start = time.perf_counter()
    written = [0]
    bursts: list[asyncio.Event] = []
    for session in list(server.state.sessions):
        channel = session.channels.get(topic)
        if channel is None or channel.key.private != private or session.ws.closed:
            continue
        data = message.encoded(session.vsn)
        if data is None:
            continue
        done = asyncio.Event()
        session.send_burst(_burst(data, count, written, done))
        bursts.append(done)
    async with asyncio.timeout(timeout):
        for done in bursts:
            await done.wait()
    return FirehoseReport(
        sockets=len(bursts),
        frames=written[0],
        seconds=time.perf_counter() - start,
        cpu_seconds=time.process_time() - cpu_start,
    )
