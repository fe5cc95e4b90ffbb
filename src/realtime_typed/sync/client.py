"""The blocking ``RealtimeClient``: the async client on a private event-loop thread.

Nothing of the protocol is implemented twice: each call runs the async client's own method on
its loop (:mod:`realtime_typed.sync.loop`) and waits for it, so the options, typed keys,
change objects, errors and reliability are the async client's. Broadcasts use the async
client's own pieces too, but a broadcast without ack is handed to the loop without waiting
for it (:mod:`realtime_typed.sync.sender`). Plain callbacks run on the client's delivery
thread, ``realtime-delivery`` (:mod:`realtime_typed.sync.delivery`), never on the caller's
thread nor on the loop. Any number of threads may call at once, including threads
that run an event loop of their own (a notebook).

``close()`` (or leaving the ``with`` block) closes the socket and ends both threads. A client
never closed is closed when it is garbage-collected, or at interpreter exit.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import Counter
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Self, TypeVar, Unpack, overload

from pydantic import BaseModel, JsonValue

from realtime_typed.client.channel import Channel as AsyncChannel
from realtime_typed.client.client import (
    AccessToken,
    ConnectionState,
    HeartbeatCallback,
    TokenProvider,
)
from realtime_typed.client.client import RealtimeClient as AsyncRealtimeClient
from realtime_typed.client.listeners import is_async_callable
from realtime_typed.client.options import ClientOptions
from realtime_typed.client.persist import BroadcastReplay
from realtime_typed.client.supabase import SupabaseClient
from realtime_typed.errors import ConnectionError, PushTimeout
from realtime_typed.protocol.events import LeaveOutcome
from realtime_typed.protocol.frames import Vsn
from realtime_typed.sync.channel import Channel
from realtime_typed.sync.runtime import Runtime
from realtime_typed.typed import PresenceSpec

__all__ = ["RealtimeClient"]

ModelT = TypeVar("ModelT", bound=BaseModel)


def _off_the_loop(access_token: AccessToken) -> AccessToken:
    """A plain token provider made to run on a worker thread: it may block (an HTTP call)."""
    if access_token is None or isinstance(access_token, str) or is_async_callable(access_token):
        return access_token
    provider: TokenProvider = access_token

    async def in_a_thread() -> str | None:
        token = await asyncio.to_thread(provider)
        if token is None or isinstance(token, str):
            return token
        return await token

    return in_a_thread


class RealtimeClient:
    """A blocking connection to Supabase Realtime (or the local server) and its channels.

    Takes the async :class:`realtime_typed.RealtimeClient`'s arguments. A plain
    ``access_token`` provider runs on a worker thread (it may block); callbacks run on the
    client's delivery thread.
    """

    runtime: Runtime
    _wrappers: weakref.WeakValueDictionary[str, Channel[Any]]

    def __init__(
        self,
        url: str,
        *,
        apikey: str,
        access_token: AccessToken = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        client = AsyncRealtimeClient(
            url, apikey=apikey, access_token=_off_the_loop(access_token), **options
        )
        self._start(client)

    @classmethod
    def from_supabase(
        cls, supabase_client: SupabaseClient, **options: Unpack[ClientOptions]
    ) -> Self:
        """A blocking client for the Realtime of a supabase-py ``Client`` or ``AsyncClient``.

        The URL and the API key are the supabase-py client's, and the access token follows its
        auth session through sign-in, refresh and sign-out (see
        :meth:`realtime_typed.RealtimeClient.from_supabase`).
        """
        return cls._adopt(AsyncRealtimeClient.from_supabase(supabase_client, **options))

    def _start(self, client: AsyncRealtimeClient) -> None:
        runtime = Runtime(client)
        self.runtime = runtime
        self._wrappers = weakref.WeakValueDictionary()
        self._finalizer = weakref.finalize(self, runtime.shutdown, client.timeout)

    @classmethod
    def _adopt(cls, client: AsyncRealtimeClient) -> Self:
        """A blocking client over ``client``, a new async client not connected yet."""
        blocking = cls.__new__(cls)
        blocking._start(client)
        return blocking

    def __repr__(self) -> str:
        state = "closed" if self.runtime.closed else "open"
        return f"<sync RealtimeClient {state}, {len(self.channels)} channels>"

    # ------------------------------------------------------------------ context manager

    def __enter__(self) -> Self:
        self.connect()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ properties

    @property
    def async_client(self) -> AsyncRealtimeClient:
        """The async client underneath (use it only on :attr:`loop`)."""
        return self.runtime.client

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The client's private event loop, for ``asyncio.run_coroutine_threadsafe``."""
        return self.runtime.loop.loop

    @property
    def channels(self) -> list[Channel[Any]]:
        """The channels not closed yet."""
        if self.runtime.closed:
            return []
        return [self._wrap(channel) for channel in self.runtime.loop.run(self._async_channels)]

    def _async_channels(self) -> list[AsyncChannel[Any]]:
        return self.runtime.client.channels

    @property
    def vsn(self) -> Vsn:
        """The serializer version of the socket."""
        return self.runtime.client.vsn

    @property
    def is_connected(self) -> bool:
        """Whether the socket is open."""
        return self.runtime.client.is_connected

    @property
    def connection_state(self) -> ConnectionState:
        """``connecting``, ``open``, ``closing`` or ``closed`` (see the async client's)."""
        return self.runtime.client.connection_state

    @property
    def endpoint_url(self) -> str:
        """The WebSocket URL the client connects to, query included (it carries the API key)."""
        return self.runtime.client.endpoint_url

    @property
    def http_endpoint_url(self) -> str:
        """The REST broadcast URL (``.../api/broadcast``), query included."""
        return self.runtime.client.http_endpoint_url

    @property
    def timeout(self) -> float:
        """Seconds to wait for join, leave and push replies."""
        return self.runtime.client.timeout

    @property
    def logger(self) -> logging.Logger:
        """Where the client logs."""
        return self.runtime.client.logger

    @property
    def dropped(self) -> Counter[str]:
        """Frames and callback calls not delivered, by reason (see the async client's)."""
        return self.runtime.client.dropped

    def _wrap(self, channel: AsyncChannel[Any]) -> Channel[Any]:
        wrapper = self._wrappers.get(channel.topic)
        if wrapper is None or wrapper.async_channel is not channel:
            wrapper = Channel(self.runtime, channel)
            self._wrappers[channel.topic] = wrapper
        return wrapper

    # ------------------------------------------------------------------ channels

    @overload
    def channel(
        self,
        topic: str,
        *,
        presence: PresenceSpec[ModelT],
        broadcast_self: bool = False,
        broadcast_ack: bool = False,
        presence_key: str = "",
        presence_enabled: bool | None = None,
        private: bool = False,
        broadcast_replay: BroadcastReplay | None = None,
        replication_ready: bool = False,
        postgres_changes_wait: bool = False,
        postgres_changes_timeout: float | None = None,
        join_payload: Mapping[str, JsonValue] | None = None,
        broadcast_rest_fallback: bool = False,
    ) -> Channel[ModelT]: ...
    @overload
    def channel(
        self,
        topic: str,
        *,
        presence: None = None,
        broadcast_self: bool = False,
        broadcast_ack: bool = False,
        presence_key: str = "",
        presence_enabled: bool | None = None,
        private: bool = False,
        broadcast_replay: BroadcastReplay | None = None,
        replication_ready: bool = False,
        postgres_changes_wait: bool = False,
        postgres_changes_timeout: float | None = None,
        join_payload: Mapping[str, JsonValue] | None = None,
        broadcast_rest_fallback: bool = False,
    ) -> Channel[dict[str, JsonValue]]: ...
    def channel(
        self,
        topic: str,
        *,
        presence: PresenceSpec[Any] | None = None,
        broadcast_self: bool = False,
        broadcast_ack: bool = False,
        presence_key: str = "",
        presence_enabled: bool | None = None,
        private: bool = False,
        broadcast_replay: BroadcastReplay | None = None,
        replication_ready: bool = False,
        postgres_changes_wait: bool = False,
        postgres_changes_timeout: float | None = None,
        join_payload: Mapping[str, JsonValue] | None = None,
        broadcast_rest_fallback: bool = False,
    ) -> Channel[Any]:
        """The channel for ``topic`` (``realtime:`` is prefixed), created if needed; the
        options are the async client's (see :meth:`realtime_typed.RealtimeClient.channel`).

        With ``postgres_changes_wait=True`` a blocking :meth:`Channel.subscribe` returns only
        once the server's Postgres-changes subscription is live.
        """
        client = self.runtime.client

        def make() -> AsyncChannel[Any]:
            return client.channel(
                topic,
                presence=presence,
                broadcast_self=broadcast_self,
                broadcast_ack=broadcast_ack,
                presence_key=presence_key,
                presence_enabled=presence_enabled,
                private=private,
                broadcast_replay=broadcast_replay,
                replication_ready=replication_ready,
                postgres_changes_wait=postgres_changes_wait,
                postgres_changes_timeout=postgres_changes_timeout,
                join_payload=join_payload,
                broadcast_rest_fallback=broadcast_rest_fallback,
            )

        return self._wrap(self.runtime.loop.run(make))

    def remove_channel(
        self, channel: Channel[Any], *, timeout: float | None = None
    ) -> LeaveOutcome:
        """Unsubscribe ``channel`` and forget it; blocks until it is closed and returns how the
        leave ended."""
        return channel.unsubscribe(timeout=timeout)

    def remove_all_channels(self, *, timeout: float | None = None) -> list[LeaveOutcome]:
        """Unsubscribe every channel and close the socket (the client may connect again);
        returns the outcome of each leave."""
        return self.runtime.loop.call(
            self.runtime.client.remove_all_channels(),
            timeout,
            lambda: PushTimeout(f"channels not all removed within {timeout} s"),
            "remove_all_channels()",
        )

    # ------------------------------------------------------------------ callbacks

    def on_error(self, callback: Callable[[Exception], object]) -> None:
        """Call ``callback(error)`` (on the delivery thread) for every problem reported in the
        background, failing callbacks included."""
        self.runtime.delivery.error_callbacks.append(callback)
        wrapped = self.runtime.delivery.wrap_one(callback, "on_error")
        self.runtime.loop.run(lambda: self.runtime.client.on_error(wrapped))

    def on_heartbeat(self, callback: HeartbeatCallback) -> None:
        """Call ``callback(status, latency)`` (on the delivery thread) for every heartbeat."""
        wrapped = self.runtime.delivery.wrap(callback, "on_heartbeat")
        self.runtime.loop.run(lambda: self.runtime.client.on_heartbeat(wrapped))

    # ------------------------------------------------------------------ connection

    def set_auth(self, token: str | None, *, timeout: float | None = None) -> None:
        """Use ``token`` from now on; joined channels are told at once."""
        self.runtime.loop.call(
            self.runtime.client.set_auth(token),
            timeout,
            lambda: PushTimeout(f"the token was not sent within {timeout} s"),
            "set_auth()",
        )

    def connect(self, *, timeout: float | None = None) -> None:
        """Open the socket (a no-op when already started); blocks until open.

        The first attempt's failure raises; later losses are retried in the background.
        """
        self.runtime.loop.call(
            self.runtime.client.connect(),
            timeout,
            lambda: ConnectionError(f"no connection within {timeout} s"),
            "connect()",
        )

    def send_heartbeat(self) -> None:
        """Send a heartbeat now (see the async client's)."""
        self.runtime.loop.run(self.runtime.client.send_heartbeat)

    def disconnect(
        self, code: int = 1000, reason: str = "", *, timeout: float | None = None
    ) -> None:
        """Close the socket with a close ``code`` and ``reason``, keeping the channels and the
        client's threads: channels rejoin on :meth:`connect`. :meth:`close` ends the client."""
        self.runtime.loop.call(
            self.runtime.client.disconnect(code, reason),
            timeout,
            lambda: ConnectionError(f"the socket did not close within {timeout} s"),
            "disconnect()",
        )

    def close(self, *, timeout: float | None = None) -> None:
        """Close the socket, stop every task and end the client's threads (idempotent).

        Callbacks already queued are delivered first. ``timeout`` (the client's ``timeout``
        by default) bounds each step. A closed client cannot be used again.
        """
        if timeout is None or timeout == self.runtime.timeout:
            self._finalizer()
        else:
            self._finalizer.detach()
            self.runtime.shutdown(timeout)
