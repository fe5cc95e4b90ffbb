"""A local server on its own event loop and thread, and the test process's open TCP sockets.

With the server elsewhere, ``asyncio.all_tasks()`` in the test's loop shows only the client's
tasks, and the sockets connected to the server's port are only the client's.
"""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path
from types import TracebackType
from typing import Final

from realtime_typed.testing import LocalRealtimeServer

__all__ = ["ServerThread", "connected_sockets"]

_ESTABLISHED: Final = "01"


class ServerThread:
    """``async with ServerThread() as server``: a started server whose loop runs in a thread."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="realtime-server")
        self.server = LocalRealtimeServer()

    async def __aenter__(self) -> LocalRealtimeServer:
        self._thread.start()
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self.server.start(), self._loop))
        return self.server

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            stopped = asyncio.run_coroutine_threadsafe(self.server.stop(), self._loop)
            await asyncio.wrap_future(stopped)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            await asyncio.to_thread(self._thread.join)
            self._loop.close()


def _socket_inodes() -> set[str]:
    inodes: set[str] = set()
    for fd in Path(f"/proc/{os.getpid()}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def connected_sockets(port: int) -> int:
    """How many sockets of this process are connected (ESTABLISHED) to ``port`` (Linux)."""
    mine = _socket_inodes()
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if remote_port == port and fields[3] == _ESTABLISHED and fields[9] in mine:
                count += 1
    return count
