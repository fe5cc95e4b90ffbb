"""realtime-typed itself as a peer, so the tests treat all three clients alike."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from contextlib import asynccontextmanager

from pydantic import JsonValue

from realtime_typed import (
    AnyChange,
    BroadcastMessage,
    DeleteChange,
    InsertChange,
    RealtimeClient,
    SubscribeState,
)
from realtime_typed.client import Channel
from realtime_typed.protocol.frames import Vsn

from .inbox import Inbox
from .peer import Binding, Change, JsonObject, PresenceState, Received, StateChange


class TypedPeer:
    """A :class:`RealtimeClient` with one untyped channel per joined topic.

    Every subscribe state of every channel lands in :attr:`states`, and every error the client
    reports through ``on_error`` in :attr:`errors`.
    """

    def __init__(self, client: RealtimeClient, vsn: Vsn) -> None:
        self.name = f"realtime-typed vsn {vsn}"
        self.broadcasts: Inbox[Received] = Inbox(f"{self.name} broadcasts")
        self.presence_syncs: Inbox[str] = Inbox(f"{self.name} presence syncs")
        self.changes: Inbox[Change] = Inbox(f"{self.name} postgres changes")
        self.states: Inbox[StateChange] = Inbox(f"{self.name} states")
        self.errors: Inbox[Exception] = Inbox(f"{self.name} errors")
        client.on_error(self.errors.put)
        self._client = client
        self._channels: dict[str, Channel[JsonObject]] = {}

    @classmethod
    @asynccontextmanager
    async def open(
        cls, url: str, apikey: str, vsn: Vsn, *, token: str | None = None
    ) -> AsyncGenerator[TypedPeer]:
        """Connect to ``url`` with ``apikey`` on ``vsn`` (joins carry ``token`` if given);
        close on the way out."""
        async with RealtimeClient(url, apikey=apikey, vsn=vsn, access_token=token) as client:
            yield cls(client, vsn)

    async def join(
        self,
        topic: str,
        *,
        presence_key: str | None = None,
        bindings: Sequence[Binding] = (),
        private: bool = False,
    ) -> None:
        """Join; :meth:`Channel.subscribe` raises on failure. With bindings, also wait until the
        server says the Postgres subscription is live."""
        channel = self._client.channel(
            topic,
            broadcast_ack=True,
            broadcast_self=False,
            presence_key=presence_key or "",
            private=private,
        )

        def on_broadcast(message: BroadcastMessage[JsonValue]) -> None:
            self.broadcasts.put(Received(topic, message.event, message.payload))

        channel.on_broadcast("*", on_broadcast)
        if presence_key is not None:
            channel.on_presence_sync(lambda: self.presence_syncs.put(topic))
        for binding in bindings:
            self._listen(channel, binding)
        notices: Inbox[JsonObject] = Inbox(f"{self.name} system on {topic}")
        channel.on_system(notices.put)

        def on_state(state: SubscribeState, error: Exception | None) -> None:
            self.states.put(StateChange(topic, state.value, None if error is None else str(error)))

        await channel.subscribe(on_state)
        self._channels[topic] = channel
        if bindings:
            await notices.take(lambda notice: notice.get("extension") == "postgres_changes")

    def _listen(self, channel: Channel[JsonObject], binding: Binding) -> None:
        def on_change(change: AnyChange[JsonObject, JsonObject]) -> None:
            record = None if isinstance(change, DeleteChange) else change.record
            old = None if isinstance(change, InsertChange) else change.old_record
            self.changes.put(Change(binding.label, change.type, record, old))

        channel.on_postgres_changes(
            binding.event,
            on_change,
            schema=binding.schema,
            table=binding.table,
            filter=binding.filter,
        )

    def channel(self, topic: str) -> Channel[JsonObject]:
        """The joined channel of ``topic``."""
        return self._channels[topic]

    async def send(self, topic: str, event: str, payload: JsonObject) -> None:
        """Broadcast; with ack on this returns only once the server has acknowledged it."""
        await self._channels[topic].send_broadcast(event, payload)

    async def track(self, topic: str, meta: JsonObject) -> None:
        """Track; returns once the server has replied."""
        await self._channels[topic].track(meta)

    async def untrack(self, topic: str) -> None:
        """Untrack; returns once the server has replied."""
        await self._channels[topic].untrack()

    async def presence_state(self, topic: str) -> PresenceState:
        """The channel's presence state."""
        return self._channels[topic].presence_state()
