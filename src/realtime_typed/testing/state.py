"""What every socket of one server shares: options, auth, topics, presence, Postgres, RLS
checks, tasks."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from realtime_typed._tasks import TaskOwner
from realtime_typed.testing.auth import JwtVerifier
from realtime_typed.testing.authorization import Authorizer
from realtime_typed.testing.faults import FaultRules
from realtime_typed.testing.options import ServerOptions
from realtime_typed.testing.postgres_wiring import PostgresWiring
from realtime_typed.testing.presence import PresenceTracker
from realtime_typed.testing.registry import ChannelRegistry

if TYPE_CHECKING:
    from realtime_typed.testing.session import SocketSession

__all__ = ["ServerState"]


@dataclass(slots=True)
class ServerState:
    """The shared state of one running server."""

    options: ServerOptions
    verifier: JwtVerifier
    tasks: TaskOwner
    postgres: PostgresWiring
    authorizer: Authorizer | None = None
    registry: ChannelRegistry = field(default_factory=ChannelRegistry)
    faults: FaultRules = field(default_factory=FaultRules)
    presence: PresenceTracker = field(default_factory=PresenceTracker)
    sessions: set[SocketSession] = field(default_factory=set)  # pyright: ignore[reportUnknownVariableType]
    clock: Callable[[], float] = time.time
    malformed_frames: int = 0
    oversized_payloads: int = 0
    ignored_events: int = 0
