"""Opening the WebSocket, with failures mapped to the package's errors.

A refused upgrade (any HTTP status but 101) becomes
:class:`~realtime_typed.errors.ConnectionRefused` with the status and the server's message
(the JSON body's ``error`` or ``message``, else the reason phrase); anything else that stops
the handshake becomes :class:`~realtime_typed.errors.ConnectionError`. The URL, which carries
the API key, never appears in a message (an invalid URL is reported without its cause), nor in
the WebSocket library's debug log.

Closing never waits on the peer for longer than a deadline: :func:`close_socket` aborts the
connection when its send buffer is full or the closing handshake does not end in time.

:class:`SocketOptions` carries what a deployment may need on the handshake: extra HTTP headers,
a TLS context, and a proxy: a URL (websockets 15 and later), ``True`` for the environment's
proxy settings (what websockets 15 and later do by default) or ``False`` to connect directly.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Final, TypeAlias, cast
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, InvalidURI, WebSocketException
from websockets.version import version as websockets_version

from realtime_typed.client.inline import InlineConnection, MessageHandler
from realtime_typed.client.redaction import RedactingLogger
from realtime_typed.client.rest import server_message
from realtime_typed.errors import ConnectionError, ConnectionRefused

__all__ = [
    "MAX_MESSAGE_BYTES",
    "Proxy",
    "SocketOptions",
    "close_socket",
    "open_socket",
    "refusal_message",
]

MAX_MESSAGE_BYTES: Final = 8 * 1024 * 1024
"""Largest frame accepted: the server allows payloads of 3 MB and more."""

Proxy: TypeAlias = str | bool
"""A proxy URL (``http://``, ``socks5://``...); ``True``: the environment's; ``False``: none."""


def _websockets_major() -> int:
    return int(websockets_version.split(".", 1)[0])


@dataclass(frozen=True, slots=True)
class SocketOptions:
    """Handshake options: extra headers, a TLS context, a proxy."""

    headers: Mapping[str, str] | None = None
    ssl: ssl.SSLContext | None = None
    proxy: Proxy = True

    def __post_init__(self) -> None:
        if isinstance(self.proxy, str) and _websockets_major() < 15:
            raise ValueError(f"a proxy URL needs websockets 15 or later ({websockets_version})")

    def connect_kwargs(self) -> dict[str, Any]:
        """The keywords for ``websockets.asyncio.client.connect``."""
        kwargs: dict[str, Any] = {}
        if self.headers:
            kwargs["additional_headers"] = dict(self.headers)
        if self.ssl is not None:
            kwargs["ssl"] = self.ssl
        if _websockets_major() >= 15:
            kwargs["proxy"] = None if self.proxy is False else self.proxy
        return kwargs


def refusal_message(body: bytes, reason_phrase: str) -> str:
    """The server's explanation of a refused upgrade."""
    return server_message(body) or reason_phrase or "connection refused"


async def open_socket(
    url: str,
    *,
    open_timeout: float,
    deliver: MessageHandler,
    options: SocketOptions | None = None,
) -> InlineConnection:
    """Open the socket; raises ConnectionRefused or ConnectionError.

    Every message the server sends is handed to ``deliver`` as soon as it is parsed (see
    :mod:`~realtime_typed.client.inline`). The library's log goes through a
    :class:`RedactingLogger` that knows the URL's API key.
    """
    api_keys = parse_qs(urlsplit(url).query).get("apikey", [])
    logger = RedactingLogger(logging.getLogger("websockets.client"), api_keys)
    try:
        ws = await connect(
            url,
            open_timeout=open_timeout,
            ping_interval=None,
            max_size=MAX_MESSAGE_BYTES,
            logger=logger,
            create_connection=cast(
                "type[ClientConnection]",
                partial(InlineConnection, deliver=deliver, max_size=MAX_MESSAGE_BYTES),
            ),
            **(options.connect_kwargs() if options is not None else {}),
        )
        return cast("InlineConnection", ws)
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


async def close_socket(
    ws: ClientConnection, timeout: float, reason: str = "", *, code: int = 1000
) -> None:
    """Close ``ws`` with ``code``, aborting it if that cannot be done within ``timeout``.

    A socket whose send buffer is full is aborted at once: its close frame would wait behind
    data the peer does not read.
    """
    if ws.paused:
        ws.transport.abort()
        await ws.wait_closed()
        return
    try:
        async with asyncio.timeout(timeout):
            await ws.close(code, reason)
    except TimeoutError:
        ws.transport.abort()
    except ConnectionClosed:
        pass
