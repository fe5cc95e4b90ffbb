"""Messages handed to the client as they are read, with no reader hop and no library parser.

websockets' asyncio connection feeds the bytes it reads to its Sans-I/O protocol inside
``data_received`` and puts each data frame in a receive queue, from which a reader task takes
it one event-loop iteration later. :class:`InlineConnection` is that connection with two
differences.

First, a complete message goes straight to its ``deliver`` callback, in ``data_received``, in
the order it was read: a reply wakes the caller waiting for it in the very next iteration, as a
raw loop's ``recv()`` would, and a burst of broadcasts read in one chunk is delivered in one go
with no queue, no future and no task switch per message.

Second, the frames a Realtime server sends almost always (one unfragmented, unmasked text or
binary frame per message, with no extension bits) are cut out of the bytes read here, by their
header, without the library's generator-based parser. Every other frame (ping, pong, close,
fragments, which are joined here, compressed or malformed frames) is handed to the library
whole, at a frame boundary, so the library parses it exactly as it would have: pings are
answered, a close is echoed, a protocol error fails the connection with the library's close
code. A frame over ``max_size`` is handed over as soon as its header is read and from then on
the library gets every byte (it refuses the frame with 1009); so it does once the connection is
no longer open. Bytes of a frame not yet complete wait in a buffer; a frame is only buffered up
to ``max_size``.

Before each chunk of bytes read is looked at, :attr:`InlineConnection.on_read` is called, if
set: the client's writer learns there that a new burst of writes may begin.

A text message that is not UTF-8 fails the connection with 1007, as the library does; an
exception escaping ``deliver`` (a bug, since the client reports bad frames itself) fails it with
1011 and is kept in :attr:`failure`. Either way the receive queue is closed, so the task waiting
in ``recv()`` learns of the end at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, TypeAlias

from websockets.asyncio.client import ClientConnection
from websockets.client import ClientProtocol
from websockets.frames import CloseCode, Frame, Opcode
from websockets.protocol import State

__all__ = ["InlineConnection", "MessageHandler"]

MessageHandler: TypeAlias = Callable[[str | bytes], None]

_TEXT: Final = Opcode.TEXT
_BINARY: Final = Opcode.BINARY
_CONT: Final = Opcode.CONT
_OPEN: Final = State.OPEN

_FIN_TEXT: Final = 0x81
"""The first header byte of an unfragmented text frame with no extension bits."""
_FIN_DATA: Final = frozenset((_FIN_TEXT, 0x82))
"""The first header bytes of unfragmented text and binary frames with no extension bits."""


class InlineConnection(ClientConnection):
    """A websockets client connection that delivers each complete message as it is parsed."""

    def __init__(
        self, protocol: ClientProtocol, *, deliver: MessageHandler, max_size: int, **kwargs: Any
    ) -> None:
        super().__init__(protocol, **kwargs)
        self._deliver = deliver
        self._max_size = max_size
        self._buffer = bytearray()
        """Bytes read of a frame not yet complete (while handshaking: the response's end)."""
        self._needed = 2
        """How many bytes :attr:`_buffer` must hold before it is looked at again."""
        self._library_reads = False
        """Whether every byte now goes to the library's parser (see the module's docstring)."""
        self._handshaking = True
        """Whether the HTTP response to the upgrade request is still being read."""
        self._fragments: list[bytes] | None = None
        self._fragmented_text = False
        self.failure: Exception | None = None
        """What escaped ``deliver`` and failed the connection, if anything did."""
        self.on_read: Callable[[], None] | None = None
        """Called before each chunk of bytes read from the socket is parsed."""

    def data_received(self, data: bytes) -> None:
        """Tell :attr:`on_read` that data came, then cut out and deliver its messages."""
        on_read = self.on_read
        if on_read is not None:
            on_read()
        if self._library_reads:
            super().data_received(data)
        elif self._handshaking:
            self._handshake_received(data)
        elif self._buffer:
            buffer = self._buffer
            buffer += data
            if len(buffer) >= self._needed:
                data = bytes(buffer)
                buffer.clear()
                self._split(data)
        else:
            self._split(data)

    def _handshake_received(self, data: bytes) -> None:
        """Give the library the HTTP response, and no byte after it: frames are read here."""
        seen = self._buffer  # the response's last three bytes so far
        joined = bytes(seen) + data
        index = joined.find(b"\r\n\r\n")
        if index < 0:
            seen[:] = joined[-3:]
            super().data_received(data)
            return
        cut = index + 4 - len(seen)
        seen.clear()
        self._handshaking = False
        super().data_received(data[:cut])
        if self.protocol.state is not _OPEN:
            self._library_reads_from(data, cut)
        elif cut < len(data):
            self._split(data[cut:])

    def _split(self, data: bytes) -> None:
        """Deliver the complete frames at the start of ``data``; keep an incomplete last one."""
        end = len(data)
        position = 0
        protocol = self.protocol
        max_size = self._max_size
        while True:
            if end - position < 2:
                self._needed = 2
                break
            first = data[position]
            length = data[position + 1]
            start = position + 2
            if length >= 126:  # a longer length follows, or a mask bit a server must not set
                if length & 0x80:
                    self._library_reads_from(data, position)
                    return
                start += 2 if length == 126 else 8
                if start > end:
                    self._needed = start - position
                    break
                length = int.from_bytes(data[position + 2 : start], "big")
            if length > max_size:
                self._library_reads_from(data, position)
                return
            stop = start + length
            if stop > end:
                self._needed = stop - position
                break
            if first in _FIN_DATA and self._fragments is None and protocol.state is _OPEN:
                self._hand_over(data[start:stop], first == _FIN_TEXT)
            else:
                super().data_received(data[position:stop])
                if protocol.state is not _OPEN:
                    self._library_reads_from(data, stop)
                    return
            position = stop
        if position < end:
            self._buffer += data[position:]

    def _library_reads_from(self, data: bytes, position: int) -> None:
        """From ``position`` on, every byte goes to the library's parser."""
        self._library_reads = True
        self._buffer.clear()
        if position < len(data):
            super().data_received(data[position:])

    def process_event(self, event: Any) -> None:
        """Deliver data frames inline; the handshake and control frames go to the library."""
        if type(event) is not Frame or self.response is None:
            super().process_event(event)
            return
        opcode = event.opcode
        if opcode is _TEXT or opcode is _BINARY:
            if event.fin:
                self._hand_over(event.data, opcode is _TEXT)
            else:
                self._fragments = [bytes(event.data)]
                self._fragmented_text = opcode is _TEXT
            return
        if opcode is _CONT:
            fragments = self._fragments
            if fragments is None:  # the protocol refuses a continuation without a start
                return
            fragments.append(bytes(event.data))
            if event.fin:
                self._fragments = None
                self._hand_over(b"".join(fragments), self._fragmented_text)
            return
        super().process_event(event)

    def _hand_over(self, data: bytes | bytearray | memoryview, text: bool) -> None:
        if self.failure is not None:
            return
        if text:
            try:
                message: str | bytes = str(data, "utf-8")
            except UnicodeDecodeError as exc:
                self._fail(CloseCode.INVALID_DATA, f"{exc.reason} at position {exc.start}")
                return
        else:
            message = data if type(data) is bytes else bytes(data)
        try:
            self._deliver(message)
        except Exception as exc:
            self.failure = exc
            self._fail(CloseCode.INTERNAL_ERROR, "")

    def _fail(self, code: int, reason: str) -> None:
        """Fail the connection: a close frame out, nothing more delivered, ``recv()`` ends."""
        self.protocol.fail(code, reason)
        self._library_reads = True
        try:
            self.send_data()
        except Exception:  # the transport is already gone: the end is reported anyway
            self.transport.abort()
        self.recv_messages.close()
