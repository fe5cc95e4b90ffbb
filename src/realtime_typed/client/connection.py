"""Opening the WebSocket, with failures mapped to the package's errors.

A refused upgrade (any HTTP status but 101) becomes
:class:`~realtime_typed.errors.ConnectionRefused` with the status and the server's message
(the JSON body's ``error`` or ``message``, else the reason phrase); anything else that stops
the handshake becomes :class:`~realtime_typed.errors.ConnectionError`. The URL, which carries
the API key, never appears in a message (an invalid URL is reported without its cause), nor in
the WebSocket library's debug log.

Closing never waits on the peer for longer than a deadline: :func:`close_socket` aborts the
connection when its send buffer is full or the closing handshake does not end in time.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Final, cast
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, InvalidURI, WebSocketException

from realtime_typed.client.redaction import RedactingLogger
from realtime_typed.errors import ConnectionError, ConnectionRefused

__all__ = ["MAX_MESSAGE_BYTES", "close_socket", "open_socket", "refusal_message"]

MAX_MESSAGE_BYTES: Final = 8 * 1024 * 1024
"""Largest frame accepted: the server allows payloads of 3 MB and more."""


def refusal_message(body: bytes, reason_phrase: str) -> str:
    """The server's explanation of a refused upgrade."""
    try:
        decoded: Any = json.loads(body) if body else None
    except (ValueError, RecursionError):
        decoded = None
    if isinstance(decoded, dict):
        fields = cast("dict[str, object]", decoded)
        for key in ("error", "message"):
            text = fields.get(key)
            if isinstance(text, str) and text:
                return text
    return reason_phrase or "connection refused"


async def open_socket(url: str, *, open_timeout: float) -> ClientConnection:
    """Open the socket; raises ConnectionRefused or ConnectionError.

    The library's log goes through a :class:`RedactingLogger` that knows the URL's API key.
    """
    api_keys = parse_qs(urlsplit(url).query).get("apikey", [])
    logger = RedactingLogger(logging.getLogger("websockets.client"), api_keys)
    try:
        return await connect(
            url,
            open_timeout=open_timeout,
            ping_interval=None,
            max_size=MAX_MESSAGE_BYTES,
            logger=logger,
        )
    except InvalidStatus as exc:
        response = exc.response
        raise ConnectionRefused(
            response.status_code, refusal_message(response.body, response.reason_phrase)
        ) from exc
    except InvalidURI:
        raise ConnectionError("the Realtime URL is not a valid WebSocket URL") from None
    except TimeoutError as exc:
        raise ConnectionError("timed out opening the Realtime socket") from exc
    except (OSError, EOFError, WebSocketException) as exc:
        # websockets 14.0 lets an EOFError out of a handshake the server closed; later versions
        # wrap it in InvalidMessage.
        raise ConnectionError(f"cannot open the Realtime socket: {exc}") from exc


async def close_socket(ws: ClientConnection, timeout: float, reason: str = "") -> None:
    """Close ``ws`` with code 1000, aborting it if that cannot be done within ``timeout``.

    A socket whose send buffer is full is aborted at once: its close frame would wait behind
    data the peer does not read.
    """
    if ws.paused:
        ws.transport.abort()
        await ws.wait_closed()
        return
    try:
        async with asyncio.timeout(timeout):
            await ws.close(1000, reason)
    except TimeoutError:
        ws.transport.abort()
    except ConnectionClosed:
        pass
