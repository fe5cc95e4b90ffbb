"""The blocking API: ``from realtime_typed.sync import RealtimeClient``.

The async client running on a private event-loop thread, for Django, Flask, Celery workers,
scripts and notebooks::

    with RealtimeClient(url, apikey=KEY) as client:
        ch = client.channel("room:1", broadcast_self=True)
        ch.on_broadcast("cursor", on_cursor)       # runs on the client's delivery thread
        ch.subscribe(timeout=10)                   # blocks; raises JoinError / JoinTimeout
        ch.send_broadcast("cursor", {"x": 1})

Options, typed keys, change objects and errors are those of :mod:`realtime_typed`.
"""

from realtime_typed.protocol.channel_state import ChannelState
from realtime_typed.protocol.events import SubscribeState
from realtime_typed.sync.channel import Channel
from realtime_typed.sync.client import RealtimeClient
from realtime_typed.sync.loop import ClientClosed
from realtime_typed.sync.stream import MessageIterator

__all__ = [
    "Channel",
    "ChannelState",
    "ClientClosed",
    "MessageIterator",
    "RealtimeClient",
    "SubscribeState",
]
