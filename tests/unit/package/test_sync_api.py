"""The blocking API's public surface is pinned, and importing it loads no extra (nor supabase)."""

from __future__ import annotations

import json
import subprocess
import sys

import realtime_typed.sync

SYNC_EXPORTS = {
    "Channel",
    "ChannelState",
    "ClientClosed",
    "MessageIterator",
    "RealtimeClient",
    "SubscribeState",
}


def test_sync_all_is_pinned() -> None:
    assert set(realtime_typed.sync.__all__) == SYNC_EXPORTS
    for name in realtime_typed.sync.__all__:
        assert getattr(realtime_typed.sync, name) is not None, name


def test_closed_client_error_is_a_realtime_error() -> None:
    assert issubclass(realtime_typed.sync.ClientClosed, realtime_typed.RealtimeError)


def test_import_loads_no_extra() -> None:
    script = "import json, sys; import realtime_typed.sync; print(json.dumps(sorted(sys.modules)))"
    loaded = json.loads(
        subprocess.run(
            [sys.executable, "-c", script], check=True, capture_output=True, text=True
        ).stdout
    )
    extras = ("aiohttp", "psycopg", "jinja2", "pglast", "supabase", "supabase_auth", "realtime")
    heavy = [
        module
        for module in loaded
        if any(module == extra or module.startswith(extra + ".") for extra in extras)
    ]
    assert heavy == []
