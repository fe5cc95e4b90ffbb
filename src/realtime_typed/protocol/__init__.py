"""The sans-I/O Phoenix core: serializers, refs, state machines, deadlines. No asyncio, no clock.

The protocol-level API is re-exported here: :func:`decode_frame` and :func:`encode_frame`, the
typed messages of both directions generated from ``schema/`` (:data:`ServerMessage`,
:class:`UnknownMessage`, :data:`ClientMessage` and their members), and :class:`Frame`::

    from realtime_typed.protocol import decode_frame, encode_frame, HeartbeatPush, EmptyPayload

    message = decode_frame('[null,"1","phoenix","phx_reply",{"status":"ok","response":{}}]')
    frame = encode_frame(HeartbeatPush(topic="phoenix", ref="2", payload=EmptyPayload()))
"""

from realtime_typed._generated.client import (
    AccessTokenPayload,
    AccessTokenPush,
    BroadcastConfig,
    BroadcastPush,
    BroadcastPushPayload,
    ClientMessage,
    EmptyPayload,
    HeartbeatPush,
    JoinConfig,
    JoinPayload,
    JoinPush,
    LeavePush,
    PersistOptions,
    PostgresChangesFilter,
    PostgresChangesOptions,
    PresenceConfig,
    PresencePush,
    PresenceTrack,
    PresenceUntrack,
    ReplayConfig,
)
from realtime_typed._generated.events import ClientEvent, JoinErrorCode, ServerEvent
from realtime_typed._generated.server import (
    ChannelCloseMessage,
    ChannelErrorMessage,
    InboundBroadcastMessage,
    PostgresChangesMessage,
    PresenceDiffMessage,
    PresenceStateMessage,
    ReplyMessage,
    SystemMessage,
)
from realtime_typed.protocol.frames import Frame, Vsn
from realtime_typed.protocol.messages import (
    ServerMessage,
    UnknownMessage,
    decode_frame,
    encode_frame,
)

__all__ = [
    "AccessTokenPayload",
    "AccessTokenPush",
    "BroadcastConfig",
    "BroadcastPush",
    "BroadcastPushPayload",
    "ChannelCloseMessage",
    "ChannelErrorMessage",
    "ClientEvent",
    "ClientMessage",
    "EmptyPayload",
    "Frame",
    "HeartbeatPush",
    "InboundBroadcastMessage",
    "JoinConfig",
    "JoinErrorCode",
    "JoinPayload",
    "JoinPush",
    "LeavePush",
    "PersistOptions",
    "PostgresChangesFilter",
    "PostgresChangesMessage",
    "PostgresChangesOptions",
    "PresenceConfig",
    "PresenceDiffMessage",
    "PresencePush",
    "PresenceStateMessage",
    "PresenceTrack",
    "PresenceUntrack",
    "ReplayConfig",
    "ReplyMessage",
    "ServerEvent",
    "ServerMessage",
    "SystemMessage",
    "UnknownMessage",
    "Vsn",
    "decode_frame",
    "encode_frame",
]
