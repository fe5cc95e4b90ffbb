"""The local server in its own process, driven by JSON lines on stdin (benchmarks only).

On start it prints ``{"url", "anon_key", "pid"}``. Then each stdin line is a command and gets
one JSON line back:

- ``{"cmd": "firehose", "topic", "event", "payload", "count", "binary"}``: sends ``count``
  broadcasts to every socket joined to ``topic`` (see ``realtime_typed.testing.firehose``);
  replies ``{"sockets", "frames", "seconds", "cpu_seconds"}`` once they are written.
- ``{"cmd": "cpu"}``: this process's CPU time so far, ``{"cpu_seconds"}``.

End of input stops the server. Run: ``python bench/server_process.py``.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from typing import Any

from realtime_typed.testing import LocalRealtimeServer, ServerOptions
from realtime_typed.testing.firehose import broadcast_fan_out, firehose

OPTIONS = ServerOptions(max_channels_per_client=100_000)


def reply(value: dict[str, Any]) -> None:
    """One JSON line on stdout."""
    sys.stdout.write(json.dumps(value) + "\n")
    sys.stdout.flush()


async def command(server: LocalRealtimeServer, request: dict[str, Any]) -> dict[str, Any]:
    """Run one command."""
    if request["cmd"] == "firehose":
        topic = request["topic"]
        message = broadcast_fan_out(
            topic, request["event"], request["payload"], binary=request["binary"]
        )
        report = await firehose(server, topic, message, request["count"], timeout=600)
        return {
            "sockets": report.sockets,
            "frames": report.frames,
            "seconds": report.seconds,
            "cpu_seconds": report.cpu_seconds,
        }
    if request["cmd"] == "cpu":
        return {"cpu_seconds": time.process_time()}
    return {"error": f"unknown command {request['cmd']!r}"}


async def main() -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    async with LocalRealtimeServer(options=OPTIONS) as server:
        reply({"url": server.url, "anon_key": server.anon_key, "pid": os.getpid()})
        while line := await reader.readline():
            reply(await command(server, json.loads(line)))


if __name__ == "__main__":
    asyncio.run(main())
