"""RLS checks on ``realtime.messages``, done the way the real server does them.

* **Read**: in one transaction, probe rows (one per extension, topic = the sub-topic) are
  inserted by the server's own user; then ``role``, ``realtime.topic``, ``request.jwt.claims``,
  ``request.jwt.claim.sub``, ``request.jwt.claim.role`` and ``request.headers`` are set and the
  probes are selected back as that role: each visible probe grants read. Rolled back.
* **Write**: the same settings, then one INSERT per extension as the role, each in a
  savepoint; ``insufficient_privilege`` means no write. Rolled back.

A policy that raises, or a role the database does not know, is a :class:`PolicyError`; a
database that cannot be reached is :class:`DatabaseUnavailable`. Checks (and the replay query
of a joining channel) run one at a time on one connection.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncGenerator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, Final

import psycopg
from psycopg import errors as pg_errors

from realtime_typed.local.auth.policies import EXTENSIONS, Extension, Policies
from realtime_typed.local.postgres.stored_messages import ReplayRequest, StoredMessage, fetch_replay

__all__ = ["Authorizer", "DatabaseUnavailable", "PolicyError"]

_SETTINGS: Final = """
select set_config('role', %s, true),
       set_config('realtime.topic', %s, true),
       set_config('request.jwt.claims', %s, true),
       set_config('request.jwt.claim.sub', %s, true),
       set_config('request.jwt.claim.role', %s, true),
       set_config('request.headers', %s, true)
"""
_PROBE: Final = "insert into realtime.messages (id, topic, extension) values (%s, %s, %s)"
_VISIBLE: Final = "select id from realtime.messages where id = any(%s)"
_WRITE: Final = "insert into realtime.messages (topic, extension) values (%s, %s)"


class PolicyError(Exception):
    """A policy check failed in the database (a raising policy, an unknown role...)."""


class DatabaseUnavailable(Exception):
    """The project database could not be reached."""


class Authorizer:
    """Runs read and write checks for one database (superuser DSN)."""

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._conn: psycopg.AsyncConnection[Any] | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        """Open the connection the checks run on."""
        self._conn = await psycopg.AsyncConnection.connect(self._dsn, autocommit=True)

    async def stop(self) -> None:
        """Close the connection."""
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()

    async def check_read(
        self,
        topic: str,
        claims: Mapping[str, Any],
        extensions: Sequence[Extension],
        policies: Policies,
    ) -> None:
        """Set the read permission of each of ``extensions`` in ``policies``."""
        probes: dict[Extension, uuid.UUID] = {extension: uuid.uuid4() for extension in extensions}
        async with self._transaction() as conn:
            for extension, probe in probes.items():
                await conn.execute(_PROBE, (probe, topic, extension))
            await conn.execute(_SETTINGS, _settings(topic, claims))
            cursor = await conn.execute(_VISIBLE, (list(probes.values()),))
            visible = {row[0] for row in await cursor.fetchall()}
        for extension, probe in probes.items():
            policies.set_read(extension, probe in visible)

    async def check_write(self, topic: str, claims: Mapping[str, Any], policies: Policies) -> None:
        """Set the write permission of broadcast and presence in ``policies``."""
        granted: dict[Extension, bool] = {}
        async with self._transaction() as conn:
            await conn.execute(_SETTINGS, _settings(topic, claims))
            for extension in EXTENSIONS:
                try:
                    async with conn.transaction():
                        await conn.execute(_WRITE, (topic, extension))
                except pg_errors.InsufficientPrivilege:
                    granted[extension] = False
                else:
                    granted[extension] = True
        for extension, allowed in granted.items():
            policies.set_write(extension, allowed)

    async def replay(self, request: ReplayRequest, topic: str) -> list[StoredMessage]:
        """The stored broadcasts a join asked to replay, oldest first."""
        async with self._transaction() as conn:
            return await fetch_replay(conn, request, topic)

    @asynccontextmanager
    async def _transaction(self) -> AsyncGenerator[psycopg.AsyncConnection[Any]]:
        """The lock, then a transaction that is always rolled back; errors mapped."""
        conn = self._conn
        if conn is None or conn.closed:
            raise DatabaseUnavailable("the authorization connection is not open")
        async with self._lock:
            try:
                async with conn.transaction(force_rollback=True):
                    yield conn
            except psycopg.OperationalError as exc:
                raise DatabaseUnavailable(type(exc).__name__) from exc
            except psycopg.Error as exc:
                raise PolicyError(_describe(exc)) from exc


def _settings(topic: str, claims: Mapping[str, Any]) -> tuple[str, str, str, str, str, str]:
    role = str(claims.get("role", ""))
    sub = claims.get("sub")
    return (
        role,
        topic,
        json.dumps(dict(claims), separators=(",", ":")),
        "" if sub is None else str(sub),
        role,
        "{}",
    )


def _describe(error: psycopg.Error) -> str:
    """The error's SQLSTATE and primary message (never its parameters)."""
    diag = error.diag
    return f"{diag.sqlstate}: {diag.message_primary}"
