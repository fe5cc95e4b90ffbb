"""A local Realtime server faithful to the real one's wire contract, for development and tests.

Needs the ``server`` extra. It is not a production server: production traffic goes to
Supabase Realtime itself.

    async with LocalRealtimeServer() as server:
        server.url            # ws://127.0.0.1:<port>/socket (clients append /websocket)
        server.anon_key       # a JWT with role anon

Layers, top to bottom; a module imports only from its own layer or those below it, and no
imports run in a circle (``TYPE_CHECKING`` imports included). Where a lower layer calls back
up, it names what it needs in a small ``Protocol`` that the upper layer's class satisfies.

1. ``cli`` (``realtime-local``) and ``firehose`` (a load tool): drive a running server.
2. ``server``: ``LocalRealtimeServer``, the composition root: it builds the shared state,
   the HTTP app, the Postgres-changes feed and the database connections, and owns their
   lifetime.
3. ``faults``: fault injection (``server.faults``): the rules the sockets consult, through
   the transport's ``FaultHooks``, and the controls that drop, close and restart.
4. ``transport/``: the HTTP app (socket upgrade, REST broadcast), one ``SocketSession`` per
   socket (decoding, routing a frame to its channel feature, the ordered outgoing writer),
   and ``ServerState``, what every socket of a server shares.
5. ``channels/``: a joined channel and its features: join, broadcast, presence, Postgres
   changes wiring, private channels, replay and stored broadcasts, channel tokens. They reach
   their socket through ``ChannelSocket`` and the shared state through ``SharedState``.
6. ``auth/``: JWT verification, JWKS keys, RLS checks on ``realtime.messages``, policies.
7. ``postgres/``: the throwaway cluster, the replication slot and the Postgres-changes feed,
   the SQL the server installs, and the stored broadcasts of ``realtime.messages``.
8. ``options`` and ``untrusted_json``: ``ServerOptions``, the plain settings record every layer
   reads, and the checks of JSON from clients before the server keeps or relays it.

The server is imported on first use, so ``ServerOptions`` loads without the ``server`` extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from realtime_typed.local.options import ServerOptions

if TYPE_CHECKING:
    from realtime_typed.local.server import LocalRealtimeServer

__all__ = ["LocalRealtimeServer", "ServerOptions"]


def __getattr__(name: str) -> object:
    if name == "LocalRealtimeServer":
        from realtime_typed.local.server import LocalRealtimeServer

        return LocalRealtimeServer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
