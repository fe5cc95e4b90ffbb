"""The official Python client, ``realtime`` from PyPI, as a peer (it speaks only vsn 1.0.0)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from importlib.metadata import version

from realtime import AsyncRealtimeChannel, AsyncRealtimeClient, RealtimeSubscribeStates

from .inbox import Inbox
from .peer import JsonObject, Received


class OfficialPeer:
    """An ``AsyncRealtimeClient`` with one channel per joined topic."""

    def __init__(self, client: AsyncRealtimeClient) -> None:
        self.name = f"realtime-py {version('realtime')} vsn 1.0.0"
        self.broadcasts: Inbox[Received] = Inbox(f"{self.name} broadcasts")
        self._client = client
        self._channels: dict[str, AsyncRealtimeChannel] = {}

    @classmethod
    @asynccontextmanager
    async def open(cls, url: str, apikey: str) -> AsyncGenerator[OfficialPeer]:
        """Connect to ``url`` with ``apikey``; close on the way out."""
        client = AsyncRealtimeClient(url, token=apikey, auto_reconnect=False)
        await client.connect()
        try:
            yield cls(client)
        finally:
            await client.close()

    async def join(self, topic: str) -> None:
        """Join with broadcast ack on and self off; fail unless the join is acknowledged."""
        channel = self._client.channel(
            topic,
            {
                "config": {
                    "broadcast": {"ack": True, "self": False},
                    "presence": {"key": "", "enabled": False},
                    "private": False,
                }
            },
        )
        channel.on_broadcast(
            "*",
            lambda message: self.broadcasts.put(
                Received(topic, message["event"], message["payload"])
            ),
        )
        states: Inbox[RealtimeSubscribeStates] = Inbox(f"{self.name} join of {topic}")
        await channel.subscribe(lambda state, _error: states.put(state))
        state = await states.take(lambda _state: True)
        assert state == RealtimeSubscribeStates.SUBSCRIBED, f"{self.name} join: {state}"
        self._channels[topic] = channel

    async def send(self, topic: str, event: str, payload: JsonObject) -> None:
        """Broadcast over the socket (this client cannot observe the ack)."""
        await self._channels[topic].send_broadcast(event, payload)
