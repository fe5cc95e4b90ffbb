"""The official clients talking to each other through the local server, across vsn.

realtime-js on vsn 2.0.0 sends every broadcast as a binary user-broadcast frame; the official
Python client speaks only vsn 1.0.0 JSON. The server has to carry each to the other.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import pytest

from realtime_typed.protocol.frames import Vsn
from realtime_typed.testing import LocalRealtimeServer

from .js_peer import JsPeer
from .official_peer import OfficialPeer
from .peer import Received

pytestmark = pytest.mark.peers

TOPIC = "room:official"


@pytest.fixture(params=["1.0.0", "2.0.0"], ids=["js-v1", "js-v2"])
async def js_and_python(
    realtime_server: LocalRealtimeServer, request: pytest.FixtureRequest
) -> AsyncGenerator[tuple[JsPeer, OfficialPeer]]:
    """realtime-js on the given vsn and the official Python client, joined to ``TOPIC``."""
    vsn: Vsn = request.param
    async with (
        JsPeer.open(realtime_server.url, realtime_server.anon_key, vsn) as js,
        OfficialPeer.open(realtime_server.url, realtime_server.anon_key) as python,
    ):
        await js.join(TOPIC)
        await python.join(TOPIC)
        yield js, python


async def test_realtime_js_and_realtime_py_exchange_broadcasts(
    js_and_python: tuple[JsPeer, OfficialPeer],
) -> None:
    js, python = js_and_python

    await js.send(TOPIC, "from-js", {"n": 1, "text": "ünïcode"})
    await python.send(TOPIC, "from-py", {"n": 2, "list": [1, None, True]})

    heard_by_python = await python.broadcasts.take(lambda message: True)
    heard_by_js = await js.broadcasts.take(lambda message: True)
    assert heard_by_python == Received(TOPIC, "from-js", {"n": 1, "text": "ünïcode"})
    assert heard_by_js == Received(TOPIC, "from-py", {"n": 2, "list": [1, None, True]})
