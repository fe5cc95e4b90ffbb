"""Writing WebSocket messages: the first of a burst at once, the rest of the burst together.

Every ``ClientConnection.send`` is one trip through the library's send context and one write to
the socket. :class:`BurstWriter` builds the frames itself
(:class:`~realtime_typed.client.framing.FrameBuilder`, or the connection's Sans-I/O protocol
where an extension was negotiated) and writes them to the transport itself. A message goes out
at once when nothing was written since the socket last read data (the connection calls
:meth:`BurstWriter.read_started`) or since the last burst was flushed, so a request, or the
answer to what was just read, is never delayed and costs no extra event-loop iteration. The
messages that follow it (a loop of broadcasts, a gather of pushes) wait and are joined into one
write at the end of the event-loop iteration, or earlier once :data:`FLUSH_BYTES` are waiting.
A sender that writes twice with nothing read in between, in two iterations, has its second
message held for that one iteration. Frames keep their order; once the connection is no longer
open nothing more is written (the reader reports the loss).
"""

from __future__ import annotations

import asyncio
from typing import Final

from websockets.asyncio.client import ClientConnection
from websockets.protocol import State

from realtime_typed.client.framing import FrameBuilder

__all__ = ["FLUSH_BYTES", "BurstWriter"]

FLUSH_BYTES: Final = 64 * 1024
"""Bytes held back in one turn before they are written anyway."""


class BurstWriter:
    """Writes ``ws``'s messages, a turn's burst in one write to the socket."""

    __slots__ = (
        "_frames",
        "_pending",
        "_pending_bytes",
        "_protocol",
        "_transport",
        "_turn",
        "_wrote",
        "_ws",
    )

    def __init__(self, ws: ClientConnection) -> None:
        self._ws = ws
        self._protocol = ws.protocol
        self._transport = ws.transport
        self._frames = None if ws.protocol.extensions else FrameBuilder()
        """Builds the frames, unless an extension was negotiated (then the protocol does)."""
        self._pending: list[bytes] = []
        self._pending_bytes = 0
        self._turn: asyncio.Handle | None = None
        self._wrote = False
        """Whether a message went out at once since the last read or flush."""

    def read_started(self) -> None:
        """The socket is reading data: the next message may go out at once again."""
        if self._turn is None:
            self._wrote = False

    def write(self, data: str | bytes) -> bool:
        """Frame one message (text for ``str``) and write it; ``False`` once not open."""
        protocol = self._protocol
        if protocol.state is not State.OPEN:
            return False
        frames = self._frames
        if frames is not None:
            if isinstance(data, str):
                frame = frames.frame(data.encode(), text=True)
            else:
                frame = frames.frame(data, text=False)
        else:
            if isinstance(data, str):
                protocol.send_text(data.encode())
            else:
                protocol.send_binary(data)
            frame = b"".join(protocol.data_to_send())
        if not self._wrote:
            self._wrote = True
            self._transport.write(frame)
            return True
        if self._turn is None:
            self._turn = asyncio.get_running_loop().call_soon(self._end_turn)
        self._pending.append(frame)
        self._pending_bytes += len(frame)
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
        self._wrote = False
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
