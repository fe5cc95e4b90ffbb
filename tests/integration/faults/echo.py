"""A TCP echo server on 127.0.0.1 that records what it saw and can push bytes unasked."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType
from typing import Self

from realtime_typed._tasks import TaskOwner

WAIT = 5.0
"""Seconds any single wait may take before the test fails."""


class EchoServer:
    """Echoes every byte back; counts connections and the ones their peer ended."""

    def __init__(self) -> None:
        self.received = bytearray()
        self.connections = 0
        self.ended = 0
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks = TaskOwner()
        self._server: asyncio.Server | None = None
        self._changed = asyncio.Event()

    @property
    def port(self) -> int:
        assert self._server is not None
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()
        for writer in self._writers:
            writer.transport.abort()
        await self._tasks.cancel_all()

    async def push(self, data: bytes) -> None:
        """Send ``data`` to every open connection."""
        for writer in self._writers:
            writer.write(data)
            await writer.drain()

    async def wait_until(self, predicate: Callable[[EchoServer], bool]) -> None:
        async with asyncio.timeout(WAIT):
            while True:
                changed = self._changed
                if predicate(self):
                    return
                await changed.wait()

    def _tick(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.add(writer)
        self._tick()
        self._tasks.spawn(self._echo(reader, writer), name="echo-connection")

    async def _echo(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                self.received += data
                self._tick()
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            self._writers.discard(writer)
            writer.transport.abort()
            self.ended += 1
            self._tick()
