"""A swarm: several realtime-typed clients on one topic of a local server, driven by ops.

Every client connects with its own API key, so the server-side session of each one can be
found (to drop just that socket). :meth:`Swarm.settle` waits, on presence and state callbacks
rather than on a clock, until every client's ``presence_state()`` equals the server tracker's
state and that state is the one the operations imply.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from pydantic import BaseModel, JsonValue

from realtime_typed import Channel, PresenceSpec, RealtimeClient
from realtime_typed.errors import RealtimeError
from realtime_typed.protocol.channel_state import ChannelState
from realtime_typed.protocol.frames import Vsn
from realtime_typed.testing import LocalRealtimeServer

from .ops import Drop, DropAll, Op, Rejoin, Track, Untrack, expected_state

__all__ = ["TYPED", "UNTYPED", "Flavor", "Member", "Swarm"]

MetaT = TypeVar("MetaT")

ROOM = "room"
TRACKER_TOPIC = "public:" + ROOM
SETTLE_TIMEOUT = 10.0
"""Seconds the swarm may take to converge before the test fails."""
JOIN_ATTEMPTS = 5

Snapshot = dict[str, list[str]]
"""Key -> the sorted canonical JSON of its metas."""


def _fast(attempt: int) -> float:
    return 0.01


def _canonical(fields: dict[str, Any]) -> str:
    return json.dumps(fields, sort_keys=True, ensure_ascii=False)


class Member(BaseModel):
    """The presence meta of the typed flavor."""

    n: int
    label: str


@dataclass(frozen=True)
class Flavor(Generic[MetaT]):
    """How a swarm opens its channels and reads their metas (untyped dicts or a model)."""

    open: Callable[[RealtimeClient, str], Channel[MetaT]]
    make: Callable[[int, str], MetaT]
    fields: Callable[[MetaT], dict[str, Any]]
    refs: bool
    """Whether metas expose ``presence_ref`` (untyped) to compare with the server's ``phx_ref``."""


def _untyped_channel(client: RealtimeClient, key: str) -> Channel[dict[str, JsonValue]]:
    return client.channel(ROOM, presence_key=key)


def _typed_channel(client: RealtimeClient, key: str) -> Channel[Member]:
    return client.channel(ROOM, presence=PresenceSpec(Member), presence_key=key)


def _untyped_meta(n: int, label: str) -> dict[str, JsonValue]:
    return {"n": n, "label": label}


def _typed_meta(n: int, label: str) -> Member:
    return Member(n=n, label=label)


def _typed_fields(meta: Member) -> dict[str, Any]:
    assert isinstance(meta, Member)
    return meta.model_dump()


UNTYPED: Flavor[dict[str, JsonValue]] = Flavor(_untyped_channel, _untyped_meta, dict, refs=True)
TYPED: Flavor[Member] = Flavor(_typed_channel, _typed_meta, _typed_fields, refs=False)


@dataclass
class _Client(Generic[MetaT]):
    key: str
    apikey: str
    client: RealtimeClient
    channel: Channel[MetaT] | None = None


class Swarm(Generic[MetaT]):
    """Clients ``0..len(keys)-1`` on topic ``room``, client ``i`` present under ``keys[i]``."""

    def __init__(
        self,
        server: LocalRealtimeServer,
        flavor: Flavor[MetaT],
        keys: Sequence[str],
        vsn: Vsn = "2.0.0",
    ) -> None:
        self.server = server
        self.flavor = flavor
        self.keys = list(keys)
        self.applied: list[Op] = []
        self._changed = asyncio.Event()
        self._clients: list[_Client[MetaT]] = []
        for index, key in enumerate(keys):
            apikey = server.make_token("anon", swarm_client=index)
            client = RealtimeClient(
                server.url,
                apikey=apikey,
                vsn=vsn,
                reconnect_after=_fast,
                rejoin_after=_fast,
            )
            self._clients.append(_Client(key, apikey, client))

    async def __aenter__(self) -> Self:
        for member in self._clients:
            await member.client.connect()
            await self._join(member)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for member in self._clients:
            await member.client.close()

    # ------------------------------------------------------------------ driving

    def _poke(self, *_: object) -> None:
        self._changed.set()

    async def _join(self, member: _Client[MetaT]) -> None:
        """Open a channel and join it; a first join cut short by a dropped socket is retried."""
        for _ in range(JOIN_ATTEMPTS):
            channel = self.flavor.open(member.client, member.key)
            channel.on_presence_sync(self._poke)
            member.channel = channel
            try:
                await channel.subscribe(self._poke)
            except RealtimeError:
                continue
            return
        raise AssertionError(f"client {member.key!r} could not join {ROOM}")

    def channel(self, index: int) -> Channel[MetaT]:
        """Client ``index``'s current channel."""
        channel = self._clients[index].channel
        assert channel is not None
        return channel

    async def apply(self, op: Op) -> None:
        """Apply one operation."""
        self.applied.append(op)
        if isinstance(op, Track):
            await self.channel(op.client).track(self.flavor.make(op.n, op.label))
        elif isinstance(op, Untrack):
            await self.channel(op.client).untrack()
        elif isinstance(op, Drop):
            self._drop(self._clients[op.client].apikey, abrupt=op.abrupt)
        elif isinstance(op, DropAll):
            if op.abrupt:
                await self.server.faults.drop_all()
            else:
                await self.server.disconnect_all()
        else:
            await self._rejoin(op)

    async def _rejoin(self, op: Rejoin) -> None:
        member = self._clients[op.client]
        await self.channel(op.client).unsubscribe()
        await self._join(member)

    def _drop(self, apikey: str, *, abrupt: bool) -> None:
        for session in list(self.server.state.sessions):
            if session.token != apikey:
                continue
            if abrupt:
                sock: socket.socket | None = session.ws.get_extra_info("socket")
                if sock is not None:
                    with contextlib.suppress(OSError):  # already closed: nothing to cut
                        sock.shutdown(socket.SHUT_RDWR)
            else:
                session.disconnect()

    # ------------------------------------------------------------------ observing

    def server_snapshot(self, *, refs: bool) -> Snapshot:
        """The tracker's state of the topic, each meta as the clients show it."""
        state: dict[str, dict[str, list[dict[str, Any]]]] = self.server.state.presence.state(
            TRACKER_TOPIC
        )
        snapshot: Snapshot = {}
        for key, group in state.items():
            metas: list[str] = []
            for meta in group["metas"]:
                fields = {k: v for k, v in meta.items() if k not in ("phx_ref", "phx_ref_prev")}
                if refs:
                    fields["presence_ref"] = meta["phx_ref"]
                metas.append(_canonical(fields))
            snapshot[key] = sorted(metas)
        return snapshot

    def client_snapshot(self, index: int) -> Snapshot:
        """Client ``index``'s ``presence_state()``."""
        fields = self.flavor.fields
        return {
            key: sorted(_canonical(fields(meta)) for meta in metas)
            for key, metas in self.channel(index).presence_state().items()
        }

    def expected_snapshot(self) -> Snapshot:
        """The state the applied operations imply (no refs)."""
        return {
            key: sorted(_canonical({"n": n, "label": label}) for n, label in metas)
            for key, metas in expected_state(self.keys, self.applied).items()
        }

    def _settled(self) -> bool:
        if self.server_snapshot(refs=False) != self.expected_snapshot():
            return False
        server = self.server_snapshot(refs=self.flavor.refs)
        return all(
            self.channel(index).state is ChannelState.JOINED
            and self.client_snapshot(index) == server
            for index in range(len(self._clients))
        )

    def describe(self) -> str:
        """Every state, for a failure message."""
        lines = [
            f"ops: {self.applied}",
            f"expected: {self.expected_snapshot()}",
            f"server: {self.server_snapshot(refs=self.flavor.refs)}",
        ]
        for index in range(len(self._clients)):
            channel = self.channel(index)
            lines.append(f"client {index} ({channel.state.value}): {self.client_snapshot(index)}")
        return "\n".join(lines)

    async def settle(self) -> None:
        """Wait until every client shows the server's state and the server the expected one."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_TIMEOUT
        while not self._settled():
            self._changed.clear()
            try:
                async with asyncio.timeout_at(deadline):
                    await self._changed.wait()
            except TimeoutError:
                raise AssertionError(f"presence did not converge\n{self.describe()}") from None
