"""A local stand-in for the Supabase Auth (GoTrue) endpoints that supabase-py calls.

Enough of ``/auth/v1`` for a sign-in, refreshes and a sign-out, with GoTrue's shapes:

* ``POST /token?grant_type=password`` (``email``, ``password``) and
  ``POST /token?grant_type=refresh_token`` (``refresh_token``, rotated on every use): a session
  (``access_token``, ``refresh_token``, ``expires_in``, ``expires_at``, ``token_type``, ``user``);
* ``POST /logout?scope=...``: revokes the user's refresh tokens (204);
* ``GET /user``: the user of the bearer token.

Access tokens are signed with the Realtime server's JWT secret (role ``authenticated``, ``sub``
the user id), as a Supabase project's Auth and Realtime share one. Every request needs the
``apikey`` header, as the gateway of a project does.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import jwt
from aiohttp import web

from realtime_typed.testing import LocalRealtimeServer

TOKEN_LIFETIME = 3600


@dataclass
class User:
    """A user of the stand-in."""

    email: str
    password: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created_at: str = "2026-01-01T00:00:00Z"

    def json(self) -> dict[str, Any]:
        """The user as GoTrue returns it."""
        return {
            "id": self.id,
            "aud": "authenticated",
            "role": "authenticated",
            "email": self.email,
            "app_metadata": {"provider": "email", "providers": ["email"]},
            "user_metadata": {},
            "created_at": self.created_at,
        }


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"code": status, "error_code": code, "msg": message}, status=status)


class AuthStandIn:
    """The ``/auth/v1`` endpoints on a port of their own (``async with``)."""

    def __init__(self, realtime: LocalRealtimeServer, users: list[User]) -> None:
        self._realtime = realtime
        self._users = {user.email: user for user in users}
        self._refresh_tokens: dict[str, User] = {}
        self.issued: list[str] = []
        """Every access token issued, in order."""
        self.requests: Counter[str] = Counter()
        """Requests by ``METHOD path?grant_type``."""
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def __aenter__(self) -> Self:
        app = web.Application(middlewares=[self._count_and_check_key])
        app.router.add_post("/auth/v1/token", self._token)
        app.router.add_post("/auth/v1/logout", self._logout)
        app.router.add_get("/auth/v1/user", self._user)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        address = runner.addresses[0]
        self.port = int(address[1])
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @web.middleware
    async def _count_and_check_key(self, request: web.Request, handler: Any) -> web.StreamResponse:
        grant = request.query.get("grant_type")
        self.requests[f"{request.method} {request.path}" + (f"?{grant}" if grant else "")] += 1
        if not request.headers.get("apikey"):
            return web.json_response({"message": "No API key found in request"}, status=401)
        response: web.StreamResponse = await handler(request)
        return response

    def _session(self, user: User) -> web.Response:
        now = int(time.time())
        access = self._realtime.make_token(
            "authenticated",
            TOKEN_LIFETIME,
            sub=user.id,
            email=user.email,
            aud="authenticated",
            session_id=str(uuid.uuid4()),
        )
        refresh = secrets.token_urlsafe(16)
        self._refresh_tokens[refresh] = user
        self.issued.append(access)
        return web.json_response(
            {
                "access_token": access,
                "token_type": "bearer",
                "expires_in": TOKEN_LIFETIME,
                "expires_at": now + TOKEN_LIFETIME,
                "refresh_token": refresh,
                "user": user.json(),
            }
        )

    async def _token(self, request: web.Request) -> web.Response:
        body = await request.json()
        grant = request.query.get("grant_type")
        if grant == "password":
            user = self._users.get(body.get("email", ""))
            if user is None or body.get("password") != user.password:
                return _error(400, "invalid_credentials", "Invalid login credentials")
            return self._session(user)
        if grant == "refresh_token":
            user = self._refresh_tokens.pop(body.get("refresh_token", ""), None)
            if user is None:
                return _error(400, "refresh_token_not_found", "Invalid Refresh Token")
            return self._session(user)
        return _error(400, "unsupported_grant_type", f"unsupported grant_type {grant!r}")

    def _bearer_user(self, request: web.Request) -> User | None:
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ")
        try:
            claims = jwt.decode(
                token, self._realtime.jwt_secret, algorithms=["HS256"], audience="authenticated"
            )
        except jwt.PyJWTError:
            return None
        return next((user for user in self._users.values() if user.id == claims["sub"]), None)

    async def _logout(self, request: web.Request) -> web.Response:
        user = self._bearer_user(request)
        if user is None:
            return _error(401, "bad_jwt", "invalid JWT")
        for token, owner in list(self._refresh_tokens.items()):
            if owner is user:
                del self._refresh_tokens[token]
        return web.Response(status=204)

    async def _user(self, request: web.Request) -> web.Response:
        user = self._bearer_user(request)
        if user is None:
            return _error(401, "bad_jwt", "invalid JWT")
        return web.json_response(user.json())
