"""The typed surface: change objects, typed keys, typed filters and broadcast messages."""

from realtime_typed.typed.broadcast import BroadcastMessage, BroadcastMeta
from realtime_typed.typed.changes import (
    AnyChange,
    ChangeColumn,
    DeleteChange,
    InsertChange,
    UpdateChange,
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
    "DeleteChange",
    "EqColumn",
    "Filter",
    "InsertChange",
    "NullColumn",
    "PresenceSpec",
    "TextColumn",
    "UpdateChange",
]
