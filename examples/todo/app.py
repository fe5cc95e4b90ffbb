"""A live todo list: prints every change to the ``todos`` table and who is editing what.

Run it against a local server (``realtime-local`` prints the variables to export)::

    realtime-gen --tables schema.sql --channels channels.yaml -o realtime_types.py
    REALTIME_URL=... REALTIME_ANON_KEY=... python app.py 00000000-0000-0000-0000-000000000001

``--url`` and ``--key`` override the variables; ``--changes N`` exits after N changes. Once
both channels are joined it prints ``ready``. Every payload is typed: ``change.record.title`` is
a ``str``, ``change.record.estimate`` a ``Decimal | None`` with every digit, and a handler for
the wrong event does not type-check.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from datetime import UTC, datetime
from uuid import UUID

from realtime_types import TodoList, Todos

from realtime_typed import (
    AnyChange,
    BroadcastMessage,
    DeleteChange,
    RealtimeClient,
)


def describe_change(change: AnyChange[Todos.Row, Todos.Old]) -> str:
    """One line per change; ``change.type`` narrows to the change's own fields."""
    if change.type == "INSERT":
        return f"+ {change.record.title} ({change.record.state}, estimate {change.record.estimate})"
    if change.type == "UPDATE":
        return f"~ {change.record.title} is {change.record.state}"
    return f"- todo {change.old_record.id}"


def describe_delete(change: DeleteChange[Todos.Old]) -> str:
    """Deletes carry only the primary key."""
    return f"deleted {change.old_record.id}"


def on_editing(message: BroadcastMessage[TodoList.Editing]) -> None:
    """Someone started editing a todo."""
    print(f"{message.payload.user} is editing todo {message.payload.todo_id}")


class ChangePrinter:
    """Prints changes and tells when ``limit`` of them have been seen (``None``: never)."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.seen = 0
        self.enough = asyncio.Event()

    def __call__(self, line: str) -> None:
        print(line, flush=True)
        self.seen += 1
        if self.limit is not None and self.seen >= self.limit:
            self.enough.set()


async def run(url: str, apikey: str, owner: UUID, user: str, limit: int | None = None) -> None:
    """Follow the todo list of ``owner`` until cancelled, or until ``limit`` changes."""
    printer = ChangePrinter(limit)
    async with RealtimeClient(url, apikey=apikey) as client:
        changes = client.channel("todos-db")
        changes.on_postgres_changes(
            Todos.all,
            lambda change: printer(describe_change(change)),
            filter=Todos.c.owner.eq(owner),
        )
        changes.on_postgres_changes(Todos.delete, lambda change: printer(describe_delete(change)))
        await changes.subscribe()

        board = client.channel(
            TodoList.topic(owner=str(owner)), presence=TodoList.presence, presence_key=user
        )
        board.on_broadcast(TodoList.editing, on_editing)
        board.on_presence_sync(lambda: print(f"here: {sorted(board.presence_state())}"))
        await board.subscribe()
        await board.track(TodoList.Presence(user=user, online_at=datetime.now(UTC)))
        await board.send_broadcast(TodoList.editing, TodoList.Editing(todo_id=1, user=user))
        print("ready", flush=True)
        await printer.enough.wait()


def main() -> None:
    """Parse the command line and run until interrupted (or ``--changes`` are seen)."""
    parser = argparse.ArgumentParser(description="Follow a live todo list.")
    parser.add_argument("owner", nargs="?", type=UUID, default=UUID(int=1))
    parser.add_argument("--url", default=os.environ.get("REALTIME_URL"))
    parser.add_argument("--key", default=os.environ.get("REALTIME_ANON_KEY"))
    parser.add_argument("--user", default="example-user")
    parser.add_argument("--changes", type=int, default=None, help="exit after N changes")
    args = parser.parse_args()
    if not args.url or not args.key:
        parser.error("set REALTIME_URL and REALTIME_ANON_KEY, or pass --url and --key")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(args.url, args.key, args.owner, args.user, args.changes))


if __name__ == "__main__":
    main()
