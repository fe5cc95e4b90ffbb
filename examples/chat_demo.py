"""Two realtime-typed clients, alice and bob, chatting in ``room:lobby`` over a local server.

Starts a :class:`~realtime_typed.testing.LocalRealtimeServer` in this process (no database),
joins both clients to the room, tracks their presence and exchanges a short typed conversation,
printing every message as it arrives. ``--forever`` keeps them chatting until Ctrl-C.

Run it with ``nox -s demo`` or ``python examples/chat_demo.py [--forever]``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
from collections.abc import AsyncGenerator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from pydantic import BaseModel

from realtime_typed import BroadcastMessage, BroadcastSpec, PresenceSpec, RealtimeClient
from realtime_typed.client import Channel
from realtime_typed.testing import LocalRealtimeServer

ROOM = "room:lobby"
FOREVER_PAUSE_SECONDS = 1.5


class ChatMessage(BaseModel):
    """The payload of a chat line."""

    author: str
    text: str


class Member(BaseModel):
    """What each client tracks in the room's presence."""

    name: str


CHAT = BroadcastSpec("chat", ChatMessage)
PRESENCE = PresenceSpec(Member)

CONVERSATION = [
    ("alice", "hi bob, can you hear me?"),
    ("bob", "loud and clear, alice"),
    ("alice", "this message is a ChatMessage, checked by mypy --strict"),
    ("bob", "and it crossed a real websocket, framed as Phoenix v2 binary"),
    ("alice", "see you in the README"),
]


@dataclass
class Chatter:
    """One person in the room: their channel and the lines they have received so far."""

    name: str
    channel: Channel[Member]
    received: asyncio.Queue[ChatMessage]

    present: tuple[str, ...] = ()

    def on_chat(self, message: BroadcastMessage[ChatMessage]) -> None:
        chat = message.payload
        print(f"    {self.name} received from {chat.author}: {chat.text!r}", flush=True)
        self.received.put_nowait(chat)

    def on_presence_sync(self) -> None:
        present = tuple(sorted(self.channel.presence_state()))
        if present != self.present:
            self.present = present
            print(f"    {self.name} sees in {ROOM}: {', '.join(present) or 'nobody'}", flush=True)


@asynccontextmanager
async def chatter(server: LocalRealtimeServer, name: str) -> AsyncGenerator[Chatter]:
    """Connect ``name`` to the server, join the room and be present in it."""
    async with RealtimeClient(server.url, apikey=server.anon_key) as client:
        channel = client.channel(ROOM, presence=PRESENCE, presence_key=name)
        person = Chatter(name, channel, asyncio.Queue())
        channel.on_broadcast(CHAT, person.on_chat)
        channel.on_presence_sync(person.on_presence_sync)
        await channel.subscribe()
        await channel.track(Member(name=name))
        yield person


async def say(speaker: Chatter, listener: Chatter, text: str) -> None:
    """Send one line and wait until the listener has printed it."""
    print(f"{speaker.name}: {text}", flush=True)
    await speaker.channel.send_broadcast(CHAT, ChatMessage(author=speaker.name, text=text))
    received = await asyncio.wait_for(listener.received.get(), timeout=10)
    assert received.text == text


async def chat(forever: bool) -> None:
    """Run the server and both clients; talk through the conversation once, or until stopped."""
    async with LocalRealtimeServer() as server, AsyncExitStack() as stack:
        print(f"local Realtime server listening at {server.url}", flush=True)
        people = {
            name: await stack.enter_async_context(chatter(server, name))
            for name in ("alice", "bob")
        }
        lines = itertools.cycle(CONVERSATION) if forever else iter(CONVERSATION)
        for speaker, text in lines:
            listener = people["bob" if speaker == "alice" else "alice"]
            await say(people[speaker], listener, text)
            if forever:
                await asyncio.sleep(FOREVER_PAUSE_SECONDS)
    print("done: alice and bob said goodbye", flush=True)


def main() -> None:
    """Parse ``--forever`` and run the chat; Ctrl-C ends a ``--forever`` run cleanly."""
    parser = argparse.ArgumentParser(description="alice and bob chatting over a local server")
    parser.add_argument("--forever", action="store_true", help="keep chatting until Ctrl-C")
    arguments = parser.parse_args()
    try:
        asyncio.run(chat(arguments.forever))
    except KeyboardInterrupt:
        print("stopped", flush=True)


if __name__ == "__main__":
    main()
