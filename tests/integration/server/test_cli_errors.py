"""``realtime-local`` failing cleanly: one line ``realtime-local: error: ...``, exit status 2;
``--help`` with defaults; ``-v`` logging sockets, joins, leaves and refused tokens, no token."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import jwt
import psycopg
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from realtime_typed.local.cli import start_error
from realtime_typed.local.postgres import PostgresNotInstalled

COMMAND = str(Path(sys.executable).parent / "realtime-local")
WAIT = 30.0


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [COMMAND, *args], capture_output=True, text=True, timeout=WAIT, check=False
    )


def assert_one_error_line(done: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert (done.returncode, done.stdout) == (2, "")
    [line] = done.stderr.splitlines()
    assert line.startswith("realtime-local: error: ")
    for text in expected:
        assert text in line


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--port", "70000"), "argument --port: 70000 is out of range (0 to 65535)"),
        (("--port", "four"), "argument --port: 'four' is not a port number"),
        (("--no-db", "--host", "192.0.2.1"), "192.0.2.1 is not an address of this machine"),
        (
            ("--db-url", "postgresql://someone:s3cret@127.0.0.1:1/app"),
            "cannot connect to the database postgresql://127.0.0.1:1/app: ",
        ),
        (("--db-url", "not a dsn"), "invalid --db-url: "),
    ],
)
def test_start_failures_are_one_line(args: tuple[str, ...], expected: str) -> None:
    done = run(*args)
    assert_one_error_line(done, expected)
    assert "s3cret" not in done.stderr


def test_a_port_in_use() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run("--no-db", "--port", str(port))
    assert_one_error_line(
        done, f"cannot listen on 127.0.0.1:{port}: the port is in use", "--port 0"
    )


def test_help_shows_defaults_and_version() -> None:
    done = run("--help")
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    assert "address to listen on (default: 127.0.0.1)" in text
    assert "port to listen on (0: any free port) (default: 4000)" in text
    assert "-v, --verbose" in text
    version = run("--version")
    assert version.stdout.startswith("realtime-local ")


def test_database_failures_name_the_fix() -> None:
    url = "postgresql://127.0.0.1:1/app"
    wal2json = psycopg.errors.UndefinedFile('could not access file "wal2json": No such file')
    message = start_error(wal2json, "127.0.0.1", 4000, url)
    assert message is not None
    assert "has no wal2json output plugin" in message
    assert "apt-get install postgresql-NN-wal2json" in message
    untrusted = psycopg.errors.InsufficientPrivilege(
        'library "wal2json" may not be used as an output plugin'
    )
    message = start_error(untrusted, "127.0.0.1", 4000, url)
    assert message is not None
    assert "add wal2json to output_plugin_libraries" in message
    assert "install" not in message
    level = psycopg.errors.ObjectNotInPrerequisiteState(
        "logical decoding requires wal_level >= logical"
    )
    message = start_error(level, "127.0.0.1", 4000, url)
    assert message is not None
    assert "alter system set wal_level = logical" in message
    missing = PostgresNotInstalled("install them with: apt-get install postgresql-15")
    assert start_error(missing, "127.0.0.1", 4000, None) == str(missing)
    assert start_error(ValueError("a bug"), "127.0.0.1", 4000, None) is None


async def test_verbose_logs_sockets_joins_leaves_and_refusals_without_tokens() -> None:
    process = await asyncio.create_subprocess_exec(
        COMMAND,
        "--no-db",
        "--port",
        "0",
        "-v",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    settings: dict[str, str] = {}
    async with asyncio.timeout(WAIT):
        while len(settings) < 4:
            name, _, value = (await process.stdout.readline()).decode().strip().partition("=")
            settings[name] = value
    anon = settings["REALTIME_ANON_KEY"]
    forged = jwt.encode({"role": "anon", "exp": int(time.time()) + 60}, "not-the-secret-" * 3)
    socket_url = f"{settings['REALTIME_URL']}/websocket?vsn=2.0.0&apikey="
    async with connect(socket_url + anon) as connection:
        join: dict[str, object] = {
            "config": {"postgres_changes": [], "presence": {"enabled": True}}
        }
        await connection.send(json.dumps(["1", "1", "realtime:room", "phx_join", join]))
        await connection.recv()
        await connection.send(json.dumps(["1", "2", "realtime:room", "phx_leave", {}]))
        await connection.recv()
    with pytest.raises(InvalidStatus):
        async with connect(socket_url + forged):
            pass
    process.send_signal(signal.SIGTERM)
    async with asyncio.timeout(WAIT):
        _, err = await process.communicate()
    assert process.returncode == 0
    log = err.decode()
    assert "socket from 127.0.0.1 opened (vsn 2.0.0, role anon)" in log
    assert "joined realtime:room (role anon, presence, 0 postgres_changes bindings)" in log
    assert "left realtime:room" in log
    assert "socket from 127.0.0.1 closed" in log
    assert "refused a socket from 127.0.0.1: " in log
    for secret in (anon, forged, settings["REALTIME_JWT_SECRET"]):
        assert secret not in log
    for part in forged.split("."):
        assert part not in log
