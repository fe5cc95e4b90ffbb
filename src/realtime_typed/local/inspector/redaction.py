"""No token leaves the server through the inspector.

Values under a key that names a credential (``access_token``, ``apikey``, ...) are replaced
whole; every other string goes through the client's :func:`~realtime_typed.client.redaction.
redact`, which removes JWT-shaped strings and ``apikey=`` query values wherever they appear.
"""

from __future__ import annotations

from typing import Any, Final, cast

from realtime_typed.client.redaction import REDACTED, redact

__all__ = ["REDACTED", "redacted"]

SECRET_KEYS: Final = frozenset(
    {"access_token", "user_token", "apikey", "api_key", "token", "jwt", "authorization"}
)


def redacted(value: Any) -> Any:
    """A copy of the JSON value ``value`` with credentials replaced by ``[redacted]``."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        mapping: dict[Any, Any] = value  # pyright: ignore[reportUnknownVariableType]
        return {
            redacted(key): REDACTED
            if isinstance(key, str) and key.lower() in SECRET_KEYS
            else redacted(item)
            for key, item in mapping.items()
        }
    if isinstance(value, list | tuple):
        return [redacted(item) for item in cast("list[Any]", value)]
    return value
