"""The local server in its own process, driven by JSON lines on stdin (benchmarks only).

``--db`` also starts a throwaway PostgreSQL for Postgres changes. On start it prints
``{"url", "anon_key", "pid", "db_url"}`` (``db_url`` null without ``--db``). Then each stdin
line is a command and gets one JSON line back:

- ``{"cmd": "firehose", "topic", "event", "payload", "count", "binary"}``: sends ``count``
  broadcasts to every socket joined to ``topic`` (see ``realtime_typed.local.firehose``);
  replies ``{"sockets", "frames", "seconds", "cpu_seconds"}`` once they are written.
- ``{"cmd": "cpu"}``: this process's CPU time so far, ``{"cpu_seconds"}``.
- ``{"cmd": "fault", "action": ...}``: one of the server's faults, replied ``{"done": action}``
  once it is in effect: ``restart``, ``drop_all`` (cut every socket), ``close_all`` (with
  ``"code"`` and ``"reason"``), ``pause_heartbeats`` and ``resume_heartbeats``.

End of input stops the server (and the database). Run: ``python bench/server_process.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import time
from collections.abc import AsyncGenerator
from typing import Any

from realtime_typed.local.firehose import broadcast_fan_out, firehose
from realtime_typed.testing import LocalRealtimeServer, ServerOptions

OPTIONS = ServerOptions(
    max_channels_per_client=100_000,
    presence_max_calls=1_000_000,
    max_concurrent_users=1_000_000,
    max_joins_per_second=1_000_000,
    max_events_per_second=1_000_000_000,
    max_outbound_bytes=1_000_000_000,
    idle_timeout=3600.0,
)


def reply(value: dict[str, Any]) -> None:
    """One JSON line on stdout."""
    sys.stdout.write(json.dumps(value) + "\n")
    sys.stdout.flush()


async def fault(server: LocalRealtimeServer, request: dict[str, Any]) -> dict[str, Any]:
    """Inject one fault."""
    faults = server.faults
    action = request["action"]
    if action == "restart":
        await faults.restart()
    elif action == "drop_all":
        await faults.drop_all()
    elif action == "close_all":
        await faults.close_all(request["code"], request["reason"])
    elif action == "pause_heartbeats":
        faults.pause_heartbeats()
    elif action == "resume_heartbeats":
        faults.resume_heartbeats()
    else:
        return {"error": f"unknown fault {action!r}"}
    return {"done": action}


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
    if request["cmd"] == "fault":
        return await fault(server, request)
    return {"error": f"unknown command {request['cmd']!r}"}


@contextlib.asynccontextmanager
async def database(wanted: bool) -> AsyncGenerator[str | None]:
    """A throwaway PostgreSQL's DSN when ``wanted``, else ``None``."""
    if not wanted:
        yield None
        return
    from realtime_typed.local.postgres import TemporaryCluster

    async with TemporaryCluster() as cluster:
        yield cluster.dsn


async def main() -> None:
    parser = argparse.ArgumentParser(description="The local server, driven over stdin.")
    parser.add_argument("--db", action="store_true", help="with a throwaway PostgreSQL")
    args = parser.parse_args()
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    async with (
        database(args.db) as db_url,
        LocalRealtimeServer(db_url=db_url, options=OPTIONS) as server,
    ):
        hello = {"url": server.url, "anon_key": server.anon_key, "pid": os.getpid()}
        reply({**hello, "db_url": db_url})
        while line := await reader.readline():
            reply(await command(server, json.loads(line)))


if __name__ == "__main__":
    asyncio.run(main())
