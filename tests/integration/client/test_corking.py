"""``BurstCork`` on a real TCP socket: a second write in a loop turn corks it till the turn ends."""

from __future__ import annotations

import asyncio
import socket

import pytest

from realtime_typed.client.corking import BurstCork

pytestmark = pytest.mark.skipif(not hasattr(socket, "TCP_CORK"), reason="no TCP_CORK here")


def _corked(sock: socket.socket) -> bool:
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_CORK) != 0


async def _next_turn() -> None:
    turned = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().call_soon(turned.set_result, None)
    await turned


async def test_one_write_per_turn_is_never_corked_and_a_burst_is_released() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    with server, socket.create_connection(server.getsockname()) as sock:
        cork = BurstCork(sock, asyncio.get_running_loop())
        cork.before_write()
        assert not _corked(sock)
        await _next_turn()

        cork.before_write()
        cork.before_write()
        cork.before_write()
        assert _corked(sock)
        await _next_turn()
        assert not _corked(sock)

        cork.before_write()
        cork.before_write()
        cork.close()
        assert not _corked(sock)
        cork.before_write()
        cork.before_write()
        assert not _corked(sock)
