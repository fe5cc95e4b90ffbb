"""A local Realtime server faithful to the real one's wire contract, for development and tests.

Needs the ``server`` extra. It is not a production server: production traffic goes to
Supabase Realtime itself.

    async with LocalRealtimeServer() as server:
        server.url            # ws://127.0.0.1:<port>/socket (clients append /websocket)
        server.anon_key       # a JWT with role anon

The server is imported on first use, so the pure helpers below this package (presence
tracker, options) load without the ``server`` extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from realtime_typed.testing.options import ServerOptions

if TYPE_CHECKING:
    from realtime_typed.testing.server import LocalRealtimeServer

__all__ = ["LocalRealtimeServer", "ServerOptions"]


def __getattr__(name: str) -> object:
    if name == "LocalRealtimeServer":
        from realtime_typed.testing.server import LocalRealtimeServer

        return LocalRealtimeServer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
