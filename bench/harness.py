"""What the benchmark scripts share: the server process, a CPU and wall-time meter, output.

Each script runs one implementation per invocation (``--impl``) against a local server in a
separate process, so client and server never share a core's GIL, and prints one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from types import TracebackType
from typing import Any, Self

SERVER_SCRIPT = Path(__file__).with_name("server_process.py")
STARTUP_TIMEOUT = 30.0
WAIT_TIMEOUT = 600.0


class ServerProcess:
    """``bench/server_process.py`` as a child process: its URL, anon key and command pipe.

    ``flags`` go to the script's command line; with ``"--db"``, :attr:`db_url` is its database.
    """

    def __init__(self, *flags: str) -> None:
        self.url = ""
        self.anon_key = ""
        self.db_url: str | None = None
        self._flags = flags
        self._process: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> Self:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(SERVER_SCRIPT),
            *self._flags,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        self._process = process
        async with asyncio.timeout(STARTUP_TIMEOUT):
            hello = await self._read()
        self.url = hello["url"]
        self.anon_key = hello["anon_key"]
        self.db_url = hello["db_url"]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        process = self._process
        if process is None:
            return
        assert process.stdin is not None
        process.stdin.close()
        async with asyncio.timeout(STARTUP_TIMEOUT):
            await process.wait()

    def socket_url(self, vsn: str) -> str:
        """The raw WebSocket URL with the anon key and ``vsn``."""
        return f"{self.url}/websocket?apikey={self.anon_key}&vsn={vsn}"

    def send(self, **request: Any) -> None:
        """Send a command without waiting for its reply (see :meth:`reply`)."""
        assert self._process is not None and self._process.stdin is not None
        self._process.stdin.write(json.dumps(request).encode() + b"\n")

    async def reply(self) -> dict[str, Any]:
        """The reply to the oldest command sent."""
        async with asyncio.timeout(WAIT_TIMEOUT):
            return await self._read()

    async def call(self, **request: Any) -> dict[str, Any]:
        """Send a command and wait for its reply."""
        self.send(**request)
        return await self.reply()

    async def cpu(self) -> float:
        """The server process's CPU seconds so far."""
        return float((await self.call(cmd="cpu"))["cpu_seconds"])

    async def _read(self) -> dict[str, Any]:
        assert self._process is not None and self._process.stdout is not None
        line = await self._process.stdout.readline()
        if not line:
            raise RuntimeError("the benchmark server process exited")
        value: dict[str, Any] = json.loads(line)
        return value


@dataclass
class Meter:
    """Wall and process CPU time of one measured region."""

    wall_s: float = 0.0
    cpu_s: float = 0.0
    _wall0: float = 0.0
    _cpu0: float = 0.0

    def start(self) -> None:
        """Begin the region."""
        self._cpu0 = time.process_time()
        self._wall0 = time.perf_counter()

    def stop(self) -> None:
        """End the region."""
        self.wall_s = time.perf_counter() - self._wall0
        self.cpu_s = time.process_time() - self._cpu0


def percentile(samples: list[float], fraction: float) -> float:
    """The ``fraction`` quantile (nearest rank) of ``samples``."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def median(samples: list[float]) -> float:
    """The median of ``samples``."""
    return statistics.median(samples)


def emit(job: str, impl: str, **metrics: Any) -> None:
    """Print the one JSON line of a benchmark run."""
    line = {"job": job, "impl": impl, "python": sys.version.split()[0], **metrics}
    print(json.dumps(line), flush=True)


def versions() -> dict[str, str]:
    """Versions of the packages the benchmarks compare."""
    names = ("realtime-typed", "realtime", "websockets", "pydantic", "pydantic-core", "aiohttp")
    return {name: version(name) for name in names}
