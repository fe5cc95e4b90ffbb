"""``realtime-local``: run the local Realtime server until SIGINT or SIGTERM.

Unless ``--db-url`` or ``--no-db`` is given it also starts a throwaway PostgreSQL (wal2json, a
``supabase_realtime`` publication) and stops it on the way out. Before serving it prints, one
per line: ``REALTIME_URL``, ``REALTIME_JWT_SECRET``, ``REALTIME_ANON_KEY``,
``REALTIME_SERVICE_KEY`` and, with a database, ``REALTIME_DB_URL``; the inspector's address
goes to stderr. ``--jwks FILE`` adds the keys of a JWKS file for asymmetric tokens;
``--private-only`` refuses joins of public channels.

Every failure to start (a port in use or out of range, a host it cannot listen on, a database
it cannot reach, PostgreSQL or wal2json missing) is one line ``realtime-local: error: ...``
with exit status 2, naming the fix where one is known. ``-v`` logs sockets, joins, leaves and
refused tokens (never a token itself); ``-vv`` adds the debug log.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import json
import logging
import signal
import socket
import sys
from collections.abc import Sequence
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, Final, cast

from realtime_typed._cli import CommandParser, fail
from realtime_typed.local.faults import add_fault_arguments, injected_faults
from realtime_typed.local.options import ServerOptions
from realtime_typed.local.server import LocalRealtimeServer

__all__ = ["StartFailed", "main", "parse_args", "start_error"]

PROG = "realtime-local"
MAX_PORT = 65535


class StartFailed(Exception):
    """The server could not start; the message is the one line to print."""


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line of ``realtime-local``."""
    parser = CommandParser(
        PROG,
        "Run a local Supabase Realtime server for development and tests. It prints the "
        "settings clients need (REALTIME_URL=..., keys, REALTIME_DB_URL=...) and serves until "
        "Ctrl-C or SIGTERM.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--port", type=_port, default=4000, help="port to listen on (0: any free port)"
    )
    parser.add_argument("--jwt-secret", help="HS256 secret for tokens (default: a random one)")
    parser.add_argument(
        "--jwks",
        type=_jwks_file,
        metavar="FILE",
        help='a JWKS JSON file ({"keys": [...]}): RS*, ES* and EdDSA tokens are verified with '
        "the key named by their kid, and HS* tokens with a kid use that oct key",
    )
    parser.add_argument(
        "--private-only",
        action="store_true",
        help='refuse joins of public channels ("PrivateOnly: This project only allows private '
        'channels"); private channels need --db-url or the default database',
    )
    _add_limit_arguments(parser)
    database = parser.add_mutually_exclusive_group()
    database.add_argument(
        "--db-url",
        metavar="URL",
        help="PostgreSQL (wal_level=logical, with wal2json) for Postgres changes and private "
        "channels (default: a throwaway cluster, started and removed by this command)",
    )
    database.add_argument(
        "--no-db", action="store_true", help="serve without Postgres changes (no database)"
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log sockets, joins, leaves and refused tokens (-vv: the debug log too)",
    )
    add_fault_arguments(parser)
    return parser.parse_args(argv)


def _port(text: str) -> int:
    """A TCP port number, 0 to 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= MAX_PORT:
        raise argparse.ArgumentTypeError(f"{port} is out of range (0 to {MAX_PORT})")
    return port


_LIMITS: Final = (
    (
        "max_concurrent_users",
        int,
        "N",
        "sockets with a joined channel; past it, connects get 429 "
        '"Too many connected users" and joins "ConnectionRateLimitReached"',
    ),
    (
        "max_joins_per_second",
        int,
        "N",
        "joins per second averaged over the last minute; past "
        'it, connects get 429 and a join "ClientJoinRateLimitReached" and its socket closes',
    ),
    (
        "max_events_per_second",
        int,
        "N",
        "broadcasts sent and received per second averaged over "
        'the last minute; past it, a receiving channel is shut down ("Too many messages per '
        'second") and REST broadcast gets 429',
    ),
    (
        "max_channels_per_client",
        int,
        "N",
        'channels joined on one socket ("ChannelRateLimitReached")',
    ),
    (
        "max_outbound_bytes",
        int,
        "BYTES",
        "bytes queued for a socket that does not read them; past it, the socket is dropped",
    ),
    (
        "idle_timeout",
        float,
        "SECONDS",
        "a socket that sends nothing (not even a heartbeat) for this long is closed",
    ),
)


def _add_limit_arguments(parser: argparse.ArgumentParser) -> None:
    """The server's limits, each with the real server's default."""
    group = parser.add_argument_group("limits (defaults: the real server's)")
    defaults = ServerOptions()
    for name, kind, metavar, text in _LIMITS:
        group.add_argument(
            "--" + name.replace("_", "-"),
            type=kind,
            default=getattr(defaults, name),
            metavar=metavar,
            help=text,
        )


def _limits(args: argparse.Namespace) -> dict[str, Any]:
    return {name: getattr(args, name) for name, *_ in _LIMITS}


def _jwks_file(path: str) -> dict[str, Any]:
    """The JWKS in the file at ``path``; an argparse error if it is not one."""
    try:
        jwks: object = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise argparse.ArgumentTypeError(f"cannot read {path}: {error.strerror}") from None
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{path} is not JSON: {error}") from None
    if isinstance(jwks, dict):
        candidate = cast("dict[str, Any]", jwks)
        if isinstance(candidate.get("keys"), list):
            return candidate
    raise argparse.ArgumentTypeError(f'{path} is not a JWKS: expected {{"keys": [...]}}')


def _announce(server: LocalRealtimeServer, db_url: str | None) -> None:
    lines = [
        f"REALTIME_URL={server.url}",
        f"REALTIME_JWT_SECRET={server.jwt_secret}",
        f"REALTIME_ANON_KEY={server.anon_key}",
        f"REALTIME_SERVICE_KEY={server.service_key}",
    ]
    if db_url is not None:
        lines.append(f"REALTIME_DB_URL={db_url}")
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
    key = "" if server.inspector_is_open else "?apikey=<REALTIME_SERVICE_KEY>"
    sys.stderr.write(f"realtime-local: inspector at {server.inspector_url}{key}\n")


def _redacted(db_url: str) -> str:
    """The database URL without credentials, for messages."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        info = conninfo_to_dict(db_url)
    except Exception:  # psycopg's own message says what is wrong with it
        return "--db-url"
    host = info.get("host") or "localhost"
    port = f":{info['port']}" if info.get("port") else ""
    return f"postgresql://{host}{port}/{info.get('dbname') or ''}"


def start_error(exc: BaseException, host: str, port: int, db_url: str | None) -> str | None:
    """The one-line message for a failure to start, or ``None`` for an unexpected one."""
    from realtime_typed.local.postgres import PostgresNotInstalled

    where = f"{host}:{port}"
    if isinstance(exc, PostgresNotInstalled):
        return str(exc)
    if isinstance(exc, socket.gaierror):
        return f"cannot listen on {where}: unknown host {host!r} ({exc.strerror})"
    if isinstance(exc, OSError) and not _is_database_error(exc):
        if exc.errno == errno.EADDRINUSE:
            return (
                f"cannot listen on {where}: the port is in use (another realtime-local?); "
                "choose another --port, or --port 0 for any free one"
            )
        if exc.errno == errno.EADDRNOTAVAIL:
            return f"cannot listen on {where}: {host} is not an address of this machine"
        if exc.errno == errno.EACCES:
            return f"cannot listen on {where}: permission denied (ports below 1024 need root)"
        return f"cannot listen on {where}: {exc.strerror or exc}"
    if db_url is not None and _is_database_error(exc):
        return _database_error(exc, db_url)
    return None


def _is_database_error(exc: BaseException) -> bool:
    import psycopg

    return isinstance(exc, psycopg.Error)


def _database_error(exc: BaseException, db_url: str) -> str:
    import psycopg

    database = _redacted(db_url)
    text = " ".join(str(exc).split())
    if "may not be used as an output plugin" in text:
        return (
            f"the database {database} lets only its trusted output plugins stream changes to "
            f"roles that are not superusers ({text}); as a superuser there, add wal2json to "
            "output_plugin_libraries (alter system set output_plugin_libraries = "
            "'pgoutput, test_decoding, wal2json'; select pg_reload_conf()), or give --db-url "
            "a superuser"
        )
    if "wal2json" in text:
        return (
            f"the database {database} has no wal2json output plugin ({text}); install it on "
            f"the database server: apt-get install postgresql-{_major_version(db_url)}-wal2json"
        )
    if "wal_level" in text:
        return (
            f"the database {database} cannot stream changes ({text}); run "
            "'alter system set wal_level = logical' there and restart PostgreSQL"
        )
    if isinstance(exc, psycopg.OperationalError):
        return f"cannot connect to the database {database}: {text}"
    if isinstance(exc, psycopg.ProgrammingError) and database == "--db-url":
        return f"invalid --db-url: {text}"
    return f"the database {database} refused the local server's setup: {text}"


def _major_version(db_url: str) -> str:
    """The server's major version (``NN`` when it cannot be read)."""
    import psycopg

    try:
        with psycopg.connect(db_url, connect_timeout=5) as conn:
            return str(conn.info.server_version // 10000)
    except psycopg.Error:
        return "NN"


def _check_listen(host: str, port: int) -> None:
    """Fail fast, before a database is started, when ``host:port`` cannot be listened on."""
    if port == 0:
        return
    for family, kind, proto, _, address in socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    ):
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)


async def serve(args: argparse.Namespace) -> None:
    """Start what the arguments ask for, print the settings, serve until a signal.

    Raises :class:`StartFailed` with the one line to print when something cannot start.
    """
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    async with AsyncExitStack() as stack:
        db_url: str | None = args.db_url
        try:
            _check_listen(args.host, args.port)
            if db_url is None and not args.no_db:
                from realtime_typed.local.postgres import TemporaryCluster

                cluster = await stack.enter_async_context(TemporaryCluster())
                db_url = cluster.dsn
            server = LocalRealtimeServer(
                args.host,
                args.port,
                args.jwt_secret,
                db_url,
                jwks=args.jwks,
                options=ServerOptions(private_only=args.private_only, **_limits(args)),
            )
            await stack.enter_async_context(server)
        except Exception as exc:
            message = start_error(exc, args.host, args.port, db_url)
            if message is None:
                raise
            raise StartFailed(message) from exc
        await stack.enter_async_context(injected_faults(server, args))
        _announce(server, db_url)
        logging.getLogger(__name__).info("serving on %s", server.url)
        await stopping.wait()


def _configure_logging(verbosity: int) -> None:
    """Warnings always (on stderr); ``-v``: the server's INFO log; ``-vv``: DEBUG."""
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if verbosity >= 2 else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if verbosity == 1:
        logging.getLogger("realtime_typed.local").setLevel(logging.INFO)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``realtime-local``."""
    args = parse_args(argv)
    _configure_logging(args.verbose)
    try:
        asyncio.run(serve(args))
    except StartFailed as failed:
        return fail(PROG, str(failed))
    except KeyboardInterrupt:  # Ctrl-C before the signal handlers were in place
        return 130
    return 0
