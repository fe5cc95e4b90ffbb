"""Writing WebSocket messages: the first of a loop turn at once, the rest of the turn together.

Every ``ClientConnection.send`` is one trip through the library's send context and one write to
the socket. :class:`BurstWriter` frames messages with the connection's Sans-I/O protocol
(``protocol.send_text`` / ``send_binary`` / ``data_to_send``) and writes the bytes to its
transport itself: the first message of an event-loop turn goes out at once, so a lone request
is never delayed, and the messages that follow it in the same turn (a loop of broadcasts, a
gather of pushes) are joined into one write when the turn ends, or earlier once
:data:`FLUSH_BYTES` are waiting. Frames keep their order; once the connection is no longer open
nothing more is written (the reader reports the loss).
"""

from __future__ import annotations

import asyncio
from typing import Final

from websockets.asyncio.client import ClientConnection
from websockets.protocol import State

__all__ = ["FLUSH_BYTES", "BurstWriter"]

FLUSH_BYTES: Final = 64 * 1024
"""Bytes held back in one turn before they are written anyway."""


class BurstWriter:
    """Writes ``ws``'s messages, a turn's burst in one write to the socket."""

    __slots__ = ("_pending", "_pending_bytes", "_protocol", "_transport", "_turn", "_ws")

    def __init__(self, ws: ClientConnection) -> None:
        self._ws = ws
        self._protocol = ws.protocol
        self._transport = ws.transport
        self._pending: list[bytes] = []
        self._pending_bytes = 0
        self._turn: asyncio.Handle | None = None

    def write(self, data: str | bytes) -> bool:
        """Frame one message (text for ``str``) and write it; ``False`` once not open."""
        protocol = self._protocol
        if protocol.state is not State.OPEN:
            return False
        if isinstance(data, str):
            protocol.send_text(data.encode())
        else:
            protocol.send_binary(data)
        chunks = protocol.data_to_send()
        if self._turn is None:
            self._turn = asyncio.get_running_loop().call_soon(self._end_turn)
            self._transport.write(chunks[0] if len(chunks) == 1 else b"".join(chunks))
            return True
        self._pending.extend(chunks)
        self._pending_bytes += sum(len(chunk) for chunk in chunks)
        if self._pending_bytes >= FLUSH_BYTES:
            self.flush()
        return True

    def flush(self) -> None:
        """Write what is waiting now (nothing once the connection is not open)."""
        pending = self._pending
        if not pending:
            return
        self._pending = []
        self._pending_bytes = 0
        if self._protocol.state is State.OPEN:
            self._transport.write(b"".join(pending))

    def _end_turn(self) -> None:
        self._turn = None
        self.flush()

    @property
    def must_drain(self) -> bool:
        """Whether the socket's write buffer is over its limit (see :meth:`drain`)."""
        return self._ws.paused

    async def drain(self) -> None:
        """Wait while the socket's write buffer is over its limit (flow control)."""
        if self._ws.paused:
            await self._ws.drain()

    def close(self) -> None:
        """Write what is waiting and stop waiting for the turn's end."""
        if self._turn is not None:
            self._turn.cancel()
            self._turn = None
        self.flush()
