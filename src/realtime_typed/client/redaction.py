"""Keeping secrets out of the WebSocket library's debug log.

websockets logs the upgrade request line (whose query carries the ``apikey``) and a preview of
every frame it sends (a ``phx_join`` or ``access_token`` frame carries the JWT). The socket is
therefore opened with a :class:`RedactingLogger`: it redacts the ``apikey`` query value, the
given secrets and anything shaped like a JWT, and drops the content of outgoing frame previews
(a preview is cut in the middle, so a token's tail could survive any pattern).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Final, TypeAlias

__all__ = ["REDACTED", "RedactingLogger", "redact"]

REDACTED: Final = "[redacted]"

_ExcInfo: TypeAlias = (
    bool
    | tuple[type[BaseException], BaseException, TracebackType | None]
    | tuple[None, None, None]
    | BaseException
    | None
)

_API_KEY_PARAM: Final = re.compile(r"(apikey=)[^&\s'\"]+", re.IGNORECASE)
_JWT_LIKE: Final = re.compile(r"eyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){0,2}")
_SENT_FRAME: Final = re.compile(r"^> (TEXT|BINARY|CONT)\b.*?(\[\d+ bytes[^\]]*\])?$", re.DOTALL)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with the secrets, the ``apikey`` query value and JWT-shaped strings redacted."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    text = _API_KEY_PARAM.sub(r"\1" + REDACTED, text)
    return _JWT_LIKE.sub(REDACTED, text)


def _without_sent_payload(text: str) -> str:
    match = _SENT_FRAME.match(text)
    if match is None:
        return text
    size = match.group(2)
    return f"> {match.group(1)} {size}" if size else f"> {match.group(1)}"


class RedactingLogger(logging.LoggerAdapter[logging.Logger]):
    """A logger adapter that formats each record itself and redacts it before emitting."""

    def __init__(self, logger: logging.Logger, secrets: Iterable[str] = ()) -> None:
        super().__init__(logger, {})
        self._secrets = tuple(secret for secret in secrets if secret)

    def log(
        self,
        level: int,
        msg: object,
        *args: object,
        exc_info: _ExcInfo = None,
        stack_info: bool = False,
        stacklevel: int = 1,
        extra: Mapping[str, object] | None = None,
        **kwargs: object,
    ) -> None:
        """Format the record, redact secrets from its text, then log it through the logger."""
        if not self.isEnabledFor(level):
            return
        text = str(msg) % args if args else str(msg)
        text = redact(_without_sent_payload(text), self._secrets)
        self.logger.log(
            level,
            "%s",
            text,
            exc_info=exc_info,
            stack_info=stack_info,
            stacklevel=stacklevel + 1,
            extra=extra,
        )
