"""Invalid frames a server might send a v2 client, in two sets.

:func:`garbage_frames` cannot be decoded or routed: not JSON, wrong shapes and types, binary
noise, truncated binary broadcasts, frames for another topic or join, a reply nobody awaits.
:func:`bad_payloads` decode and reach the joined channel, but their payload does not fit their
event (or the event is unknown). :data:`ROOM` is the topic the client has joined.
"""

from __future__ import annotations

import json
import random
import struct
from typing import Final

__all__ = ["ROOM", "bad_payloads", "garbage_frames"]

ROOM: Final = "realtime:room"
_GOOD_BROADCAST: Final[dict[str, object]] = {"type": "broadcast", "event": "e", "payload": {}}


def _array(*fields: object) -> str:
    return json.dumps(list(fields))


def _kind4(topic: bytes, event: bytes, payload: bytes, topic_size: int) -> bytes:
    """A kind-4 broadcast with a JSON payload whose header declares ``topic_size``."""
    header = struct.pack("!BBBBB", 4, topic_size, len(event), 0, 1)
    return header + topic + event + payload


def garbage_frames(seed: int = 7) -> list[str | bytes]:
    """A fixed corpus plus seeded random noise; every frame is invalid for the client."""
    text: list[str | bytes] = [
        "not json",
        "",
        "[",
        "{}",
        "null",
        "42",
        '"text"',
        "[1, 2, 3]",
        _array(None, None, ROOM, "broadcast"),
        _array(None, None, 42, "broadcast", {}),
        _array(None, None, ROOM, None, {}),
        json.dumps({"topic": ROOM, "event": "broadcast", "payload": _GOOD_BROADCAST, "ref": None}),
        "x" * 1_000_000,
        _array(None, None, "realtime:elsewhere", "broadcast", _GOOD_BROADCAST),
        _array("999", None, ROOM, "broadcast", _GOOD_BROADCAST),
        _array(None, "12345", ROOM, "phx_reply", {"status": "ok", "response": {}}),
    ]
    binary: list[str | bytes] = [
        b"",
        b"\x00",
        b"\x09not a kind",
        b"\x04",
        _kind4(b"realtime:room", b"e", b"{}", 200),
        _kind4(b"realtime:room", b"e", b"{not json", 13),
        _kind4(b"\xff\xfe", b"e", b"{}", 2),
    ]
    noise = random.Random(seed)
    binary += [noise.randbytes(noise.randint(1, 64)) for _ in range(8)]
    return text + binary


def bad_payloads() -> list[str]:
    """Frames for the joined channel whose payload does not fit the event."""
    return [
        _array(None, None, ROOM, "broadcast", "oops"),
        _array(None, None, ROOM, "broadcast", {"type": "broadcast"}),
        _array(None, None, ROOM, "mystery", {}),
        _array(None, None, ROOM, "presence_diff", {"joins": 5}),
        _array(None, None, ROOM, "postgres_changes", {"ids": "x"}),
    ]
