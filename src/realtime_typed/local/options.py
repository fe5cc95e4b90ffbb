"""The local server's limits and delays, with the real server's defaults."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ServerOptions"]


@dataclass(frozen=True, slots=True)
class ServerOptions:
    """Tunable limits. The delays default to 0 (the real server waits 2 s and 5 s)."""

    max_frame_bytes: int = 5_000_000
    max_channels_per_client: int = 100
    max_payload_bytes: int = 3000 * 1024 + 500
    presence_max_calls: int = 5
    presence_window_seconds: float = 30.0
    token_check_interval: float = 300.0
    connect_error_delay: float = 0.0
    join_error_delay: float = 0.0
    private_only: bool = False
    """Refuse public joins ("PrivateOnly: This project only allows private channels")."""
