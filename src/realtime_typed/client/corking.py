"""Holding a burst of socket writes together until the event loop turns.

Every WebSocket message is one write to the socket, and on a fresh write the transport sends at
once: a burst of sends (a loop of broadcasts, a gather of pushes) costs one TCP segment and one
trip through the network stack each. :class:`BurstCork` lets the first write of a loop turn go
out as usual; from the second one on it sets ``TCP_CORK`` so the kernel packs the writes into
full segments, and it releases the cork when the loop next turns. A single message per turn
(request and reply) is never delayed. Where ``TCP_CORK`` does not exist, nothing changes.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Final, Protocol

__all__ = ["BurstCork", "SocketOptions"]

_CORK: Final[int | None] = getattr(socket, "TCP_CORK", None)


class SocketOptions(Protocol):
    """The part of a socket the cork needs."""

    def setsockopt(self, level: int, optname: int, value: int, /) -> None:
        """Set a socket option."""


class BurstCork:
    """Corks ``sock`` for the rest of a loop turn once a second write is made in it."""

    __slots__ = ("_corked", "_loop", "_release_handle", "_sock", "_writes")

    def __init__(self, sock: SocketOptions | None, loop: asyncio.AbstractEventLoop) -> None:
        self._sock = sock if _CORK is not None else None
        self._loop = loop
        self._writes = 0
        self._corked = False
        self._release_handle: asyncio.Handle | None = None

    def before_write(self) -> None:
        """Call before each write to the socket."""
        writes = self._writes
        self._writes = writes + 1
        if writes == 0:
            self._release_handle = self._loop.call_soon(self._release)
        elif writes == 1 and self._sock is not None:
            self._corked = self._set(1)

    def _release(self) -> None:
        self._release_handle = None
        self._writes = 0
        if self._corked:
            self._corked = False
            self._set(0)

    def _set(self, value: int) -> bool:
        sock = self._sock
        if sock is None or _CORK is None:
            return False
        try:
            sock.setsockopt(socket.IPPROTO_TCP, _CORK, value)
        except OSError:
            self._sock = None
            return False
        return True

    def close(self) -> None:
        """Release the cork now and stop corking."""
        if self._release_handle is not None:
            self._release_handle.cancel()
            self._release()
        self._sock = None
