"""A throwaway PostgreSQL cluster with logical decoding and wal2json, for tests and the CLI.

``TemporaryCluster`` runs initdb into a temporary folder, starts the server on a free TCP
port of 127.0.0.1 (plus a unix socket in that folder), prepares the database as a Supabase
project has it (``sql/supabase.sql``) and removes everything on stop::

    async with TemporaryCluster() as cluster:
        cluster.dsn   # postgresql://postgres@127.0.0.1:<port>/postgres (superuser)

PostgreSQL releases from November 2026 on (15.20 and later minor releases) let a role that is not
a superuser create logical slots only with the output plugins named in
``output_plugin_libraries`` (``pgoutput, test_decoding`` by default); the local server's own
role reads the feed through wal2json, so where the server knows that setting the cluster adds
wal2json to it.

``start()``/``stop()`` are the same steps, synchronously, for command-line use.
:func:`throwaway_database` is the same for a ``with`` block; ``realtime-gen --apply`` finds
it through the ``realtime_typed.throwaway_postgres`` entry point.
"""

from __future__ import annotations

import asyncio
import atexit
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Generator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Self

import psycopg

from realtime_typed.local.postgres.binaries import PostgresBinaries, find_binaries
from realtime_typed.local.postgres.server_user import ServerUser, server_user
from realtime_typed.local.postgres.sql_files import read_sql

__all__ = ["ClusterStartError", "TemporaryCluster", "throwaway_database"]

SUPERUSER = "postgres"
_START_ATTEMPTS = 3
_START_TIMEOUT_S = 60


class ClusterStartError(RuntimeError):
    """initdb or the server failed; the message carries the tail of their output."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _settings(socket_dir: Path) -> str:
    return "\n".join(
        [
            "",
            "# realtime-typed temporary cluster",
            "listen_addresses = '127.0.0.1'",
            f"unix_socket_directories = '{socket_dir}'",
            "wal_level = logical",
            "max_replication_slots = 32",
            "max_wal_senders = 32",
            "max_connections = 200",
            "fsync = off",
            "full_page_writes = off",
            "timezone = 'UTC'",
            "log_timezone = 'UTC'",
            "",
        ]
    )


class TemporaryCluster:
    """A PostgreSQL cluster living in a temporary folder for as long as it is started."""

    def __init__(self, *, bindir: Path | None = None) -> None:
        self._bindir = bindir
        self._root: Path | None = None
        self._port: int | None = None
        self._binaries: PostgresBinaries | None = None
        self._user: ServerUser | None = None

    @property
    def port(self) -> int:
        """The TCP port on 127.0.0.1."""
        if self._port is None:
            raise RuntimeError("the cluster is not started")
        return self._port

    @property
    def socket_dir(self) -> Path:
        """The folder holding the server's unix socket (and its data folder)."""
        if self._root is None:
            raise RuntimeError("the cluster is not started")
        return self._root

    @property
    def dsn(self) -> str:
        """A superuser connection string over TCP."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/postgres"

    @property
    def server_user(self) -> ServerUser:
        """The operating-system account the server runs as."""
        if self._user is None:
            raise RuntimeError("the cluster is not started")
        return self._user

    def _run(self, *args: str) -> None:
        assert self._user is not None and self._root is not None
        result = subprocess.run(
            args,
            cwd=self._root,
            capture_output=True,
            text=True,
            check=False,
            **self._user.popen_kwargs(),
        )
        if result.returncode != 0:
            output = (result.stdout + result.stderr).strip()[-2000:]
            raise ClusterStartError(f"{Path(args[0]).name} failed ({result.returncode}): {output}")

    def _server_log_tail(self) -> str:
        assert self._root is not None
        log = self._root / "server.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""

    def start(self) -> None:
        """initdb, start the server and prepare the database; blocks until it accepts queries."""
        if self._root is not None:
            raise RuntimeError("the cluster is already started")
        self._binaries = find_binaries(self._bindir)
        self._user = server_user()
        self._root = Path(tempfile.mkdtemp(prefix="realtime-pg-"))
        atexit.register(self.stop)
        try:
            self._user.own(self._root)
            self._init_data_dir()
            self._start_server()
            with psycopg.connect(self.dsn, autocommit=True) as conn:
                conn.execute(read_sql("supabase.sql").encode())
        except BaseException:
            self.stop()
            raise

    def _init_data_dir(self) -> None:
        assert self._binaries is not None and self._root is not None
        data = self._root / "data"
        self._run(
            self._binaries.path("initdb"),
            "--pgdata",
            str(data),
            "--username",
            SUPERUSER,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        trusted = self._output_plugin_libraries(data)
        with (data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(_settings(self._root))
            if trusted is not None and "wal2json" not in trusted:
                conf.write(f"output_plugin_libraries = '{trusted}, wal2json'\n")

    def _output_plugin_libraries(self, data: Path) -> str | None:
        """The server's default ``output_plugin_libraries``; None where it has no such setting."""
        assert self._binaries is not None and self._user is not None
        result = subprocess.run(
            [self._binaries.path("postgres"), "-D", str(data), "-C", "output_plugin_libraries"],
            capture_output=True,
            text=True,
            check=False,
            **self._user.popen_kwargs(),
        )
        return result.stdout.strip() if result.returncode == 0 else None

    def _start_server(self) -> None:
        assert self._binaries is not None and self._root is not None
        for attempt in range(_START_ATTEMPTS):
            port = _free_port()
            try:
                self._run(
                    self._binaries.path("pg_ctl"),
                    "start",
                    "--wait",
                    f"--timeout={_START_TIMEOUT_S}",
                    "--pgdata",
                    str(self._root / "data"),
                    "--log",
                    str(self._root / "server.log"),
                    "-o",
                    f"-p {port}",
                )
            except ClusterStartError as error:
                if attempt + 1 == _START_ATTEMPTS:
                    raise ClusterStartError(f"{error}\n{self._server_log_tail()}") from error
                continue
            self._port = port
            return

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete the temporary folder; idempotent."""
        atexit.unregister(self.stop)
        root, self._root = self._root, None
        if root is None:
            return
        try:
            if self._port is not None and self._binaries is not None and self._user is not None:
                subprocess.run(
                    [
                        self._binaries.path("pg_ctl"),
                        "stop",
                        "--wait",
                        "--mode",
                        "fast",
                        "--pgdata",
                        str(root / "data"),
                    ],
                    cwd=root,
                    capture_output=True,
                    check=False,
                    **self._user.popen_kwargs(),
                )
        finally:
            self._port = None
            shutil.rmtree(root, ignore_errors=True)

    async def __aenter__(self) -> Self:
        await asyncio.to_thread(self.start)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)


@contextmanager
def throwaway_database() -> Generator[str]:
    """The superuser URL of a started :class:`TemporaryCluster`, stopped after the block."""
    cluster = TemporaryCluster()
    cluster.start()
    try:
        yield cluster.dsn
    finally:
        cluster.stop()
