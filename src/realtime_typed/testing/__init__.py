"""A local Realtime server faithful to the real one's wire contract, for development and tests.

Needs the ``server`` extra. It is not a production server: production traffic goes to
Supabase Realtime itself.

    async with LocalRealtimeServer() as server:
        server.url            # ws://127.0.0.1:<port>/socket (clients append /websocket)
        server.anon_key       # a JWT with role anon
"""

from realtime_typed.testing.options import ServerOptions
from realtime_typed.testing.server import LocalRealtimeServer

__all__ = ["LocalRealtimeServer", "ServerOptions"]
