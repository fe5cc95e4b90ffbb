"""The official Python client, ``realtime`` from PyPI, as a peer (it speaks only vsn 1.0.0)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Sequence
from contextlib import asynccontextmanager
from importlib.metadata import version
from typing import Any

from pydantic import TypeAdapter
from realtime import (
    AsyncRealtimeChannel,
    AsyncRealtimeClient,
    RealtimePostgresChangesListenEvent,
    RealtimeSubscribeStates,
)
from realtime.message import SuccessSystemPayload

from .inbox import Inbox
from .peer import Binding, Change, JsonObject, PresenceState, Received, StateChange

_PRESENCE_STATE = TypeAdapter(dict[str, list[JsonObject]])
_RECORD = TypeAdapter(JsonObject | None)


class OfficialPeer:
    """An ``AsyncRealtimeClient`` with one channel per joined topic.

    Every raw ``postgres_changes`` payload (with its ``ids``) is kept in :attr:`raw_changes`,
    and every subscribe state of every channel in :attr:`states`.
    """

    def __init__(self, client: AsyncRealtimeClient) -> None:
        self.name = f"realtime-py {version('realtime')} vsn 1.0.0"
        self.broadcasts: Inbox[Received] = Inbox(f"{self.name} broadcasts")
        self.presence_syncs: Inbox[str] = Inbox(f"{self.name} presence syncs")
        self.changes: Inbox[Change] = Inbox(f"{self.name} postgres changes")
        self.states: Inbox[StateChange] = Inbox(f"{self.name} states")
        self.raw_changes: list[Any] = []
        self._client = client
        self._channels: dict[str, AsyncRealtimeChannel] = {}

    @classmethod
    @asynccontextmanager
    async def open(
        cls,
        url: str,
        apikey: str,
        *,
        token: str | None = None,
        auto_reconnect: bool = False,
        initial_backoff: float = 1.0,
    ) -> AsyncGenerator[OfficialPeer]:
        """Connect to ``url`` with ``apikey`` (joins carry ``token`` if given, else the apikey;
        reconnects only with ``auto_reconnect``, first after ``initial_backoff`` s); close on
        the way out."""
        client = AsyncRealtimeClient(
            url, token=apikey, auto_reconnect=auto_reconnect, initial_backoff=initial_backoff
        )
        await client.connect()
        if token is not None:
            await client.set_auth(token)
        try:
            yield cls(client)
        finally:
            await client.close()

    async def join(
        self,
        topic: str,
        *,
        presence_key: str | None = None,
        bindings: Sequence[Binding] = (),
        private: bool = False,
    ) -> None:
        """Join and fail unless the join is acknowledged; with bindings, also wait until the
        server says the Postgres subscription is live."""
        notices: Inbox[SuccessSystemPayload] = Inbox(f"{self.name} system on {topic}")
        state, error = await self.subscribe(
            topic,
            presence_key=presence_key,
            bindings=bindings,
            on_system=notices.put,
            private=private,
        )
        assert state == RealtimeSubscribeStates.SUBSCRIBED, f"{self.name} join: {state} {error}"
        if bindings:
            await notices.take(lambda notice: notice.extension == "postgres_changes")

    async def subscribe(
        self,
        topic: str,
        *,
        presence_key: str | None = None,
        bindings: Sequence[Binding] = (),
        on_system: Callable[[SuccessSystemPayload], None] | None = None,
        private: bool = False,
    ) -> tuple[RealtimeSubscribeStates, Exception | None]:
        """Join and return the first subscribe state the client reports, with its error."""
        channel = self._client.channel(
            topic,
            {
                "config": {
                    "broadcast": {"ack": True, "self": False},
                    "presence": {"key": presence_key or "", "enabled": presence_key is not None},
                    "private": private,
                }
            },
        )
        channel.on_broadcast(
            "*",
            lambda message: self.broadcasts.put(
                Received(topic, message["event"], message["payload"])
            ),
        )
        if presence_key is not None:
            channel.on_presence_sync(lambda: self.presence_syncs.put(topic))
        for binding in bindings:
            self._listen(channel, binding)
        if on_system is not None:
            channel.on_system(on_system)
        outcomes: Inbox[tuple[RealtimeSubscribeStates, Exception | None]] = Inbox(
            f"{self.name} join of {topic}"
        )

        def on_state(state: RealtimeSubscribeStates, error: Exception | None) -> None:
            outcomes.put((state, error))
            self.states.put(StateChange(topic, state.value, None if error is None else str(error)))

        await channel.subscribe(on_state)
        self._channels[topic] = channel
        return await outcomes.take(lambda _outcome: True)

    def _listen(self, channel: AsyncRealtimeChannel, binding: Binding) -> None:
        def on_change(payload: Any) -> None:
            self.raw_changes.append(payload)
            data = payload["data"]
            self.changes.put(
                Change(
                    binding.label,
                    RealtimePostgresChangesListenEvent(data["type"]).value,
                    _RECORD.validate_python(data.get("record")),
                    _RECORD.validate_python(data.get("old_record")),
                )
            )

        channel.on_postgres_changes(
            RealtimePostgresChangesListenEvent(binding.event),
            on_change,
            table=binding.table,
            schema=binding.schema,
            filter=binding.filter,
        )

    def channel(self, topic: str) -> AsyncRealtimeChannel:
        """The joined channel of ``topic``."""
        return self._channels[topic]

    async def http_send(
        self, topic: str, event: str, payload: JsonObject, *, private: bool = False
    ) -> None:
        """Broadcast through the REST endpoint (``http_send``) from a channel never joined
        (left in place: ``remove_channel`` would close the client with its last channel);
        raises ``RealtimeHTTPError`` unless the server accepts it."""
        channel = self._client.channel(
            topic, {"config": {"broadcast": None, "presence": None, "private": private}}
        )
        await channel.http_send(event, payload)

    async def send(self, topic: str, event: str, payload: JsonObject) -> None:
        """Broadcast over the socket (this client cannot observe the ack)."""
        await self._channels[topic].send_broadcast(event, payload)

    async def track(self, topic: str, meta: JsonObject) -> None:
        """Track; this client does not wait for the server's reply."""
        await self._channels[topic].track(meta)

    async def untrack(self, topic: str) -> None:
        """Untrack; this client does not wait for the server's reply."""
        await self._channels[topic].untrack()

    async def presence_state(self, topic: str) -> PresenceState:
        """The client's presence state as plain JSON."""
        return _PRESENCE_STATE.validate_python(self._channels[topic].presence_state())
