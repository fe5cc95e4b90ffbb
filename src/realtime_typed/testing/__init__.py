"""What tests of Realtime apps use: the local server, its fixtures, faults and a fault proxy.

Needs the ``server`` extra. The server lives in :mod:`realtime_typed.local`; it is re-exported
here with its options and its fault rules and controls (``server.faults``, a
:class:`ServerFaults`; they live with the server because ``realtime-local`` applies them from
its ``--fault-*`` flags). The pytest plugin (``realtime_typed.testing.pytest_plugin``) provides
the ``realtime_server``, ``realtime_server_db`` and ``postgres_dsn`` fixtures;
:mod:`realtime_typed.testing.fault_proxy` cuts, stalls and slows a TCP link.

    async with LocalRealtimeServer() as server:
        server.url            # ws://127.0.0.1:<port>/socket (clients append /websocket)
        server.anon_key       # a JWT with role anon

The server and its faults are imported on first use, so ``ServerOptions`` loads without the
``server`` extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from realtime_typed.local.options import ServerOptions

if TYPE_CHECKING:
    from realtime_typed.local.faults import (
        FaultRules,
        Refusal,
        RefusalMode,
        ReplyRule,
        ServerFaults,
        injected_faults,
    )
    from realtime_typed.local.server import LocalRealtimeServer

__all__ = [
    "FaultRules",
    "LocalRealtimeServer",
    "Refusal",
    "RefusalMode",
    "ReplyRule",
    "ServerFaults",
    "ServerOptions",
    "injected_faults",
]

_FAULT_NAMES = frozenset(
    {"FaultRules", "Refusal", "RefusalMode", "ReplyRule", "ServerFaults", "injected_faults"}
)


def __getattr__(name: str) -> object:
    if name == "LocalRealtimeServer":
        from realtime_typed.local.server import LocalRealtimeServer

        return LocalRealtimeServer
    if name in _FAULT_NAMES:
        from realtime_typed.local import faults

        return getattr(faults, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
