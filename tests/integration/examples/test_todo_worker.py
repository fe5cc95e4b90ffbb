"""``examples/todo/worker.py``, the blocking worker: it reacts to inserts from a real database.

The worker runs as a separate process, as its docstring says to run it. Once it prints
``ready`` the test inserts two todos; the worker prints each, typed, tells the todo's list it is
on it (the test listens there with the async client) and exits after the second.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from decimal import Decimal

import psycopg
import pytest

from realtime_typed import BroadcastMessage, JsonValue, RealtimeClient
from realtime_typed.testing import LocalRealtimeServer

from .test_todo_app import APP_DIR, WAIT, load_schema, read_line

pytestmark = pytest.mark.postgres


async def test_worker_reacts_to_new_todos(realtime_server_db: LocalRealtimeServer) -> None:
    dsn = realtime_server_db.db_url
    assert dsn is not None
    await load_schema(dsn)
    owner = uuid.uuid4()
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        str(APP_DIR / "worker.py"),
        "--changes",
        "2",
        cwd=APP_DIR,
        env={
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "REALTIME_URL": realtime_server_db.url,
            "REALTIME_ANON_KEY": realtime_server_db.anon_key,
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert worker.stdout is not None
    editing: asyncio.Queue[BroadcastMessage[JsonValue]] = asyncio.Queue()
    try:
        assert await read_line(worker.stdout) == "ready"
        async with RealtimeClient(
            realtime_server_db.url, apikey=realtime_server_db.anon_key
        ) as watcher:
            board = watcher.channel(f"todos:{owner}")  # TodoList.topic(owner=...)
            board.on_broadcast("editing", editing.put_nowait)
            await board.subscribe()
            ids: list[int] = []
            async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as db:
                for title, estimate in (("Water plants", Decimal("0.25")), ("Call Bob", None)):
                    cursor = await db.execute(
                        "insert into public.todos (owner, title, estimate) values (%s, %s, %s)"
                        " returning id",
                        (owner, title, estimate),
                    )
                    row = await cursor.fetchone()
                    assert row is not None
                    ids.append(row[0])
            output, errors = await asyncio.wait_for(worker.communicate(), WAIT)
            seen = [await asyncio.wait_for(editing.get(), WAIT) for _ in ids]
    finally:
        if worker.returncode is None:
            worker.kill()
            await worker.wait()
    assert worker.returncode == 0, errors.decode()
    assert output.decode().splitlines() == [
        f"new todo {ids[0]}: Water plants (estimate 0.25)",
        f"new todo {ids[1]}: Call Bob (no estimate)",
        "handled 2 todos",
    ]
    assert [message.payload for message in seen] == [
        {"todo_id": ids[0], "user": "worker"},
        {"todo_id": ids[1], "user": "worker"},
    ]
