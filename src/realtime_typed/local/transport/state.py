"""What every socket of one server shares: options, auth, topics, presence, Postgres, RLS
checks, tasks."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from realtime_typed._tasks import TaskOwner
from realtime_typed.local.auth.authorization import Authorizer
from realtime_typed.local.auth.tokens import JwtVerifier
from realtime_typed.local.channels.postgres_wiring import PostgresWiring
from realtime_typed.local.channels.presence import PresenceTracker
from realtime_typed.local.channels.registry import ChannelRegistry
from realtime_typed.local.options import ServerOptions
from realtime_typed.local.transport.session import FaultHooks, SocketSession

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
    registry: ChannelRegistry = field(default_factory=ChannelRegistry)
    presence: PresenceTracker = field(default_factory=PresenceTracker)
    sessions: set[SocketSession] = field(default_factory=set)  # pyright: ignore[reportUnknownVariableType]
    clock: Callable[[], float] = time.time
    malformed_frames: int = 0
    oversized_payloads: int = 0
    ignored_events: int = 0
