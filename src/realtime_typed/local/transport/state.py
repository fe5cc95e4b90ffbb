"""What every socket of one server shares: options, auth, topics, presence, Postgres, RLS
checks, tasks."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from realtime_typed._tasks import TaskOwner
from realtime_typed.local.auth.authorization import Authorizer
from realtime_typed.local.auth.tokens import JwtVerifier
from realtime_typed.local.channels.channel import ServerChannel
from realtime_typed.local.channels.event_limit import TOO_MANY_MESSAGES, EventRateMeter
from realtime_typed.local.channels.postgres_wiring import PostgresWiring
from realtime_typed.local.channels.presence import PresenceTracker
from realtime_typed.local.channels.rate_limit import RollingRateLimit
from realtime_typed.local.channels.registry import ChannelRegistry, Member
from realtime_typed.local.options import ServerOptions
from realtime_typed.local.transport.session import FaultHooks, SocketObserver, SocketSession

__all__ = ["ServerState"]


@dataclass(slots=True)
class ServerState:
    """The shared state of one running server."""

    options: ServerOptions
    verifier: JwtVerifier
    tasks: TaskOwner
    postgres: PostgresWiring
    faults: FaultHooks
    authorizer: Authorizer | None = None
    observer: SocketObserver | None = None
    registry: ChannelRegistry = field(default_factory=ChannelRegistry)
    presence: PresenceTracker = field(default_factory=PresenceTracker)
    sessions: set[SocketSession] = field(default_factory=set)  # pyright: ignore[reportUnknownVariableType]
    clock: Callable[[], float] = time.time
    users: set[object] = field(default_factory=set[object])
    """Sockets counted against ``max_concurrent_users``: those that joined a channel."""
    joins: RollingRateLimit = field(init=False)
    events: EventRateMeter = field(init=False)
    malformed_frames: int = 0
    oversized_payloads: int = 0
    ignored_events: int = 0
    slow_consumers: int = 0

    def __post_init__(self) -> None:
        self.joins = RollingRateLimit(self.options.max_joins_per_second, time.monotonic())
        self.events = EventRateMeter(self.options.max_events_per_second, _shut_down)
        self.registry.meter = self.events


def _shut_down(member: Member) -> None:
    """Shut down a channel that received a broadcast while over the events limit."""
    if isinstance(member, ServerChannel) and not member.closed:
        member.session.shutdown_channel(member, TOO_MANY_MESSAGES)
