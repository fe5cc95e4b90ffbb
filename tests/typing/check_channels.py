"""Type tests of a generated module's channel keys: checked by mypy and pyright, never run."""

from __future__ import annotations

from datetime import datetime
from typing import assert_type

from typed_app import Board, Lobby, Message, Room

from realtime_typed import (
    BroadcastMessage,
    BroadcastSpec,
    JsonValue,
    PresenceSpec,
    RealtimeClient,
)


def keys() -> None:
    assert_type(Room.cursor, BroadcastSpec[Room.Cursor])
    assert_type(Room.new_message, BroadcastSpec[Message])
    assert_type(Room.typing, BroadcastSpec[Room.Typing])
    assert_type(Room.presence, PresenceSpec[Room.Presence])
    assert_type(Lobby.presence, PresenceSpec[Lobby.Presence])
    assert_type(Room.topic(room_id="42"), str)
    assert_type(Board.topic(org="acme", board_id="7"), str)
    assert_type(Lobby.topic(), str)
    Room.topic()  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    Room.topic(room="42")  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    Room.topic(room_id=42)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    _ = Lobby.nope  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType, reportUnknownVariableType]


def models(cursor: Room.Cursor, message: Room.NewMessage, move: Board.Move) -> None:
    assert_type(cursor.x, float)
    assert_type(message.text, str)
    assert_type(message.sent_at, datetime | None)
    assert_type(move.card, int)
    wrong: BroadcastSpec[Room.Cursor] = Room.new_message  # type: ignore[assignment]  # pyright: ignore[reportAssignmentType]
    del wrong


def on_cursor(msg: BroadcastMessage[Room.Cursor]) -> None:
    assert_type(msg.payload.y, float)


def on_message(msg: BroadcastMessage[Message]) -> None:
    assert_type(msg.payload.tags, list[str] | None)


def on_json(msg: BroadcastMessage[JsonValue]) -> None:
    del msg


async def channel_use(client: RealtimeClient) -> None:
    ch = client.channel(Room.topic(room_id="42"), presence=Room.presence)
    ch.on_broadcast(Room.cursor, on_cursor)
    ch.on_broadcast(Room.new_message, on_message)
    ch.on_broadcast("cursor", on_json)
    ch.on_broadcast(Room.cursor, on_message)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType, reportCallIssue]
    ch.on_broadcast(Room.new_message, on_cursor)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType, reportCallIssue]
    await ch.send_broadcast(Room.cursor, Room.Cursor(x=1.0, y=2.0))
    await ch.send_broadcast(Room.cursor, Message(text="hi"))  # type: ignore[misc]  # pyright: ignore[reportArgumentType, reportCallIssue]
    await ch.track(Room.Presence(user_id="u1"))
    await ch.track(Lobby.Presence(name="u1"))  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    assert_type(ch.presence_state(), dict[str, list[Room.Presence]])
    lobby = client.channel(Lobby.topic(), presence=Lobby.presence)
    await lobby.track(Room.Presence(user_id="u1"))  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
