"""No API key or access token in any log record or reported error of a whole client scenario.

The scenario runs at DEBUG for every logger (the WebSocket library's included): connect, join,
broadcast, a token refresh through ``set_auth``, a reconnect after the server drops the socket,
a refused join and a refused connection. Then every record, formatted with its traceback, and
every error given to ``on_error`` is searched for the secrets and for anything shaped like a JWT.
"""

from __future__ import annotations

import asyncio
import logging

import pytest

from realtime_typed import ConnectionRefused, JoinError, RealtimeClient, SubscribeState
from realtime_typed.testing import LocalRealtimeServer


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def capture() -> object:
    handler = _Capture()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


async def test_no_secret_in_any_log_line(capture: _Capture) -> None:
    errors: list[BaseException] = []
    async with LocalRealtimeServer() as server:
        first = server.make_token(role="authenticated", sub="user-1")
        second = server.make_token(role="authenticated", sub="user-2")
        rejoined = asyncio.Event()

        def on_state(state: SubscribeState, error: Exception | None) -> None:
            if state is SubscribeState.SUBSCRIBED and second_token_sent.is_set():
                rejoined.set()

        second_token_sent = asyncio.Event()
        async with RealtimeClient(
            server.url,
            apikey=server.anon_key,
            access_token=first,
            reconnect_after=lambda tries: 0.05,
            rejoin_after=lambda tries: 0.05,
        ) as client:
            client.on_error(errors.append)
            channel = client.channel("room:secrets", broadcast_self=True, broadcast_ack=True)
            await channel.subscribe(on_state)
            await channel.send_broadcast("ping", {"n": 1})
            await client.set_auth(second)
            second_token_sent.set()
            await server.disconnect_all()
            await asyncio.wait_for(rejoined.wait(), 10)
            with pytest.raises(JoinError):
                await client.channel("elsewhere", private=True).subscribe(timeout=5)

        with pytest.raises(ConnectionRefused) as refused:
            async with RealtimeClient(server.url, apikey=server.make_token(expires_in=-60)):
                pass
        errors.append(refused.value)
        secrets = [server.anon_key, server.service_key, server.jwt_secret, first, second]

    text = "\n".join(capture.lines + [repr(error) + str(error) for error in errors])
    assert any(line.startswith("websockets.client") for line in capture.lines)
    for secret in secrets:
        assert secret not in text
    assert "eyJ" not in text
