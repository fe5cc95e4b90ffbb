"""The public surface is explicit and the runtime stays light.

``realtime_typed.__all__`` is pinned, every name in it exists, and importing the package (or its
protocol layer) loads nothing from the ``gen`` or ``server`` extras: an app ships only
websockets, pydantic and httpx.
"""

from __future__ import annotations

import json
import subprocess
import sys

import realtime_typed
import realtime_typed.protocol

EXPORTS = {
    "AnyChange",
    "AuthError",
    "BoolColumn",
    "BroadcastMessage",
    "BroadcastMeta",
    "BroadcastSpec",
    "ChangeColumn",
    "ChangeSpec",
    "Channel",
    "ChannelError",
    "Column",
    "ConnectionClosed",
    "ConnectionError",
    "ConnectionRefused",
    "DDLError",
    "DatabaseBroadcast",
    "DeleteBroadcast",
    "DeleteChange",
    "EqColumn",
    "Filter",
    "InsertBroadcast",
    "InsertChange",
    "InvalidMessage",
    "JoinError",
    "JoinTimeout",
    "JsonValue",
    "NullColumn",
    "PresenceSpec",
    "PresenceUpdate",
    "ProtocolError",
    "PushError",
    "PushTimeout",
    "RealtimeClient",
    "RealtimeError",
    "SchemaError",
    "SubscribeState",
    "TextColumn",
    "UpdateBroadcast",
    "UpdateChange",
}

EXTRAS_MODULES = (
    "jinja2",
    "datamodel_code_generator",
    "pglast",
    "yaml",
    "aiohttp",
    "psycopg",
    "jwt",
    "realtime_typed.gen",
    "realtime_typed.local",
    "realtime_typed.testing",
)


def test_all_is_pinned() -> None:
    assert set(realtime_typed.__all__) == EXPORTS
    assert len(realtime_typed.__all__) == len(EXPORTS)


def test_every_export_exists() -> None:
    for name in realtime_typed.__all__:
        assert getattr(realtime_typed, name) is not None, name
    for name in realtime_typed.protocol.__all__:
        assert getattr(realtime_typed.protocol, name) is not None, name


def test_contract_names_of_the_protocol_layer() -> None:
    for name in ("decode_frame", "encode_frame", "ServerMessage", "UnknownMessage"):
        assert name in realtime_typed.protocol.__all__


def test_errors_share_one_root() -> None:
    for name in EXPORTS:
        value = getattr(realtime_typed, name)
        if isinstance(value, type) and issubclass(value, Exception):
            assert issubclass(value, realtime_typed.RealtimeError), name


def test_import_loads_no_extra() -> None:
    script = (
        "import json, sys; import realtime_typed, realtime_typed.protocol; "
        "print(json.dumps(sorted(sys.modules)))"
    )
    loaded = json.loads(
        subprocess.run(
            [sys.executable, "-c", script], check=True, capture_output=True, text=True
        ).stdout
    )
    heavy = [
        module
        for module in loaded
        if any(module == extra or module.startswith(extra + ".") for extra in EXTRAS_MODULES)
    ]
    assert heavy == []
