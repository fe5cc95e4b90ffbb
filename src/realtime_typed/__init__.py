"""realtime-typed: a typed, code-generated Python client for Supabase Realtime.

Broadcast, presence and Postgres changes over Phoenix Channels, with payloads that
``mypy --strict`` checks down to a table's columns. See the README for a quickstart.
"""

from pydantic import JsonValue

from realtime_typed.client import Channel, PresenceUpdate, RealtimeClient, SubscribeState
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
    BoolColumn,
    BroadcastMessage,
    BroadcastMeta,
    BroadcastSpec,
    ChangeColumn,
    ChangeSpec,
    Column,
    DeleteChange,
    EqColumn,
    Filter,
    InsertChange,
    NullColumn,
    PresenceSpec,
    TextColumn,
    UpdateChange,
)

__all__ = [
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
    "DeleteChange",
    "EqColumn",
    "Filter",
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
    "UpdateChange",
]
