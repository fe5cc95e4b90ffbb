"""``examples/todo/app.py`` follows a real database through the local server: typed changes.

The app runs as a separate process, as its README says to run it. Once it prints ``ready`` the
test writes to the ``todos`` table (rows of its owner and of someone else); the app prints each
change of its owner, typed (``numeric`` with every digit), and exits after the expected count.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from realtime_typed.testing import LocalRealtimeServer

pytestmark = pytest.mark.postgres

APP_DIR = Path(__file__).resolve().parents[3] / "examples" / "todo"
WAIT = 30.0
"""Seconds the app may take to start, or to print a line."""


async def load_schema(dsn: str) -> None:
    """Create the example's table (once per database)."""
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as db:
        cursor = await db.execute("select to_regclass('public.todos') is not null")
        row = await cursor.fetchone()
        if row is None or not row[0]:
            await db.execute((APP_DIR / "schema.sql").read_bytes())


async def read_line(stream: asyncio.StreamReader) -> str:
    line = await asyncio.wait_for(stream.readline(), WAIT)
    if not line:
        raise AssertionError("the app exited early")
    return line.decode().rstrip("\n")


async def test_todo_app_prints_typed_changes(realtime_server_db: LocalRealtimeServer) -> None:
    dsn = realtime_server_db.db_url
    assert dsn is not None
    await load_schema(dsn)
    owner, stranger = uuid.uuid4(), uuid.uuid4()
    app = await asyncio.create_subprocess_exec(
        sys.executable,
        str(APP_DIR / "app.py"),
        str(owner),
        "--url",
        realtime_server_db.url,
        "--key",
        realtime_server_db.anon_key,
        "--changes",
        "3",
        cwd=APP_DIR,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert app.stdout is not None and app.stderr is not None
    try:
        lines: list[str] = []
        while (line := await read_line(app.stdout)) != "ready":
            lines.append(line)
        async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as db:
            cursor = await db.execute(
                "insert into public.todos (owner, title, estimate) values (%s, %s, %s)"
                " returning id",
                (owner, "Buy milk", Decimal("1234.25")),
            )
            row = await cursor.fetchone()
            assert row is not None
            todo_id = row[0]
            await db.execute(
                "insert into public.todos (owner, title) values (%s, %s)", (stranger, "Not mine")
            )
            await db.execute("update public.todos set state = 'done' where id = %s", (todo_id,))
            await db.execute("delete from public.todos where id = %s", (todo_id,))
        output, errors = await asyncio.wait_for(app.communicate(), WAIT)
    finally:
        if app.returncode is None:
            app.kill()
            await app.wait()
    lines += output.decode().splitlines()
    assert app.returncode == 0, errors.decode()
    changes = [line for line in lines if line[:1] in "+~-" or line.startswith("deleted")]
    assert changes == [
        "+ Buy milk (open, estimate 1234.25)",
        "~ Buy milk is done",
        f"deleted {todo_id}",
    ]
    assert "here: ['example-user']" in lines
