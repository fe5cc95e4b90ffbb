"""The inspector's record of socket traffic: the sockets seen, and a bounded ring of frames.

Recording a frame is one tuple of references appended to a ring, never I/O nor formatting:
the server's hot path only pays that, and :class:`FrameRecord` is made when a feed reads. The
ring keeps at most ``max_records`` frames and ``max_bytes`` of their data; older frames are
dropped and counted. A fan-out hands every member the same encoded ``data`` object, so those
consecutive frames become one record naming the receiving sockets (the first
``NAMED_SOCKETS`` of them; ``recipients`` counts them all). Feeds (the page's
connections) wait on an event of their own, set whenever something was recorded.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypeAlias

from realtime_typed.local.transport.session import SocketSession
from realtime_typed.protocol.frames import Frame, UserBroadcast, Vsn

__all__ = ["NAMED_SOCKETS", "FrameRecord", "SocketInfo", "TrafficRecorder"]

NAMED_SOCKETS: Final = 50

Direction = Literal["in", "out"]


@dataclass(frozen=True, slots=True)
class SocketInfo:
    """What the inspector shows of a socket: never its token, only some of its claims."""

    number: int
    connected_at: float
    vsn: Vsn
    role: str | None
    subject: str | None
    expires_at: int | None


_Entry: TypeAlias = tuple[
    float, Direction, Vsn, "str | bytes", "Frame | UserBroadcast | None", list[int], int
]
"""A ring entry: the fields of a :class:`FrameRecord` but its ``seq``, in order."""


@dataclass(slots=True)
class FrameRecord:
    """One frame in or out (``out``: possibly the same frame to several sockets)."""

    seq: int
    at: float
    direction: Direction
    vsn: Vsn
    data: str | bytes
    message: Frame | UserBroadcast | None
    """The decoded client frame (``in``); ``None`` for ``out`` or an undecodable frame."""
    sockets: list[int] = field(default_factory=list[int])
    """The numbers of the first ``NAMED_SOCKETS`` sockets it came from or went to."""
    recipients: int = 1
    """How many sockets it came from or went to."""


class TrafficRecorder:
    """A ``SocketObserver``: remembers sockets and the latest frames, within bounds.

    Args:
        claims_of: the verified claims of a socket's token, or ``None`` when refused now.
        clock: the wall clock of the records.
        max_records, max_bytes: the ring's bounds.
    """

    def __init__(
        self,
        claims_of: Callable[[str], dict[str, Any] | None],
        clock: Callable[[], float],
        *,
        max_records: int = 2000,
        max_bytes: int = 4 * 1024 * 1024,
    ) -> None:
        self._claims_of = claims_of
        self._clock = clock
        self._max_bytes = max_bytes
        self._numbers = itertools.count(1)
        self._sockets: dict[SocketSession, SocketInfo] = {}
        self._ring: deque[_Entry] = deque(maxlen=max(1, max_records))
        self._bytes = 0
        self._next_seq = 0
        self._waiters: set[asyncio.Event] = set()
        self.stopped: bool = False
        """Set when the server stops: feeds end."""
        self.frames_in: int = 0
        self.frames_out: int = 0
        self.evicted: int = 0
        """Records dropped from the ring to keep it within its bounds."""

    # ------------------------------------------------------------------ SocketObserver

    def opened(self, session: SocketSession) -> None:
        """Number the socket and keep what may be shown of its token."""
        claims = self._claims_of(session.token) or {}
        role, subject, expires = claims.get("role"), claims.get("sub"), claims.get("exp")
        self._sockets[session] = SocketInfo(
            number=next(self._numbers),
            connected_at=session.connected_at,
            vsn=session.vsn,
            role=role if isinstance(role, str) else None,
            subject=subject if isinstance(subject, str) else None,
            expires_at=expires if isinstance(expires, int) else None,
        )
        self._wake()

    def closed(self, session: SocketSession) -> None:
        """Forget the socket."""
        self._sockets.pop(session, None)
        self._wake()

    def received(
        self, session: SocketSession, data: str | bytes, message: Frame | UserBroadcast | None
    ) -> None:
        """Record a client frame."""
        self.frames_in += 1
        info = self._sockets.get(session)
        sockets = [info.number] if info is not None else []
        self._append((self._clock(), "in", session.vsn, data, message, sockets, 1))

    def sent(self, session: SocketSession, data: str | bytes) -> None:
        """Record a frame queued for a client; a fan-out's copies join one record."""
        self.frames_out += 1
        info = self._sockets.get(session)
        ring = self._ring
        if ring:
            last = ring[-1]
            if last[3] is data and last[1] == "out":
                at, direction, vsn, _, message, sockets, recipients = last
                if info is not None and len(sockets) < NAMED_SOCKETS:
                    sockets.append(info.number)
                ring[-1] = (at, direction, vsn, data, message, sockets, recipients + 1)
                return
        sockets = [info.number] if info is not None else []
        self._append((self._clock(), "out", session.vsn, data, None, sockets, 1))

    # ------------------------------------------------------------------ reading

    def open_sockets(self) -> Iterator[tuple[SocketSession, SocketInfo]]:
        """The open sockets, oldest first."""
        return iter(list(self._sockets.items()))

    @property
    def next_seq(self) -> int:
        """The number the next record will get."""
        return self._next_seq

    def since(self, seq: int, limit: int) -> tuple[list[FrameRecord], int]:
        """Up to ``limit`` records from number ``seq`` on, and how many before them are gone."""
        ring = self._ring
        first = self._next_seq - len(ring)
        skipped = max(0, first - seq)
        start = max(seq, first) - first
        records = [
            FrameRecord(first + index, *entry)
            for index, entry in enumerate(itertools.islice(ring, start, start + limit), start)
        ]
        return records, skipped

    # ------------------------------------------------------------------ feeds

    def subscribe(self) -> asyncio.Event:
        """An event set whenever something is recorded (and when the server stops)."""
        event = asyncio.Event()
        self._waiters.add(event)
        return event

    def unsubscribe(self, event: asyncio.Event) -> None:
        """Stop setting ``event``."""
        self._waiters.discard(event)

    @property
    def feeds(self) -> int:
        """How many feeds are subscribed."""
        return len(self._waiters)

    def stop(self) -> None:
        """The server stops: wake every feed so it ends."""
        self.stopped = True
        self._wake()

    # ------------------------------------------------------------------ inside

    def _append(self, entry: _Entry) -> None:
        self._next_seq += 1
        ring = self._ring
        if len(ring) == ring.maxlen:  # the oldest falls out as this one comes in
            self._bytes -= len(ring[0][3])
            self.evicted += 1
        ring.append(entry)
        self._bytes += len(entry[3])
        if self._bytes > self._max_bytes:
            self._evict()
        if self._waiters:
            self._wake()

    def _evict(self) -> None:
        ring = self._ring
        while len(ring) > 1 and self._bytes > self._max_bytes:
            self._bytes -= len(ring.popleft()[3])
            self.evicted += 1

    def _wake(self) -> None:
        for event in self._waiters:
            event.set()
