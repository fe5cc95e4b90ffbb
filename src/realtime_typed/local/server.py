"""``LocalRealtimeServer``: the local Realtime server as an async context manager."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from aiohttp import web

from realtime_typed._tasks import TaskOwner
from realtime_typed.local.auth.jwks import JwksKeySource, SigningKey
from realtime_typed.local.auth.tokens import JwtVerifier, TokenRejected, make_token
from realtime_typed.local.channels.messages_database import MessagesDatabase
from realtime_typed.local.channels.postgres_wiring import ChangesFeed, PostgresWiring
from realtime_typed.local.faults import ServerFaults
from realtime_typed.local.inspector import TrafficRecorder, add_inspector
from realtime_typed.local.inspector.access import InspectorAccess, is_loopback
from realtime_typed.local.options import ServerOptions
from realtime_typed.local.transport.app import make_app
from realtime_typed.local.transport.state import ServerState

if TYPE_CHECKING:
    from realtime_typed.local.postgres import PostgresChangesFeed

__all__ = ["LocalRealtimeServer"]


class LocalRealtimeServer:
    """A Realtime server on one port, for development and tests; not for production.

    Args:
        host, port: where to listen; port 0 picks a free port (see :attr:`url`).
        jwt_secret: the HS* secret that signs valid tokens; a random one when ``None``.
        db_url: a PostgreSQL DSN for Postgres changes, private channels and Broadcast from the
            database; ``None`` serves without them (private joins are then refused).
        jwks: a JWKS (``{"keys": [...]}``) for asymmetric tokens and ``oct`` keys by ``kid``.
        options: limits and delays (real-server defaults, no refusal delays), PrivateOnly.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        jwt_secret: str | None = None,
        db_url: str | None = None,
        *,
        jwks: Mapping[str, Any] | None = None,
        options: ServerOptions | None = None,
    ) -> None:
        self.host = host
        self.jwt_secret: str = jwt_secret if jwt_secret is not None else secrets.token_urlsafe(32)
        self.db_url = db_url
        self.jwks = jwks
        self._messages: MessagesDatabase | None = None
        self.options: ServerOptions = options if options is not None else ServerOptions()
        self.anon_key: str = self.make_token("anon", expires_in=10 * 365 * 24 * 3600)
        self.service_key: str = self.make_token("service_role", expires_in=10 * 365 * 24 * 3600)
        self._requested_port = port
        self._port: int | None = None
        self._runner: web.AppRunner | None = None
        self._feed: PostgresChangesFeed | None = None
        self._state: ServerState | None = None
        self.faults: ServerFaults = ServerFaults(self)
        """Fault injection: dropped sockets, unanswered heartbeats, lost replies, refusals."""

    # ------------------------------------------------------------------ addresses

    @property
    def port(self) -> int:
        """The port the server listens on (after start)."""
        if self._port is None:
            raise RuntimeError("the server is not running")
        return self._port

    @property
    def url(self) -> str:
        """The socket endpoint as clients take it: ``ws://host:port/socket``."""
        return f"ws://{self.host}:{self.port}/socket"

    @property
    def http_url(self) -> str:
        """``http://host:port``."""
        return f"http://{self.host}:{self.port}"

    @property
    def inspector_url(self) -> str:
        """The live inspector page, ``http://host:port/inspector`` (off loopback it needs
        ``?apikey=`` with :attr:`service_key`)."""
        return f"{self.http_url}/inspector"

    @property
    def inspector_is_open(self) -> bool:
        """Whether the inspector opens without the service key (the server is on loopback)."""
        return is_loopback(self.host)

    @property
    def state(self) -> ServerState:
        """The running server's shared state (sessions, topics, counters)."""
        if self._state is None:
            raise RuntimeError("the server is not running")
        return self._state

    # ------------------------------------------------------------------ tokens

    def make_token(
        self,
        role: str = "authenticated",
        expires_in: float = 3600,
        *,
        key: SigningKey | None = None,
        **claims: Any,
    ) -> str:
        """A JWT valid for ``expires_in`` seconds, signed with this server's secret (HS256), or
        with ``key`` (RS256/ES256, its ``kid`` in the header; put its ``public_jwk`` in
        ``jwks``)."""
        if key is not None:
            return key.make_token(role, expires_in, **claims)
        return make_token(self.jwt_secret, role, expires_in, **claims)

    # ------------------------------------------------------------------ lifetime

    async def start(self) -> None:
        """Start listening (and the Postgres-changes feed, with a database)."""
        if self._runner is not None:
            raise RuntimeError("the server is already running")
        tasks = TaskOwner()
        feed = await self._start_feed()
        verifier = JwtVerifier(JwksKeySource(self.jwt_secret, self.jwks))
        recorder = TrafficRecorder(_claims_of(verifier), time.time)
        state = ServerState(
            options=self.options,
            verifier=verifier,
            tasks=tasks,
            postgres=PostgresWiring(feed, tasks),
            faults=self.faults.rules,
            observer=recorder,
        )
        if self.db_url is not None:
            self._messages = MessagesDatabase(self.db_url)
            await self._messages.start(state)
            state.authorizer = self._messages.authorizer
        app = make_app(state)
        add_inspector(app, state, recorder, InspectorAccess(self.host, verifier, state.clock))
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=5.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self._requested_port)
        await site.start()
        self._runner = runner
        self._state = state
        self._port = _bound_port(runner)

    async def _start_feed(self) -> ChangesFeed | None:
        if self.db_url is None:
            return None
        from realtime_typed.local.postgres import PostgresChangesFeed

        feed = PostgresChangesFeed(self.db_url)
        await feed.start()
        self._feed = feed
        return feed

    async def disconnect_all(self) -> None:
        """Drop every socket: "Server requested disconnect" on each channel, then close 1012."""
        for session in list(self.state.sessions):
            session.disconnect()

    async def stop(self) -> None:
        """Disconnect every socket, stop listening, stop the feed."""
        runner = self._runner
        if runner is None:
            return
        state = self.state
        for session in list(state.sessions):
            session.disconnect()
        await runner.cleanup()
        await state.tasks.drain()
        if self._feed is not None:
            await self._feed.stop()
            self._feed = None
        if self._messages is not None:
            await self._messages.stop()
            self._messages = None
        await state.tasks.cancel_all()
        self._runner = None
        self._state = None
        self._port = None

    async def restart(self) -> None:
        """Stop, then start again on the same port with the same secret and database."""
        port = self.port
        await self.stop()
        self._requested_port = port
        await self.start()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


def _claims_of(verifier: JwtVerifier) -> Callable[[str], dict[str, Any] | None]:
    """The inspector's view of a socket token: its claims, or ``None`` when refused now."""

    def claims_of(token: str) -> dict[str, Any] | None:
        try:
            return verifier.verify(token, time.time())
        except TokenRejected:
            return None

    return claims_of


def _bound_port(runner: web.AppRunner) -> int:
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:  # pyright: ignore[reportUnknownArgumentType]
            return int(address[1])  # pyright: ignore[reportUnknownArgumentType]
    raise RuntimeError("the server has no TCP address")
