"""Who may open the inspector: anyone on a loopback-bound server, else the service key.

The key is the ``apikey`` query parameter (the page passes its own on to its feed), the
``apikey`` header or ``Authorization: Bearer``; it must be a valid token of role
``service_role`` for this server.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from aiohttp import web

from realtime_typed.local.auth.tokens import JwtVerifier, TokenRejected

__all__ = ["InspectorAccess", "is_loopback"]


def is_loopback(host: str) -> bool:
    """Whether a server bound to ``host`` is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class InspectorAccess:
    """The inspector's gate for a server bound to ``host``."""

    def __init__(self, host: str, verifier: JwtVerifier, clock: Callable[[], float]) -> None:
        self.open: bool = is_loopback(host)
        self._verifier = verifier
        self._clock = clock

    def allows(self, request: web.Request) -> bool:
        """Whether ``request`` may see the inspector."""
        if self.open:
            return True
        token = _token(request)
        if token is None:
            return False
        try:
            claims: dict[str, Any] = self._verifier.verify(token, self._clock())
        except TokenRejected:
            return False
        return claims.get("role") == "service_role"


def _token(request: web.Request) -> str | None:
    authorization = request.headers.get("Authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials:
        return credentials
    return request.headers.get("apikey") or request.query.get("apikey")
