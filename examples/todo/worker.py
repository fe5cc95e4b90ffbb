"""A blocking worker that reacts to new todos: for scripts, Celery tasks and Django commands.

It waits for inserts into ``todos`` with the blocking client (no asyncio in sight), prints each
new todo, typed, and tells the todo's list that it is on it (a typed broadcast that
``app.py`` prints as ``worker is editing todo N``). Run it against a local server
(``realtime-local`` prints the variables to export)::

    REALTIME_URL=... REALTIME_ANON_KEY=... python worker.py

``--url`` and ``--key`` override the variables; ``--changes N`` exits after N todos and
``--idle S`` after S seconds without one. Once it listens it prints ``ready``.
"""

from __future__ import annotations

import argparse
import os
import threading
from typing import Any

from realtime_types import TodoList, Todos

from realtime_typed import InsertChange, JsonValue
from realtime_typed.sync import Channel, RealtimeClient

WORKER = "worker"


def describe(change: InsertChange[Todos.Row]) -> str:
    """One line per new todo: ``change.record`` is a typed row."""
    todo = change.record
    estimate = "no estimate" if todo.estimate is None else f"estimate {todo.estimate}"
    return f"new todo {todo.id}: {todo.title} ({estimate})"


class Replication:
    """Set once the server says the channel's Postgres changes are flowing."""

    def __init__(self) -> None:
        self.ready = threading.Event()

    def __call__(self, notice: dict[str, JsonValue]) -> None:
        """An ``on_system`` callback (it runs on the client's delivery thread)."""
        if notice.get("extension") == "postgres_changes" and notice.get("status") == "ok":
            self.ready.set()


def work(url: str, apikey: str, limit: int | None, idle: float | None) -> int:
    """Handle new todos until ``limit`` of them, or ``idle`` seconds without one."""
    handled = 0
    boards: dict[str, Channel[Any]] = {}
    with RealtimeClient(url, apikey=apikey) as client:
        channel = client.channel("todos-worker")
        replication = Replication()
        channel.on_system(replication)
        new_todos = channel.changes(Todos.insert, timeout=idle)  # before subscribe()
        channel.subscribe(timeout=10)
        if not replication.ready.wait(30):
            raise SystemExit("the server did not start streaming changes")
        print("ready", flush=True)
        for change in new_todos:
            print(describe(change), flush=True)
            topic = TodoList.topic(owner=str(change.record.owner))
            if topic not in boards:
                boards[topic] = client.channel(topic).subscribe(timeout=10)
            boards[topic].send_broadcast(
                TodoList.editing, TodoList.Editing(todo_id=change.record.id, user=WORKER)
            )
            handled += 1
            if limit is not None and handled >= limit:
                break
    return handled


def main() -> None:
    """Parse the command line and work until interrupted (or done)."""
    parser = argparse.ArgumentParser(description="React to new todos.")
    parser.add_argument("--url", default=os.environ.get("REALTIME_URL"))
    parser.add_argument("--key", default=os.environ.get("REALTIME_ANON_KEY"))
    parser.add_argument("--changes", type=int, default=None, help="exit after N todos")
    parser.add_argument("--idle", type=float, default=None, help="exit after S idle seconds")
    args = parser.parse_args()
    if not args.url or not args.key:
        parser.error("set REALTIME_URL and REALTIME_ANON_KEY, or pass --url and --key")
    try:
        handled = work(args.url, args.key, args.changes, args.idle)
    except KeyboardInterrupt:
        return
    print(f"handled {handled} todos", flush=True)


if __name__ == "__main__":
    main()
