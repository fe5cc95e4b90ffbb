"""A loopback TCP proxy that injects network faults between a client and a local server.

The proxy listens on 127.0.0.1 only and forwards to an upstream on a loopback address::

    async with FaultProxy.for_url(server.url) as proxy:
        client = RealtimeClient(proxy.url_for(server.url), apikey=server.anon_key)
        proxy.blackhole()          # TCP stays open, nothing is forwarded either way
        proxy.resume()             # held bytes flow again, in order
        proxy.set_latency(0.2)     # every chunk is held 0.2 s after it was read
        proxy.set_bandwidth(4096)  # bytes per second, per connection and direction
        proxy.cut_mid_frame()      # the next server-to-client chunk is cut in half, then closed
        await proxy.drop_all()     # reset every proxied connection
        proxy.refuse(True)         # accept new connections and close them at once
        await proxy.wait_until(lambda stats: stats.open == 1)

Faults apply to every connection, current and future, until changed. Bytes read while the
proxy is blackholed are held, not discarded (as TCP retransmits through a partition), and are
forwarded after :meth:`FaultProxy.resume`. Each direction keeps a bounded queue of chunks, so
a held or slowed stream pushes back on its sender instead of growing without limit.

Every task the proxy starts is owned by it and cancelled when it closes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import logging
from collections.abc import Callable
from types import TracebackType
from typing import Final, Literal, NamedTuple, Self, TypeAlias
from urllib.parse import urlsplit, urlunsplit

from realtime_typed._tasks import TaskOwner

__all__ = ["FaultProxy", "ProxyStats"]

_log = logging.getLogger(__name__)

LISTEN_HOST: Final = "127.0.0.1"
_CHUNK_BYTES: Final = 65536
_QUEUED_CHUNKS: Final = 64
_BANDWIDTH_SLICES_PER_SECOND: Final = 10

Direction: TypeAlias = Literal["upstream", "downstream"]


@dataclasses.dataclass
class ProxyStats:
    """Counters of a :class:`FaultProxy`; :attr:`FaultProxy.stats` returns a copy."""

    accepted: int = 0
    """Client connections accepted, refused ones included."""
    refused: int = 0
    """Connections closed at once because :meth:`FaultProxy.refuse` was on."""
    upstream_failures: int = 0
    """Connections closed because the upstream could not be reached."""
    open: int = 0
    """Connections being proxied now."""
    dropped: int = 0
    """Connections reset by :meth:`FaultProxy.drop_all`."""
    cut: int = 0
    """Connections closed in the middle of a server-to-client chunk."""
    read_from_client: int = 0
    sent_upstream: int = 0
    read_from_upstream: int = 0
    sent_to_client: int = 0


class _Chunk(NamedTuple):
    read_at: float
    data: bytes


Streams: TypeAlias = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class _Teardown(Exception):
    """Raised inside a link's task group to stop both directions."""


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Faults:
    """The fault settings and counters every link of one proxy reads and updates."""

    def __init__(self) -> None:
        self.stats = ProxyStats()
        self.flowing = asyncio.Event()
        self.flowing.set()
        self.latency = 0.0
        self.bandwidth: float | None = None
        self.refusing = False
        self.cut_armed = False
        self._changed = asyncio.Event()

    def count(self, name: str, amount: int = 1) -> None:
        setattr(self.stats, name, getattr(self.stats, name) + amount)
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(self, predicate: Callable[[ProxyStats], bool]) -> ProxyStats:
        while True:
            changed = self._changed
            stats = dataclasses.replace(self.stats)
            if predicate(stats):
                return stats
            await changed.wait()

    async def hold(self, chunk: _Chunk) -> None:
        """Wait until ``chunk`` may go: nothing is blackholed and its latency has passed."""
        await self.flowing.wait()
        delay = chunk.read_at + self.latency - asyncio.get_running_loop().time()
        if delay > 0:
            await asyncio.sleep(delay)
        await self.flowing.wait()

    def take_cut(self) -> bool:
        armed, self.cut_armed = self.cut_armed, False
        return armed


class FaultProxy:
    """A TCP proxy on 127.0.0.1 with runtime fault controls; an async context manager."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        if not _is_loopback(upstream_host):
            raise ValueError(f"upstream must be a loopback address, not {upstream_host!r}")
        self.upstream_host = upstream_host
        self.upstream_port = upstream_port
        self._tasks = TaskOwner()
        self._server: asyncio.Server | None = None
        self._links: dict[_Link, asyncio.Task[None]] = {}
        self._faults = _Faults()

    @classmethod
    def for_url(cls, upstream_url: str) -> FaultProxy:
        """A proxy in front of the host and port of ``upstream_url`` (ws, wss, http, https)."""
        host, port = _host_and_port(upstream_url)
        return cls(host, port)

    # ----------------------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Listen on an ephemeral port of 127.0.0.1."""
        if self._server is not None:
            raise RuntimeError("the proxy is already started")
        self._server = await asyncio.start_server(self._accept, LISTEN_HOST, 0)

    async def close(self) -> None:
        """Stop listening, reset every proxied connection and end every task."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        await self._tasks.cancel_all()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def port(self) -> int:
        """The port the proxy listens on."""
        if self._server is None:
            raise RuntimeError("the proxy is not started")
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    def url_for(self, upstream_url: str) -> str:
        """``upstream_url`` with its host and port replaced by the proxy's."""
        _, port = _host_and_port(upstream_url)
        if port != self.upstream_port:
            raise ValueError(f"{upstream_url!r} is not on the upstream port {self.upstream_port}")
        parts = urlsplit(upstream_url)
        return urlunsplit(parts._replace(netloc=f"{LISTEN_HOST}:{self.port}"))

    # -------------------------------------------------------------------------------- faults

    def blackhole(self) -> None:
        """Keep every connection open but forward nothing, either way, until :meth:`resume`."""
        self._faults.flowing.clear()

    def resume(self) -> None:
        """Forward again, starting with what was held during the blackhole."""
        self._faults.flowing.set()

    @property
    def latency(self) -> float:
        """Seconds each chunk is held after it was read."""
        return self._faults.latency

    def set_latency(self, seconds: float) -> None:
        """Hold every chunk ``seconds`` after it was read; chunks keep their order."""
        if seconds < 0:
            raise ValueError("latency cannot be negative")
        self._faults.latency = seconds

    @property
    def bandwidth(self) -> float | None:
        """Bytes per second per connection and direction; None when uncapped."""
        return self._faults.bandwidth

    def set_bandwidth(self, bytes_per_second: float | None) -> None:
        """Cap each connection's direction at ``bytes_per_second``; None lifts the cap."""
        if bytes_per_second is not None and bytes_per_second <= 0:
            raise ValueError("bandwidth must be positive")
        self._faults.bandwidth = bytes_per_second

    def cut_mid_frame(self) -> None:
        """Forward the first half of the next server-to-client chunk, then close that link."""
        self._faults.cut_armed = True

    async def drop_all(self) -> None:
        """Reset every proxied connection now and wait until they are gone."""
        tasks = list(self._links.values())
        for link in self._links:
            link.close(abort=True)
            self._faults.count("dropped")
        await asyncio.gather(*tasks, return_exceptions=True)

    def refuse(self, refusing: bool) -> None:
        """While on, accept each new connection and close it at once."""
        self._faults.refusing = refusing

    # ------------------------------------------------------------------------------ counters

    @property
    def stats(self) -> ProxyStats:
        """A snapshot of the counters."""
        return dataclasses.replace(self._faults.stats)

    async def wait_until(
        self, predicate: Callable[[ProxyStats], bool], timeout: float = 10.0
    ) -> ProxyStats:
        """Wait until ``predicate(stats)`` holds; raises ``TimeoutError`` after ``timeout``."""
        async with asyncio.timeout(timeout):
            return await self._faults.wait_until(predicate)

    # ------------------------------------------------------------------------------ proxying

    def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._faults.count("accepted")
        if self._faults.refusing:
            self._faults.count("refused")
            writer.close()
            return
        self._tasks.spawn(self._serve(reader, writer), name="fault-proxy-link")

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream = await asyncio.open_connection(self.upstream_host, self.upstream_port)
        except OSError as exc:
            _log.warning("fault proxy: upstream unreachable: %s", exc)
            self._faults.count("upstream_failures")
            writer.transport.abort()
            return
        link = _Link(self._faults, (reader, writer), upstream)
        task = asyncio.current_task()
        assert task is not None
        self._links[link] = task
        self._faults.count("open")
        try:
            await link.run()
        finally:
            del self._links[link]
            self._faults.count("open", -1)


class _Link:
    """One proxied connection: the client's streams, the upstream's, a pump each way."""

    def __init__(self, faults: _Faults, client: Streams, upstream: Streams) -> None:
        self._faults = faults
        self._client = client
        self._upstream = upstream
        self._closing = asyncio.Event()
        self._abort = False
        self._pumping = 2

    def close(self, *, abort: bool) -> None:
        """End this link; ``abort`` resets both sockets instead of flushing and closing."""
        self._abort = self._abort or abort
        self._closing.set()

    async def run(self) -> None:
        """Pump both ways until both ends are done or :meth:`close` is called."""
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(
                    self._pump(self._client[0], self._upstream[1], "upstream"),
                    name="fault-proxy-upstream",
                )
                group.create_task(
                    self._pump(self._upstream[0], self._client[1], "downstream"),
                    name="fault-proxy-downstream",
                )
                await self._closing.wait()
                raise _Teardown
        except* _Teardown:
            pass
        finally:
            await self._close_sockets()

    async def _close_sockets(self) -> None:
        writers = (self._client[1], self._upstream[1])
        for writer in writers:
            if self._abort:
                writer.transport.abort()
            else:
                writer.close()
        for writer in writers:
            try:
                await writer.wait_closed()
            except OSError as exc:
                _log.debug("fault proxy: socket closed with %s", exc)

    async def _pump(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, direction: Direction
    ) -> None:
        queue: asyncio.Queue[_Chunk | None] = asyncio.Queue(_QUEUED_CHUNKS)
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self._read(reader, queue, direction), name="fault-proxy-read")
                await self._write(queue, writer, direction)
        except* OSError as errors:
            _log.debug("fault proxy: %s connection failed: %s", direction, errors.exceptions)
            self.close(abort=True)
        finally:
            self._pumping -= 1
            if self._pumping == 0:
                self.close(abort=False)

    async def _read(
        self,
        reader: asyncio.StreamReader,
        queue: asyncio.Queue[_Chunk | None],
        direction: Direction,
    ) -> None:
        counter = "read_from_client" if direction == "upstream" else "read_from_upstream"
        loop = asyncio.get_running_loop()
        while data := await reader.read(_CHUNK_BYTES):
            self._faults.count(counter, len(data))
            await queue.put(_Chunk(loop.time(), data))
        await queue.put(None)

    async def _write(
        self,
        queue: asyncio.Queue[_Chunk | None],
        writer: asyncio.StreamWriter,
        direction: Direction,
    ) -> None:
        faults = self._faults
        counter = "sent_upstream" if direction == "upstream" else "sent_to_client"
        next_free = 0.0
        while (chunk := await queue.get()) is not None:
            await faults.hold(chunk)
            data = chunk.data
            if direction == "downstream" and faults.take_cut():
                half = data[: len(data) // 2]
                writer.write(half)
                faults.count(counter, len(half))
                faults.count("cut")
                self.close(abort=False)
                return
            for piece in _slices(data, faults.bandwidth):
                next_free = await _wait_for_bandwidth(next_free, len(piece), faults.bandwidth)
                writer.write(piece)
                faults.count(counter, len(piece))
                await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()


def _slices(data: bytes, bandwidth: float | None) -> list[bytes]:
    if bandwidth is None:
        return [data]
    size = max(1, int(bandwidth / _BANDWIDTH_SLICES_PER_SECOND))
    return [data[start : start + size] for start in range(0, len(data), size)]


async def _wait_for_bandwidth(next_free: float, size: int, bandwidth: float | None) -> float:
    """Sleep until the link may send ``size`` more bytes; returns when it is free again."""
    if bandwidth is None:
        return 0.0
    loop = asyncio.get_running_loop()
    now = loop.time()
    if next_free > now:
        await asyncio.sleep(next_free - now)
        now = next_free
    return now + size / bandwidth


def _host_and_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.hostname is None or parts.port is None:
        raise ValueError(f"{url!r} has no explicit host and port")
    return parts.hostname, parts.port
