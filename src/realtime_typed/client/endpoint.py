"""Endpoint URLs: the WebSocket URL a client connects to, and the REST broadcast URL.

Accepted forms (``ws``/``wss``/``http``/``https``):

* ``ws(s)://host[:port]/socket`` and ``.../realtime/v1``: ``/websocket`` is appended;
* ``.../websocket``: used as is;
* ``https://<ref>.supabase.co`` (no path): ``wss://<ref>.supabase.co/realtime/v1/websocket``.

The query is ``apikey``, then the user ``params``, then ``vsn``, as the reference client sends
it. The REST endpoint is derived from the socket URL the way the reference client does:
``http(s)`` scheme, without ``/socket/websocket``, ``/socket`` or ``/websocket``, plus
``/api/broadcast``; the query string is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final
from urllib.parse import urlencode, urlsplit, urlunsplit

__all__ = ["rest_broadcast_url", "socket_url"]

_WS_SCHEMES: Final = {"ws": "ws", "wss": "wss", "http": "ws", "https": "wss"}
_HTTP_SCHEMES: Final = {"ws": "http", "wss": "https"}
_SOCKET_SUFFIXES: Final = ("/socket/websocket", "/socket", "/websocket")
_PROJECT_PATH: Final = "/realtime/v1"


def socket_url(url: str, apikey: str, params: Mapping[str, str] | None, vsn: str) -> str:
    """The WebSocket URL for ``url``; raises ``ValueError`` for an unsupported scheme."""
    parts = urlsplit(url)
    scheme = _WS_SCHEMES.get(parts.scheme.lower())
    if scheme is None or not parts.netloc:
        raise ValueError("the Realtime URL must be ws://, wss://, http:// or https:// with a host")
    path = parts.path.rstrip("/")
    if not path and parts.scheme.lower() in ("http", "https"):
        path = _PROJECT_PATH
    if not path.endswith("/websocket"):
        path += "/websocket"
    query: list[tuple[str, str]] = [("apikey", apikey)]
    query.extend((key, value) for key, value in (params or {}).items() if key != "apikey")
    query.append(("vsn", vsn))
    return urlunsplit((scheme, parts.netloc, path, urlencode(query), ""))


def rest_broadcast_url(socket: str) -> tuple[str, str]:
    """The REST broadcast base URL (no query) and the query string, from a socket URL."""
    parts = urlsplit(socket)
    path = parts.path.rstrip("/")
    for suffix in _SOCKET_SUFFIXES:
        if path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    scheme = _HTTP_SCHEMES.get(parts.scheme, parts.scheme)
    return urlunsplit((scheme, parts.netloc, path + "/api/broadcast", "", "")), parts.query
