"""Type tests of the blocking API: the same types as the async client, without ``await``.

Checked by mypy and pyright, never run. ``assert_type`` states what must hold; each
``# type: ignore[code]`` marks a misuse that must stay an error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, assert_type
from uuid import UUID

from typed_app import Lobby, Message, Room, Todos

from realtime_typed import (
    AnyChange,
    BroadcastMessage,
    DeleteChange,
    InsertChange,
    JsonValue,
    PresenceUpdate,
    RealtimeError,
    SubscribeState,
    UpdateChange,
)
from realtime_typed.client import ConnectionState
from realtime_typed.protocol.events import LeaveOutcome
from realtime_typed.sync import Channel, MessageIterator, RealtimeClient


def on_insert(change: InsertChange[Todos.Row]) -> None:
    assert_type(change.record.title, str)


def on_delete(change: DeleteChange[Todos.Old]) -> None:
    assert_type(change.old_record.id, int)


def on_cursor(msg: BroadcastMessage[Room.Cursor]) -> None:
    assert_type(msg.payload.x, float)


def on_message(msg: BroadcastMessage[Message]) -> None:
    del msg


def on_presence(update: PresenceUpdate[Room.Presence]) -> None:
    del update


def on_state(state: SubscribeState, error: Exception | None) -> None:
    del state, error


def client_use() -> None:
    with RealtimeClient("ws://127.0.0.1:4000/socket", apikey="key", timeout=5.0) as client:
        assert_type(client, RealtimeClient)
        ch = client.channel("room:1", broadcast_self=True)
        assert_type(ch, Channel[dict[str, JsonValue]])
        assert_type(ch.subscribe(on_state, timeout=10), Channel[dict[str, JsonValue]])
        assert_type(client.channels, list[Channel[Any]])
        client.set_auth("token", timeout=1.0)
        assert_type(client.connection_state, ConnectionState)
        assert_type(client.endpoint_url, str)
        client.send_heartbeat()
        assert_type(ch.unsubscribe(timeout=1.0), LeaveOutcome)
        assert_type(client.remove_channel(ch, timeout=1.0), LeaveOutcome)
        assert_type(client.remove_all_channels(), list[LeaveOutcome])
        client.disconnect(4000, "maintenance", timeout=1.0)
        client.close(timeout=1.0)
    RealtimeClient("ws://127.0.0.1:4000/socket")  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    RealtimeClient("ws://x/socket", apikey="k", vsn="3.0.0")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


def postgres_changes(client: RealtimeClient) -> None:
    ch = client.channel("db")
    ch.on_postgres_changes(Todos.insert, on_insert, filter=Todos.c.user_id.eq(UUID(int=1)))
    ch.on_postgres_changes(Todos.delete, on_delete)
    ch.on_postgres_changes(Todos.delete, on_insert)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType, reportCallIssue]
    ch.on_postgres_changes(Todos.insert, on_insert, filter=Todos.c.id.eq("1"))  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    inserts = ch.changes(Todos.insert, timeout=30)
    assert_type(inserts, MessageIterator[InsertChange[Todos.Row]])
    for change in inserts:
        assert_type(change.record.title, str)
        _ = change.old_record  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType, reportUnknownVariableType]
    assert_type(ch.changes(Todos.update), MessageIterator[UpdateChange[Todos.Row, Todos.Old]])
    for any_change in ch.changes(Todos.all):
        if any_change.type == "DELETE":
            assert_type(any_change, DeleteChange[Todos.Old])
    untyped = ch.changes("INSERT", table="todos")
    assert_type(untyped, MessageIterator[AnyChange[dict[str, JsonValue], dict[str, JsonValue]]])
    ch.changes("UPSERT")  # type: ignore[call-overload]  # pyright: ignore[reportArgumentType, reportCallIssue]


def broadcast_and_presence(client: RealtimeClient) -> None:
    ch = client.channel(Room.topic(room_id="42"), presence=Room.presence)
    assert_type(ch, Channel[Room.Presence])
    remove = ch.on_broadcast(Room.cursor, on_cursor)
    assert_type(remove, Callable[[], None])
    ch.on_broadcast(Room.cursor, on_message)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType, reportCallIssue]
    ch.send_broadcast(Room.cursor, Room.Cursor(x=1.0, y=2.0), timeout=5)
    ch.send_broadcast(Room.cursor, Message(text="hi"))  # type: ignore[misc]  # pyright: ignore[reportArgumentType, reportCallIssue]
    ch.send_broadcast("cursor", {"x": 1})
    ch.http_send("cursor", {"x": 1}, timeout=5)
    for msg in ch.broadcasts(Room.cursor, timeout=1.0):
        assert_type(msg, BroadcastMessage[Room.Cursor])
    assert_type(ch.broadcasts(), MessageIterator[BroadcastMessage[JsonValue]])
    ch.track(Room.Presence(user_id="u1"), timeout=5)
    ch.track(Lobby.Presence(name="u1"))  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    assert_type(ch.presence_state(), dict[str, list[Room.Presence]])
    ch.on_presence(on_presence)
    ch.untrack(timeout=5)
    untyped = client.channel("room:2")
    untyped.track({"user": "u1"})
    assert_type(untyped.presence_state(), dict[str, list[dict[str, JsonValue]]])
    ch.unsubscribe(timeout=5)


def join_options_and_sends(client: RealtimeClient) -> None:
    ch = client.channel(
        "room:3",
        replication_ready=True,
        postgres_changes_wait=True,
        postgres_changes_timeout=5.0,
        join_payload={"config": {"future": 1}},
        broadcast_rest_fallback=True,
    )
    assert_type(ch, Channel[dict[str, JsonValue]])
    typed = client.channel(Room.topic(room_id="3"), presence=Room.presence, join_payload={"k": 1})
    assert_type(typed, Channel[Room.Presence])
    client.channel("room:4", postgres_changes_timeout="5")  # type: ignore[call-overload]  # pyright: ignore[reportArgumentType]
    ch.update_join_payload({"config": {"later": True}})
    ch.update_join_payload({"bad": object()})  # type: ignore[dict-item]  # pyright: ignore[reportArgumentType]
    assert_type(ch.subscribe(on_state, timeout=5, retry=True), Channel[dict[str, JsonValue]])
    ch.send_broadcast("blob", b"\x00\x01", timeout=5)
    assert_type(ch.send_broadcasts("blob", [b"\x00", {"n": 1}]), list[RealtimeError | None])
    ch.http_send("blob", b"\x00", timeout=5)
    typed.send_broadcast(Room.cursor, b"\x00")  # type: ignore[misc]  # pyright: ignore[reportArgumentType, reportCallIssue]
