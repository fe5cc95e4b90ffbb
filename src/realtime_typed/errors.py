"""The exception tree of realtime-typed.

Every error the package raises on purpose derives from :class:`RealtimeError`::

    RealtimeError
    ├── ConnectionError            the socket could not be used
    │   ├── ConnectionRefused      the upgrade was answered with an HTTP status (status, message)
    │   └── ConnectionClosed       the socket closed (code, reason)
    ├── ProtocolError              a frame that is not valid for its serializer version
    │   └── InvalidMessage         a received message that could not be delivered as typed
    ├── ChannelError               a channel operation failed
    │   ├── JoinError              the server refused the join (code, reason)
    │   ├── JoinTimeout            no join reply in time
    │   ├── PushTimeout            no reply to a push in time
    │   ├── PushError              the server answered a push with an error (response)
    │   └── AuthError              the server rejected or expired the access token
    └── SchemaError                realtime-gen input that cannot be used (file, line, column)
        └── DDLError               SQL that cannot be parsed or applied

Third-party exceptions are mapped at the boundary and kept as ``__cause__``. Messages never
contain an API key or an access token.
"""

from __future__ import annotations

import builtins
from typing import Any

__all__ = [
    "AuthError",
    "ChannelError",
    "ConnectionClosed",
    "ConnectionError",
    "ConnectionRefused",
    "DDLError",
    "InvalidMessage",
    "JoinError",
    "JoinTimeout",
    "ProtocolError",
    "PushError",
    "PushTimeout",
    "RealtimeError",
    "SchemaError",
]


class RealtimeError(Exception):
    """Root of every error raised by realtime-typed."""


class ConnectionError(RealtimeError, builtins.ConnectionError):
    """The WebSocket could not be opened or was lost."""


class ConnectionRefused(ConnectionError):
    """The server answered the WebSocket upgrade with an HTTP error status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"connection refused with HTTP {status}: {message}")
        self.status = status
        self.message = message


class ConnectionClosed(ConnectionError):
    """The WebSocket closed; ``code`` and ``reason`` are the close frame's, if any."""

    def __init__(self, code: int | None, reason: str = "") -> None:
        detail = f"{code} ({reason})" if reason else f"{code}"
        super().__init__(f"socket closed: {detail}")
        self.code = code
        self.reason = reason


class ProtocolError(RealtimeError):
    """A frame that is not valid for the serializer version; the message says what is wrong."""


class InvalidMessage(ProtocolError):
    """A message that arrived but was not delivered: it failed validation or carries errors.

    ``topic`` and ``event`` say where it came from and ``data`` is the raw data as received.
    A validation failure is the ``__cause__``.
    """

    def __init__(self, reason: str, *, topic: str, event: str, data: Any) -> None:
        super().__init__(f"{event} on {topic} not delivered: {reason}")
        self.topic = topic
        self.event = event
        self.data = data


class ChannelError(RealtimeError):
    """A channel operation failed."""


class JoinError(ChannelError):
    """The server refused to join the channel.

    ``code`` is the reason's prefix before ``": "`` (``"PrivateOnly"``, ``"Unauthorized"``...),
    or the whole reason when it has no code (``"unmatched topic"``).
    """

    def __init__(self, reason: str, *, topic: str = "") -> None:
        code, sep, _rest = reason.partition(": ")
        self.code: str = code if sep else reason
        self.reason: str = reason
        self.topic: str = topic
        where = f" {topic}" if topic else ""
        super().__init__(f"join{where} refused: {reason}")


class JoinTimeout(ChannelError):
    """The join got no reply within the timeout."""


class PushTimeout(ChannelError):
    """A push got no reply within the timeout."""


class PushError(ChannelError):
    """The server answered a push with ``status: error``; ``response`` is what it said."""

    def __init__(self, event: str, response: object) -> None:
        super().__init__(f"{event} push failed: {response!r}")
        self.event = event
        self.response = response


class AuthError(ChannelError):
    """The server rejected the access token or it expired; the channel is closed."""


class SchemaError(RealtimeError):
    """realtime-gen input that cannot be used; ``file``, ``line`` and ``column`` locate it."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.detail = message
        location = ":".join(str(part) for part in (file, line, column) if part is not None)
        super().__init__(f"{location}: {message}" if location else message)


class DDLError(SchemaError):
    """SQL DDL that cannot be parsed or applied."""
