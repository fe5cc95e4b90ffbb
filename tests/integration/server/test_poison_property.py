"""Property: whatever one client sends (frames, tokens, REST bodies), the other clients of the
server keep their heartbeats, broadcasts and presence, over real sockets."""

from __future__ import annotations

import asyncio
import json
import logging

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.exceptions import InvalidStatus

from realtime_typed.protocol.frames import Frame, decode_server_frame
from realtime_typed.testing import LocalRealtimeServer

from .test_poison import POISON_CLAIMS, POISON_FRAMES, REST_POISON, TOPIC, signed
from .wire import RawClient, config, open_client

Poison = tuple[str, str | bytes]

_json_text = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
).map(repr)
_frames = st.one_of(
    st.sampled_from(list(POISON_FRAMES.values())),
    st.text(max_size=200),
    st.binary(max_size=200),
    _json_text.map(lambda text: f'["1","2","{TOPIC}","broadcast",{text}]'),
    st.sampled_from([b"\x03", b"\x03\xff\xff\xff\xff\xff\x01", b"\x00\x01", "[]", "{}", "null"]),
)
_poison: st.SearchStrategy[Poison] = st.one_of(
    _frames.map(lambda frame: ("frame", frame)),
    st.sampled_from(list(POISON_CLAIMS.values())).map(lambda claims: ("token", claims)),
    st.one_of(st.sampled_from(list(REST_POISON.values())), st.binary(max_size=100)).map(
        lambda body: ("rest", body)
    ),
)


def _refuse_constant(name: str) -> object:
    raise AssertionError(f"{name} relayed")


async def _next_valid(client: RawClient, event: str) -> Frame:
    """The next frame of ``event``, skipping what the poisoner validly broadcast; every frame
    on the way must be strict JSON (UTF-8, no NaN or Infinity)."""
    while True:
        raw = await client.recv_raw()
        if isinstance(raw, str):
            json.loads(raw.encode("utf-8"), parse_constant=_refuse_constant)
        frame = decode_server_frame(raw, client.vsn)
        if frame.event == event:
            return frame
        assert frame.event == "broadcast", frame


async def _check_peers(watcher: RawClient, speaker: RawClient, n: int) -> None:
    ref = await watcher.push("phoenix", "heartbeat", {})
    assert (await _next_valid(watcher, "phx_reply")).ref == ref
    message = {"type": "broadcast", "event": "e", "payload": {"n": n}}
    await speaker.send(Frame("1", None, TOPIC, "broadcast", message))
    while (await _next_valid(watcher, "broadcast")).payload != message:
        pass
    track = {"type": "presence", "event": "track", "payload": {"n": n}}
    await speaker.push(TOPIC, "presence", track, "1")
    assert (await _next_valid(speaker, "phx_reply")).payload["status"] == "ok"
    for client in (watcher, speaker):
        diff = await _next_valid(client, "presence_diff")
        assert diff.payload["joins"]["speaker"]["metas"][0]["n"] == n


async def _scenario(poisons: list[Poison]) -> None:
    async with (
        LocalRealtimeServer() as server,
        httpx.AsyncClient(base_url=server.http_url) as http,
        open_client(server) as poisoner,
        open_client(server) as watcher,
        open_client(server) as speaker,
    ):
        await poisoner.joined(TOPIC, config(presence=True))
        await watcher.joined(TOPIC, config(presence=True))
        await watcher.expect("presence_state", TOPIC)
        await speaker.joined(TOPIC, config(presence=True, key="speaker"))
        await speaker.expect("presence_state", TOPIC)
        for n, (kind, poison) in enumerate(poisons):
            if kind == "frame":
                await poisoner.send_raw(poison)
            elif kind == "token":
                assert isinstance(poison, str)
                token = signed(server.jwt_secret, poison)
                with pytest.raises(InvalidStatus):
                    async with open_client(server, apikey=token):
                        pass
            else:
                headers = {"apikey": server.anon_key, "Content-Type": "application/json"}
                response = await http.post("/api/broadcast", content=poison, headers=headers)
                assert response.status_code < 500
            await _check_peers(watcher, speaker, n)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_poison, min_size=1, max_size=4))
def test_one_poisoner_never_disturbs_the_others(poisons: list[Poison]) -> None:
    handler = _Records()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        asyncio.run(_scenario(poisons))
    finally:
        root.removeHandler(handler)
    assert not [
        record
        for record in handler.records
        if record.exc_info and record.levelno >= logging.WARNING
    ]
