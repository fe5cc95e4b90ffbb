"""The local server's limits and delays, with the real server's defaults."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ServerOptions"]


@dataclass(frozen=True, slots=True)
class ServerOptions:
    """Tunable limits, with the real server's defaults. The delays default to 0 (the real
    server waits 2 s and 5 s)."""

    max_frame_bytes: int = 5_000_000
    max_channels_per_client: int = 100
    max_concurrent_users: int = 200
    """Sockets with a joined channel; past it, connects are 429 and joins are refused."""
    max_joins_per_second: int = 100
    """Joins per second over the last minute (every socket); past it, connects are 429 and a
    join is refused and its socket disconnected."""
    max_events_per_second: int = 100
    """Broadcasts sent plus delivered per second over the last minute (every socket); past it,
    a channel that receives one is shut down and REST broadcast is 429."""
    max_outbound_bytes: int = 50_000_000
    """Bytes of frames waiting for one socket that does not read them (in its outbox and its
    transport's buffer); past it, the socket is dropped."""
    idle_timeout: float = 60.0
    """Seconds without a frame from the client before its socket is closed."""
    max_payload_bytes: int = 3000 * 1024 + 500
    presence_max_calls: int = 5
    presence_window_seconds: float = 30.0
    token_check_interval: float = 300.0
    connect_error_delay: float = 0.0
    join_error_delay: float = 0.0
    private_only: bool = False
    """Refuse public joins ("PrivateOnly: This project only allows private channels")."""
    replication_ready_timeout: float = 60.0
    """Seconds a ``replication_ready`` join waits for the replication connection (the real
    server's one minute); without a database the channel is then shut down."""
