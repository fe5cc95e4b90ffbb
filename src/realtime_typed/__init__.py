"""realtime-typed: a typed, code-generated Python client for Supabase Realtime.

Broadcast, presence and Postgres changes over Phoenix Channels, with payloads that
``mypy --strict`` checks down to a table's columns. See the README for a quickstart.
"""

from pydantic import JsonValue

from realtime_typed.client import Channel, RealtimeClient, SubscribeState
from realtime_typed.errors import (
    AuthError,
    ChannelError,
    ConnectionClosed,
    ConnectionError,
    ConnectionRefused,
    DDLError,
    InvalidMessage,
    JoinError,
    JoinTimeout,
    ProtocolError,
    PushError,
    PushTimeout,
    RealtimeError,
    SchemaError,
)
from realtime_typed.typed import (
    AnyChange,
    BroadcastMessage,
    BroadcastMeta,
    BroadcastSpec,
    ChangeColumn,
    ChangeSpec,
    Column,
    DeleteChange,
    Filter,
    InsertChange,
    PresenceSpec,
    UpdateChange,
)

__all__ = [
    "AnyChange",
    "AuthError",
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
    "DeleteChange",
    "Filter",
    "InsertChange",
    "InvalidMessage",
    "JoinError",
    "JoinTimeout",
    "JsonValue",
    "PresenceSpec",
    "ProtocolError",
    "PushError",
    "PushTimeout",
    "RealtimeClient",
    "RealtimeError",
    "SchemaError",
    "SubscribeState",
    "UpdateChange",
]
