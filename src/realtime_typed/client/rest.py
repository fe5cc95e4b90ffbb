"""The REST broadcast request: one POST with an overall deadline and a capped error body.

``httpx`` timeouts bound each network operation, so a server that trickles its answer a byte at
a time would never time out; the whole request, body included, runs under one deadline here. An
error body is read up to :data:`MAX_ERROR_BODY` bytes and its message kept up to
:data:`MAX_ERROR_TEXT` characters; a body that is not JSON, or nested too deep to parse, falls
back to the HTTP reason phrase.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any, Final, cast

import httpx

from realtime_typed.errors import ConnectionError, PushError, PushTimeout

__all__ = [
    "MAX_ERROR_BODY",
    "MAX_ERROR_TEXT",
    "error_message",
    "post_broadcast",
    "server_message",
]

MAX_ERROR_BODY: Final = 64 * 1024
"""Bytes of an error response read, at most."""
MAX_ERROR_TEXT: Final = 1000
"""Characters of the server's error message kept in :class:`PushError`."""


async def post_broadcast(
    http: httpx.AsyncClient,
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    event: str,
    timeout: float,
) -> None:
    """POST one broadcast; returns on 202, raises PushError, PushTimeout or ConnectionError."""
    try:
        async with (
            asyncio.timeout(timeout),
            http.stream("POST", url, content=body, headers=headers, timeout=timeout) as response,
        ):
            if response.status_code == 202:
                return
            data = await _read_capped(response)
    except (TimeoutError, httpx.TimeoutException):
        raise PushTimeout(
            f"no answer to the REST broadcast of {event} within {timeout} s"
        ) from None
    except httpx.HTTPError as exc:
        raise ConnectionError(f"REST broadcast failed: {type(exc).__name__}") from None
    if response.status_code == 404:
        raise PushError(event, "REST broadcast needs Realtime server v2.97.0 or later")
    raise PushError(event, error_message(data, response.status_code, response.reason_phrase))


async def _read_capped(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= MAX_ERROR_BODY:
            break
    return b"".join(chunks)[:MAX_ERROR_BODY]


def server_message(body: bytes) -> str | None:
    """The message a server puts in an error body (``error`` or ``message``), cut short."""
    try:
        decoded: Any = json.loads(body) if body else None
    except (ValueError, RecursionError):
        return None
    if isinstance(decoded, dict):
        fields = cast("dict[str, object]", decoded)
        for key in ("error", "message"):
            text = fields.get(key)
            if isinstance(text, str) and text:
                return text[:MAX_ERROR_TEXT]
    return None


def error_message(body: bytes, status: int, reason_phrase: str) -> str:
    """The server's message in an error body, else the reason."""
    return server_message(body) or reason_phrase or f"HTTP {status}"
