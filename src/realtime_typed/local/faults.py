"""Fault injection for the local server: the failures a client must survive, on demand.

``server.faults`` (a :class:`ServerFaults`) is the test API::

    await server.faults.drop_all()              # every socket cut at the TCP level (no close frame)
    await server.faults.close_all(4000, "bye")  # a WebSocket close with this code and reason
    server.faults.pause_heartbeats()            # half-open: TCP stays up, heartbeats go unanswered
    server.faults.resume_heartbeats()
    server.faults.drop_replies("broadcast")     # pushes are handled, their phx_reply never sent
    server.faults.delay_replies("phx_join", 0.5)
    server.faults.restore_replies()             # every reply rule off
    await server.faults.send_raw("garbage", topic="realtime:room")   # to one topic or all
    server.faults.refuse(status=503)            # new sockets refused (or mode="tcp": closed)
    server.faults.accept()
    await server.faults.restart()               # stop and start on the same port and secret

Rules (heartbeats, replies, refusals) live in :class:`FaultRules`, which survives restarts. Each
fault counts what it did, so a test can tell that it took effect.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import socket
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Final, Literal, Protocol, TypeAlias

from aiohttp import web

from realtime_typed.errors import ProtocolError
from realtime_typed.local.transport.session import SocketSession
from realtime_typed.local.transport.state import ServerState
from realtime_typed.protocol.frames import (
    Frame,
    UserBroadcast,
    decode_client_frame,
    decode_server_frame,
)

__all__ = [
    "HEARTBEAT_EVENT",
    "FaultRules",
    "FaultTarget",
    "FaultyServer",
    "Refusal",
    "RefusalMode",
    "ReplyRule",
    "ServerFaults",
    "add_fault_arguments",
    "injected_faults",
]

_log = logging.getLogger(__name__)

HEARTBEAT_EVENT: Final = "heartbeat"
"""The event whose replies :meth:`ServerFaults.pause_heartbeats` drops."""

_MAX_PENDING: Final = 1000

RefusalMode: TypeAlias = Literal["http", "tcp"]
"""``http``: an HTTP error status; ``tcp``: the connection closed without an answer."""


@dataclass(frozen=True, slots=True)
class ReplyRule:
    """What happens to the ``phx_reply`` of a push: dropped, or sent ``delay`` seconds late."""

    drop: bool
    delay: float = 0.0


@dataclass(frozen=True, slots=True)
class Refusal:
    """New sockets are refused until ``until`` (a ``time.monotonic()`` value; ``None``: ever).

    ``mode="http"`` answers ``status`` with ``{"error": message}``; ``mode="tcp"`` closes the
    connection without any answer.
    """

    mode: RefusalMode
    status: int
    message: str
    until: float | None

    def active(self, now: float) -> bool:
        """Whether connections are still refused at ``now``."""
        return self.until is None or now < self.until


@dataclass(slots=True)
class FaultRules:
    """The standing faults a running server consults, and what they did."""

    replies: dict[str, ReplyRule] = field(default_factory=dict[str, ReplyRule])
    refusal: Refusal | None = None
    dropped_replies: int = 0
    delayed_replies: int = 0
    refused_connections: int = 0

    def receive(self, session: SocketSession, data: str | bytes) -> None:
        """Hand a client frame to ``session``, noting its reply if a reply rule matches."""
        if self.replies and self._withheld(session, data):
            return
        session.receive(data)

    def _withheld(self, session: SocketSession, data: str | bytes) -> bool:
        """Apply a reply rule to a client frame; true when the frame itself is held back.

        A push with a ref has its reply screened by ref. A push without one (some clients send
        heartbeats with ``ref: null``) cannot be told apart by its reply, so the push itself is
        dropped or handed to the session late.
        """
        try:
            message = decode_client_frame(data, session.vsn)
        except ProtocolError:
            return False
        frame = message.as_frame() if isinstance(message, UserBroadcast) else message
        rule = self.replies.get(frame.event)
        if rule is None:
            return False
        if frame.ref is None:
            if rule.drop:
                self.dropped_replies += 1
                _log.info("fault: dropped a %s push without ref on %s", frame.event, frame.topic)
            else:
                self.delayed_replies += 1
                asyncio.get_running_loop().call_later(rule.delay, session.receive, data)
            return True
        screen = session.screen
        if not isinstance(screen, _ReplyScreen):
            screen = _ReplyScreen(self, session)
            session.screen = screen
        screen.expect(frame.ref, rule)
        return False

    def apply(self, rule: ReplyRule, session: SocketSession, frame: Frame, data: str) -> None:
        """Drop the reply ``data`` (``frame`` decoded), or send it ``rule.delay`` seconds late."""
        if rule.drop:
            self.dropped_replies += 1
            _log.info("fault: dropped the reply to ref %s on %s", frame.ref, frame.topic)
        else:
            self.delayed_replies += 1
            asyncio.get_running_loop().call_later(rule.delay, session.send, data)

    async def refused(self, request: web.Request) -> web.StreamResponse | None:
        """The refusal for a socket request, or ``None`` to serve it."""
        refusal = self.refusal
        if refusal is None or not refusal.active(time.monotonic()):
            return None
        self.refused_connections += 1
        if refusal.mode == "http":
            return web.json_response({"error": refusal.message}, status=refusal.status)
        transport = request.transport
        if transport is not None:
            transport.abort()
        return web.Response(status=refusal.status)


class _ReplyScreen:
    """The replies one socket still owes to pushes a reply rule matched, by ref.

    Installed as the session's ``screen``, it sees every frame the session queues, so it also
    catches replies sent later by deferred handlers. At most :data:`_MAX_PENDING` refs are
    remembered (pushes that never get a reply would otherwise pile up).
    """

    __slots__ = ("_pending", "_rules", "_session")

    def __init__(self, rules: FaultRules, session: SocketSession) -> None:
        self._rules = rules
        self._session = session
        self._pending: dict[str, ReplyRule] = {}

    def expect(self, ref: str, rule: ReplyRule) -> None:
        """Apply ``rule`` to the reply to ``ref``, when it comes."""
        pending = self._pending
        pending[ref] = rule
        if len(pending) > _MAX_PENDING:
            del pending[next(iter(pending))]

    def __call__(self, data: str | bytes) -> bool:
        """True when ``data`` is an awaited reply that its rule took."""
        if not self._pending or isinstance(data, bytes):
            return False
        try:
            frame = decode_server_frame(data, self._session.vsn)
        except ProtocolError:
            return False
        if frame.event != "phx_reply" or frame.ref is None:
            return False
        rule = self._pending.pop(frame.ref, None)
        if rule is None:
            return False
        self._rules.apply(rule, self._session, frame, data)
        return True


class FaultTarget(Protocol):
    """What the fault controls act on: a running server (``LocalRealtimeServer``)."""

    @property
    def state(self) -> ServerState:
        """The running server's shared state (its sockets)."""
        ...

    async def restart(self) -> None:
        """Stop, then start again on the same port with the same secret and database."""


class ServerFaults:
    """Fault controls of one :class:`~realtime_typed.local.server.LocalRealtimeServer`."""

    def __init__(self, server: FaultTarget) -> None:
        self._server = server
        self.rules: FaultRules = FaultRules()
        self.restarts: int = 0

    def _sessions(self) -> list[SocketSession]:
        return list(self._server.state.sessions)

    # ------------------------------------------------------------------ sockets

    async def drop_all(self) -> int:
        """Cut every socket at the TCP level, without a close frame; returns how many."""
        sessions = self._sessions()
        for session in sessions:
            sock: socket.socket | None = session.ws.get_extra_info("socket")
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError as exc:
                    _log.debug("socket already gone: %s", exc)
        return len(sessions)

    async def close_all(self, code: int = 1000, reason: str = "") -> int:
        """Close every socket with a WebSocket close frame of ``code`` and ``reason``."""
        sessions = self._sessions()
        for session in sessions:
            session.close(code, reason)
        return len(sessions)

    async def send_raw(self, data: str | bytes, topic: str | None = None) -> int:
        """Send ``data`` as one frame, unchanged, to every socket or those joined to ``topic``.

        ``topic`` is the full topic (``realtime:room``). Returns how many sockets got it.
        """
        sent = 0
        for session in self._sessions():
            if topic is None or topic in session.channels:
                session.send(data)
                sent += 1
        return sent

    # ------------------------------------------------------------------ replies

    def pause_heartbeats(self) -> None:
        """Stop answering heartbeats; sockets stay open (a half-open connection)."""
        self.drop_replies(HEARTBEAT_EVENT)

    def resume_heartbeats(self) -> None:
        """Answer heartbeats again."""
        self.restore_replies(HEARTBEAT_EVENT)

    def drop_replies(self, event: str) -> None:
        """Handle pushes of ``event`` but never send their ``phx_reply``."""
        self.rules.replies[event] = ReplyRule(drop=True)

    def delay_replies(self, event: str, seconds: float) -> None:
        """Send the ``phx_reply`` to pushes of ``event`` ``seconds`` late."""
        self.rules.replies[event] = ReplyRule(drop=False, delay=seconds)

    def restore_replies(self, event: str | None = None) -> None:
        """Answer pushes of ``event`` (every event when ``None``) normally again."""
        if event is None:
            self.rules.replies.clear()
        else:
            self.rules.replies.pop(event, None)

    # ------------------------------------------------------------------ connections

    def refuse(
        self,
        *,
        mode: RefusalMode = "http",
        status: int = 503,
        message: str = "Service Unavailable",
        seconds: float | None = None,
    ) -> None:
        """Refuse new sockets (for ``seconds``, or until :meth:`accept`); open ones stay."""
        until = None if seconds is None else time.monotonic() + seconds
        self.rules.refusal = Refusal(mode, status, message, until)

    def accept(self) -> None:
        """Accept new sockets again."""
        self.rules.refusal = None

    async def restart(self) -> None:
        """Stop the server (every socket dropped) and start it on the same port and secret."""
        await self._server.restart()
        self.restarts += 1


def add_fault_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``realtime-local`` flags that inject faults."""
    group = parser.add_argument_group("fault injection (for testing clients)")
    group.add_argument(
        "--fault-drop-every", type=float, metavar="S", help="cut every socket every S seconds"
    )
    group.add_argument(
        "--fault-restart-every", type=float, metavar="S", help="restart the server every S seconds"
    )
    group.add_argument(
        "--fault-no-heartbeat-replies",
        action="store_true",
        help="never answer heartbeats (half-open sockets)",
    )
    group.add_argument(
        "--fault-drop-replies",
        action="append",
        default=[],
        metavar="EVENT",
        help="never reply to pushes of EVENT (repeatable)",
    )
    group.add_argument(
        "--fault-delay-replies",
        action="append",
        default=[],
        type=_event_delay,
        metavar="EVENT=S",
        help="reply to pushes of EVENT S seconds late (repeatable)",
    )


def _event_delay(text: str) -> tuple[str, float]:
    event, sep, seconds = text.partition("=")
    try:
        delay = float(seconds)
    except ValueError:
        delay = -1.0
    if not sep or not event or delay < 0:
        raise argparse.ArgumentTypeError(f"expected EVENT=SECONDS, got {text!r}")
    return event, delay


class FaultyServer(Protocol):
    """A server with fault controls (``LocalRealtimeServer``)."""

    @property
    def faults(self) -> ServerFaults:
        """The server's fault controls."""
        ...


@asynccontextmanager
async def injected_faults(server: FaultyServer, args: argparse.Namespace) -> AsyncGenerator[None]:
    """Apply the fault flags of ``args`` to ``server`` while the context is open."""
    faults = server.faults
    if args.fault_no_heartbeat_replies:
        faults.pause_heartbeats()
    for event in args.fault_drop_replies:
        faults.drop_replies(event)
    for event, delay in args.fault_delay_replies:
        faults.delay_replies(event, delay)
    periodic = [
        (args.fault_drop_every, faults.drop_all),
        (args.fault_restart_every, faults.restart),
    ]
    loop = asyncio.get_running_loop()
    tasks = [
        loop.create_task(_every(every, action)) for every, action in periodic if every is not None
    ]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _every(seconds: float, action: Callable[[], Awaitable[object]]) -> None:
    while True:
        await asyncio.sleep(seconds)
        await action()
        _log.info("fault: %s", getattr(action, "__name__", "fault"))
