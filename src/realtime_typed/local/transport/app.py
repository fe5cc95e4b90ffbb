"""The HTTP side: routes, the WebSocket upgrade and its refusals.

``/socket/websocket`` (the server's own path) and ``/realtime/v1/websocket`` (the gateway's
public path) lead to the same handler. The socket token is the ``apikey`` query parameter, or
the ``x-api-key`` header when present. A refused upgrade is an HTTP response with the real
status and a JSON body ``{"error": ...}``; an unsupported ``vsn`` gets a bare 403; past the
concurrent users or joins-per-second limit, 429.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Final

from aiohttp import web

from realtime_typed.local.auth.tokens import TokenProblem, TokenRejected
from realtime_typed.local.transport.rest import rest_routes
from realtime_typed.local.transport.session import SocketSession
from realtime_typed.local.transport.state import ServerState
from realtime_typed.protocol.frames import Vsn

__all__ = ["SOCKET_PATHS", "STATE_KEY", "make_app", "negotiate_vsn"]

_log = logging.getLogger(__name__)

SOCKET_PATHS: Final = ("/socket/websocket", "/realtime/v1/websocket")
STATE_KEY: Final = web.AppKey("realtime_state", ServerState)
_VSN: Final = re.compile(r"([12])\.0\.\d+")


def negotiate_vsn(requested: str | None) -> Vsn | None:
    """The serializer for a ``vsn`` query value (absent: 1.0.0); ``None`` if unsupported."""
    if requested is None:
        return "1.0.0"
    match = _VSN.fullmatch(requested)
    if match is None:
        return None
    return "1.0.0" if match.group(1) == "1" else "2.0.0"


async def _socket(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    refusal = await state.faults.refused(request)
    if refusal is not None:
        return refusal
    vsn = negotiate_vsn(request.query.get("vsn"))
    if vsn is None:
        _log.info("refused a socket from %s: unsupported vsn", request.remote)
        return web.Response(status=403)
    token = request.headers.get("x-api-key", request.query.get("apikey"))
    peer = request.remote
    try:
        if token is None:
            raise TokenRejected(TokenProblem.MISSING)
        claims = state.verifier.verify(token, state.clock())
    except TokenRejected as rejected:
        status, message = rejected.connect_refusal()
        _log.info("refused a socket from %s: %s", peer, message)
        if state.options.connect_error_delay > 0:
            await asyncio.sleep(state.options.connect_error_delay)
        return web.json_response({"error": message}, status=status)
    limited = _over_limit(state)
    if limited is not None:
        _log.error("refused a socket: %s", limited)
        if state.options.connect_error_delay > 0:
            await asyncio.sleep(state.options.connect_error_delay)
        return web.json_response({"error": limited}, status=429)
    # Phoenix sockets do not negotiate permessage-deflate (the real endpoint leaves it off).
    # Pings are answered by the session, which counts them as activity.
    ws = web.WebSocketResponse(
        max_msg_size=state.options.max_frame_bytes, autoping=False, compress=False
    )
    await ws.prepare(request)
    transport = request.transport
    if transport is None:  # the client left during the upgrade
        return ws
    session = SocketSession(ws, vsn, state, token, transport)
    state.sessions.add(session)
    _log.info("socket from %s opened (vsn %s, role %s)", peer, vsn, claims.get("role"))
    try:
        await session.run()
    finally:
        state.sessions.discard(session)
        _log.info("socket from %s closed", peer)
    return ws


def _over_limit(state: ServerState) -> str | None:
    """Why a socket is refused for the server's limits (429), as the real server checks them at
    connect; ``None`` when within them."""
    if len(state.users) >= state.options.max_concurrent_users:
        return "Too many connected users"
    if state.joins.advance(time.monotonic()):
        return "Too many joins per second"
    return None


def make_app(state: ServerState) -> web.Application:
    """The aiohttp application serving the socket paths and REST broadcast for ``state``."""
    app = web.Application()
    app[STATE_KEY] = state
    for path in SOCKET_PATHS:
        app.router.add_get(path, _socket)
    app.add_routes(rest_routes(state))
    return app
