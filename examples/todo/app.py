"""A live todo list: prints every change to the ``todos`` table and who is editing what.

Run it against a local server (``realtime-local`` prints the variables to export)::

    realtime-gen --tables schema.sql --channels channels.yaml -o realtime_types.py
    REALTIME_URL=... REALTIME_ANON_KEY=... python app.py 00000000-0000-0000-0000-000000000001

Every payload is typed: ``change.record.title`` is a ``str``, ``change.record.estimate`` a
``Decimal | None`` with every digit, and a handler for the wrong event does not type-check.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime
from uuid import UUID

from realtime_types import TodoList, Todos

from realtime_typed import (
    AnyChange,
    BroadcastMessage,
    DeleteChange,
    RealtimeClient,
)


def on_change(change: AnyChange[Todos.Row, Todos.Old]) -> None:
    """Print one change; ``change.type`` narrows to the change's own fields."""
    if change.type == "INSERT":
        print(f"+ {change.record.title} ({change.record.state})")
    elif change.type == "UPDATE":
        print(f"~ {change.record.title} is {change.record.state}")
    else:
        print(f"- todo {change.old_record.id}")


def on_delete(change: DeleteChange[Todos.Old]) -> None:
    """Deletes carry only the primary key."""
    print(f"deleted {change.old_record.id}")


def on_editing(message: BroadcastMessage[TodoList.Editing]) -> None:
    """Someone started editing a todo."""
    print(f"{message.payload.user} is editing todo {message.payload.todo_id}")


async def run(url: str, apikey: str, owner: UUID, user: str) -> None:
    """Follow the todo list of ``owner`` until cancelled."""
    async with RealtimeClient(url, apikey=apikey) as client:
        changes = client.channel("todos-db")
        changes.on_postgres_changes(Todos.all, on_change, filter=Todos.c.owner.eq(owner))
        changes.on_postgres_changes(Todos.delete, on_delete)
        await changes.subscribe()

        board = client.channel(TodoList.topic(owner=str(owner)), presence=TodoList.presence)
        board.on_broadcast(TodoList.editing, on_editing)
        board.on_presence_sync(lambda: print(f"here: {sorted(board.presence_state())}"))
        await board.subscribe()
        await board.track(TodoList.Presence(user=user, online_at=datetime.now(UTC)))
        await board.send_broadcast(TodoList.editing, TodoList.Editing(todo_id=1, user=user))
        await asyncio.Event().wait()


if __name__ == "__main__":
    owner = UUID(sys.argv[1]) if len(sys.argv) > 1 else UUID(int=1)
    asyncio.run(
        run(os.environ["REALTIME_URL"], os.environ["REALTIME_ANON_KEY"], owner, "example-user")
    )
