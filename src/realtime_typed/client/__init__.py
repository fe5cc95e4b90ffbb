"""The asyncio client: :class:`RealtimeClient`, its :class:`Channel` objects and their states."""

from realtime_typed.client.channel import Channel
from realtime_typed.client.client import AccessToken, ConnectionState, RealtimeClient, TokenProvider
from realtime_typed.client.presence import PresenceUpdate
from realtime_typed.client.streams import MessageStream
from realtime_typed.errors import InvalidMessage
from realtime_typed.protocol.channel_state import ChannelState
from realtime_typed.protocol.events import SubscribeState

__all__ = [
    "AccessToken",
    "Channel",
    "ChannelState",
    "ConnectionState",
    "InvalidMessage",
    "MessageStream",
    "PresenceUpdate",
    "RealtimeClient",
    "SubscribeState",
    "TokenProvider",
]
