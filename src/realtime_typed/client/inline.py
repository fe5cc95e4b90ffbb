"""Messages handed to the client as the WebSocket protocol parses them, with no reader hop.

websockets' asyncio connection feeds the bytes it reads to its Sans-I/O protocol inside
``data_received`` and puts each data frame in a receive queue, from which a reader task takes
it one event-loop iteration later. :class:`InlineConnection` is that connection with one
difference: a complete text or binary message goes straight to its ``deliver`` callback, in
``data_received``, in the order the protocol parsed it. The client decodes and dispatches
there: a reply wakes the caller waiting for it in the very next iteration, as a raw loop's
``recv()`` would, and a burst of broadcasts read in one chunk is delivered in one go with no
queue, no future and no task switch per message.

Everything else stays the library's: the handshake, control frames (pings are answered, a close
is echoed), limits (``max_size``, checked by the protocol across fragments), flow control of
writes, closing. Fragmented messages are joined here. A text message that is not UTF-8 fails
the connection with 1007, as the library does; an exception escaping ``deliver`` (a bug, since
the client reports bad frames itself) fails it with 1011 and is kept in :attr:`failure`. Either
way the receive queue is closed, so the task waiting in ``recv()`` learns of the end at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, TypeAlias

from websockets.asyncio.client import ClientConnection
from websockets.client import ClientProtocol
from websockets.frames import CloseCode, Frame, Opcode

__all__ = ["InlineConnection", "MessageHandler"]

MessageHandler: TypeAlias = Callable[[str | bytes], None]

_TEXT: Final = Opcode.TEXT
_BINARY: Final = Opcode.BINARY
_CONT: Final = Opcode.CONT


class InlineConnection(ClientConnection):
    """A websockets client connection that delivers each complete message as it is parsed."""

    def __init__(self, protocol: ClientProtocol, *, deliver: MessageHandler, **kwargs: Any) -> None:
        super().__init__(protocol, **kwargs)
        self._deliver = deliver
        self._fragments: list[bytes] | None = None
        self._fragmented_text = False
        self.failure: Exception | None = None
        """What escaped ``deliver`` and failed the connection, if anything did."""

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
        try:
            self.send_data()
        except Exception as exc:  # the transport is already gone: the end is reported anyway
            self.set_recv_exc(exc)
        self.recv_messages.close()
