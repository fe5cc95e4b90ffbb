"""The typed surface: change objects, typed keys, typed filters and broadcast messages."""

from realtime_typed.typed.broadcast import BroadcastMessage, BroadcastMeta
from realtime_typed.typed.changes import (
    AnyChange,
    ChangeColumn,
    DeleteChange,
    InsertChange,
    UpdateChange,
)
from realtime_typed.typed.database_broadcast import (
    DatabaseBroadcast,
    DeleteBroadcast,
    InsertBroadcast,
    UpdateBroadcast,
)
from realtime_typed.typed.filters import (
    BoolColumn,
    Column,
    EqColumn,
    Filter,
    NullColumn,
    TextColumn,
)
from realtime_typed.typed.specs import BroadcastSpec, ChangeSpec, PresenceSpec

__all__ = [
    "AnyChange",
    "BoolColumn",
    "BroadcastMessage",
    "BroadcastMeta",
    "BroadcastSpec",
    "ChangeColumn",
    "ChangeSpec",
    "Column",
    "DatabaseBroadcast",
    "DeleteBroadcast",
    "DeleteChange",
    "EqColumn",
    "Filter",
    "InsertBroadcast",
    "InsertChange",
    "NullColumn",
    "PresenceSpec",
    "TextColumn",
    "UpdateBroadcast",
    "UpdateChange",
]
