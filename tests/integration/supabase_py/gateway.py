"""One origin for supabase-py, as a Supabase project's gateway gives it: ``/auth/v1`` goes to
the Auth stand-in, everything else (``/realtime/v1/...``) to the local Realtime server.

supabase-py derives every URL from the project URL, so both services must answer on one port.
Each TCP connection is routed by the path of its first request line, then piped both ways
untouched (WebSocket upgrades included).
"""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType
from typing import Self

from realtime_typed._tasks import TaskOwner

AUTH_PREFIX = b"/auth/v1/"


class Gateway:
    """Routes ``/auth/v1/...`` connections to ``auth_port`` and the others to ``realtime_port``."""

    def __init__(self, auth_port: int, realtime_port: int) -> None:
        self._auth_port = auth_port
        self._realtime_port = realtime_port
        self._server: asyncio.Server | None = None
        self._tasks = TaskOwner()
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        """The project URL to give supabase-py, ``http://127.0.0.1:<port>``."""
        assert self._server is not None
        port: int = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        await self._tasks.cancel_all()
        await self._server.wait_closed()

    def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        self._tasks.spawn(self._route(reader, writer), "gateway-connection")

    async def _route(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream: asyncio.StreamWriter | None = None
        try:
            request_line = await reader.readuntil(b"\r\n")
            parts = request_line.split(b" ")
            path = parts[1] if len(parts) > 1 else b""
            port = self._auth_port if path.startswith(AUTH_PREFIX) else self._realtime_port
            upstream_reader, upstream = await asyncio.open_connection("127.0.0.1", port)
            self._writers.add(upstream)
            upstream.write(request_line)
            await asyncio.gather(_pipe(reader, upstream), _pipe(upstream_reader, writer))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            for end in (writer, upstream):
                if end is not None:
                    self._writers.discard(end)
                    end.transport.abort()


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()
    if sink.can_write_eof():
        with contextlib.suppress(OSError):
            sink.write_eof()
