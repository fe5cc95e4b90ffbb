"""``realtime-local``: run the local Realtime server until SIGINT or SIGTERM.

Unless ``--db-url`` or ``--no-db`` is given it also starts a throwaway PostgreSQL (wal2json, a
``supabase_realtime`` publication) and stops it on the way out. Before serving it prints, one
per line: ``REALTIME_URL``, ``REALTIME_JWT_SECRET``, ``REALTIME_ANON_KEY``,
``REALTIME_SERVICE_KEY`` and, with a database, ``REALTIME_DB_URL``. ``--jwks FILE`` adds the
keys of a JWKS file for asymmetric tokens; ``--private-only`` refuses joins of public channels.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from collections.abc import Sequence
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, cast

from realtime_typed.local.faults import add_fault_arguments, injected_faults
from realtime_typed.local.options import ServerOptions
from realtime_typed.local.server import LocalRealtimeServer

__all__ = ["main", "parse_args"]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line of ``realtime-local``."""
    parser = argparse.ArgumentParser(
        prog="realtime-local",
        description="Run a local Supabase Realtime server for development and tests.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=4000, help="port to listen on (0: any)")
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
    database = parser.add_mutually_exclusive_group()
    database.add_argument("--db-url", help="PostgreSQL DSN for Postgres changes")
    database.add_argument(
        "--no-db", action="store_true", help="serve without Postgres changes (no database)"
    )
    add_fault_arguments(parser)
    return parser.parse_args(argv)


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


async def serve(args: argparse.Namespace) -> None:
    """Start what the arguments ask for, print the settings, serve until a signal."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    async with AsyncExitStack() as stack:
        db_url: str | None = args.db_url
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
            options=ServerOptions(private_only=args.private_only),
        )
        await stack.enter_async_context(server)
        await stack.enter_async_context(injected_faults(server, args))
        _announce(server, db_url)
        await stopping.wait()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``realtime-local``."""
    asyncio.run(serve(parse_args(argv)))
    return 0
