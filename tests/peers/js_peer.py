"""``@supabase/realtime-js`` as a peer: a Node process (``js/peer.mjs``) driven by JSON lines."""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
from collections.abc import AsyncGenerator, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import asdict
from pathlib import Path

import pytest
from pydantic import JsonValue, TypeAdapter

from realtime_typed.protocol.frames import Frame, Vsn, decode_server_frame

from .inbox import WAIT_SECONDS, Inbox
from .peer import Binding, Change, JsonObject, PresenceState, Received

JS_DIR = Path(__file__).parent / "js"
PACKAGE_DIR = JS_DIR / "node_modules" / "@supabase" / "realtime-js"
NODE_22 = Path(__file__).parent / "node" / "node_modules" / ".bin" / "node"
"""Node.js 22 from npm's ``node`` package (``npm ci`` in ``tests/peers/node``): realtime-js
2.119.1 requires node >=22, more than Debian's or most machines' Node.js."""


def node() -> str:
    """The Node.js to run the peer with: Node 22 when installed, else ``node`` on PATH."""
    if NODE_22.exists():
        return str(NODE_22)
    found = shutil.which("node")
    if found is None:
        pytest.fail(
            "Node.js is not installed: run `npm ci` in tests/peers/node (or `nox -s peers`)"
        )
    return found


_LINE = TypeAdapter(dict[str, JsonValue])
_PRESENCE_STATE = TypeAdapter(dict[str, list[JsonObject]])
_RECORD = TypeAdapter(JsonObject)


def realtime_js_version() -> str:
    """The installed realtime-js version; fails the test with a hint when it is missing."""
    node()
    manifest = PACKAGE_DIR / "package.json"
    if not manifest.exists():
        pytest.fail(f"realtime-js is not installed: run `npm ci` in {JS_DIR} (or `nox -s peers`)")
    version = json.loads(manifest.read_text())["version"]
    assert isinstance(version, str)
    return version


class JsPeer:
    """A running ``peer.mjs``: commands go to its stdin, replies and events come from stdout.

    Every event is kept in :attr:`events` and raw socket frames in :attr:`frames` (the
    peer traces them), so a disagreement can be reported frame by frame.
    """

    def __init__(self, process: asyncio.subprocess.Process, vsn: Vsn) -> None:
        self.name = f"realtime-js {realtime_js_version()} vsn {vsn}"
        self.broadcasts: Inbox[Received] = Inbox(f"{self.name} broadcasts")
        self.presence_syncs: Inbox[str] = Inbox(f"{self.name} presence syncs")
        self.changes: Inbox[Change] = Inbox(f"{self.name} postgres changes")
        self.events: Inbox[JsonObject] = Inbox(f"{self.name} events")
        self.frames: Inbox[JsonObject] = Inbox(f"{self.name} frames")
        self._process = process
        self.vsn: Vsn = vsn
        self._ids = itertools.count(1)
        self._replies: dict[int, asyncio.Future[JsonObject]] = {}
        self._stderr = b""

    @classmethod
    @asynccontextmanager
    async def open(
        cls,
        url: str,
        apikey: str,
        vsn: Vsn,
        *,
        token: str | None = None,
        heartbeat_ms: int | None = None,
    ) -> AsyncGenerator[JsPeer]:
        """Start Node, connect the client to ``url`` (joins carry ``token`` if given; heartbeats
        every ``heartbeat_ms`` if given); close it and reap Node on the way out."""
        realtime_js_version()
        process = await asyncio.create_subprocess_exec(
            node(),
            "peer.mjs",
            cwd=JS_DIR,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        peer = cls(process, vsn)
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(peer._read_stdout())
            tasks.create_task(peer._read_stderr())
            try:
                await peer.request(
                    "connect",
                    url=url,
                    apikey=apikey,
                    vsn=vsn,
                    token=token,
                    trace=True,
                    heartbeatIntervalMs=heartbeat_ms,
                )
                yield peer
            finally:
                await peer._shut_down()

    async def request(self, op: str, **args: JsonValue) -> JsonObject:
        """Run one command and return its reply; a command the peer failed raises."""
        request_id = next(self._ids)
        reply: asyncio.Future[JsonObject] = asyncio.get_running_loop().create_future()
        self._replies[request_id] = reply
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps({"id": request_id, "op": op, **args}).encode() + b"\n")
        await self._process.stdin.drain()
        try:
            answer = await asyncio.wait_for(reply, WAIT_SECONDS)
        except TimeoutError:
            raise AssertionError(
                f"{self.name}: no reply to {op}; stderr: {self._stderr!r}"
            ) from None
        assert answer.get("ok") is True, f"{self.name}: {op} failed: {answer.get('error')}"
        return answer

    async def join(
        self,
        topic: str,
        *,
        presence_key: str | None = None,
        bindings: Sequence[Binding] = (),
        private: bool = False,
    ) -> None:
        """Join and fail unless subscribed; with bindings, also wait until the server says the
        Postgres subscription is live."""
        status = await self.subscribe(
            topic, presence_key=presence_key, bindings=bindings, private=private
        )
        assert status["status"] == "SUBSCRIBED", f"{self.name} join: {status}"
        if bindings:
            await self.events.take(lambda event: _is_postgres_notice(event, topic))

    async def subscribe(
        self,
        topic: str,
        *,
        presence_key: str | None = None,
        bindings: Sequence[Binding] = (),
        private: bool = False,
    ) -> JsonObject:
        """Join and return the first status event: ``{"status", "error"}``."""
        await self.request(
            "join",
            topic=topic,
            config={
                "broadcast": {"ack": True, "self": False},
                "presence": {"key": presence_key or "", "enabled": presence_key is not None},
                "private": private,
            },
            presence=presence_key is not None,
            postgres=[
                {key: value for key, value in asdict(binding).items() if value is not None}
                for binding in bindings
            ],
        )
        return await self.events.take(
            lambda event: event["type"] == "status" and event["topic"] == topic
        )

    async def send(self, topic: str, event: str, payload: JsonObject) -> None:
        """Broadcast over the socket and require the server's ack."""
        reply = await self.request("send", topic=topic, event=event, payload=payload)
        assert reply["result"] == "ok", f"{self.name} send: {reply}"

    async def rest_send(
        self, topic: str, event: str, payload: JsonObject, *, private: bool, via: str
    ) -> JsonValue:
        """Broadcast over REST from a channel never joined, ``via`` ``httpSend`` or ``send``
        (its fallback when the channel cannot push); returns what the call resolved to."""
        reply = await self.request(
            "rest_send", topic=topic, event=event, payload=payload, private=private, via=via
        )
        return reply["result"]

    async def track(self, topic: str, meta: JsonObject) -> None:
        """Track and require the server's ok."""
        reply = await self.request("track", topic=topic, payload=meta)
        assert reply["result"] == "ok", f"{self.name} track: {reply}"

    async def untrack(self, topic: str) -> None:
        """Untrack and require the server's ok."""
        reply = await self.request("untrack", topic=topic)
        assert reply["result"] == "ok", f"{self.name} untrack: {reply}"

    async def presence_state(self, topic: str) -> PresenceState:
        """The client's ``presenceState()``."""
        reply = await self.request("presence_state", topic=topic)
        return _PRESENCE_STATE.validate_python(reply["state"])

    def inbound(self, event: str) -> list[Frame]:
        """The frames of ``event`` the server has sent this client so far, in arrival order."""
        frames = (self._decode(raw) for raw in self.frames.history if raw["dir"] == "in")
        return [frame for frame in frames if frame.event == event]

    async def next_inbound(self, event: str) -> Frame:
        """Wait for the next frame of ``event`` from the server."""
        raw = await self.frames.take(
            lambda raw: raw["dir"] == "in" and self._decode(raw).event == event
        )
        return self._decode(raw)

    def _decode(self, raw: JsonObject) -> Frame:
        if "text" in raw:
            return decode_server_frame(str(raw["text"]), self.vsn)
        return decode_server_frame(bytes.fromhex(str(raw["hex"])), self.vsn)

    async def _read_stdout(self) -> None:
        assert self._process.stdout is not None
        async for line in self._process.stdout:
            message = _LINE.validate_json(line)
            kind = message.get("type")
            if kind == "reply":
                request_id = message.get("id")
                if isinstance(request_id, int) and request_id in self._replies:
                    self._replies.pop(request_id).set_result(message)
            elif kind == "frame":
                self.frames.put(message)
            else:
                self._dispatch(message)
                self.events.put(message)

    def _dispatch(self, message: JsonObject) -> None:
        kind, topic = message["type"], message.get("topic")
        if kind == "broadcast":
            self.broadcasts.put(_received(message))
        elif kind == "presence" and message["kind"] == "sync" and isinstance(topic, str):
            self.presence_syncs.put(topic)
        elif kind == "postgres_changes":
            self.changes.put(_change(message))

    async def _read_stderr(self) -> None:
        assert self._process.stderr is not None
        async for line in self._process.stderr:
            self._stderr += line

    async def _shut_down(self) -> None:
        with suppress(AssertionError, ConnectionError):
            await self.request("close")
        try:
            await asyncio.wait_for(self._process.wait(), WAIT_SECONDS)
        except TimeoutError:
            self._process.kill()
            await self._process.wait()


def _received(message: JsonObject) -> Received:
    topic, event = message["topic"], message["event"]
    assert isinstance(topic, str) and isinstance(event, str)
    return Received(topic, event, message["payload"])


def _change(message: JsonObject) -> Change:
    """realtime-js hands over ``{eventType, new, old}``; ``{}`` stands for an absent record."""
    label, payload = message["label"], _RECORD.validate_python(message["payload"])
    kind, new, old = payload["eventType"], payload["new"], payload["old"]
    assert isinstance(label, str) and isinstance(kind, str)
    return Change(
        label,
        kind,
        _RECORD.validate_python(new) if kind in ("INSERT", "UPDATE") else None,
        _RECORD.validate_python(old) if kind in ("UPDATE", "DELETE") else None,
    )


def _is_postgres_notice(event: JsonObject, topic: str) -> bool:
    payload = event.get("payload")
    return (
        event["type"] == "system"
        and event["topic"] == topic
        and isinstance(payload, dict)
        and payload.get("extension") == "postgres_changes"
    )
