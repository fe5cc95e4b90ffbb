"""The WebSocket framing of what the server writes, so that queued frames leave together.

aiohttp's writer makes one transport write per frame, and a transport whose buffer is empty
makes one system call per write. A socket's writer instead frames every text and binary frame
waiting in its outbox and hands them to the transport in one write. The frames are what
aiohttp writes without compression: final, unmasked, the length in 7, 16 or 64 bits.
"""

from __future__ import annotations

import struct
from typing import Final

__all__ = ["frame_header"]

_TEXT: Final = 0x81
_BINARY: Final = 0x82
_SHORT_TEXT: Final = tuple(bytes((_TEXT, size)) for size in range(126))
_SHORT_BINARY: Final = tuple(bytes((_BINARY, size)) for size in range(126))
_LENGTH_16: Final = struct.Struct("!BBH").pack
_LENGTH_64: Final = struct.Struct("!BBQ").pack


def frame_header(size: int, *, binary: bool) -> bytes:
    """The header of a final, unmasked text (or ``binary``) frame of ``size`` bytes."""
    if size < 126:
        return _SHORT_BINARY[size] if binary else _SHORT_TEXT[size]
    first = _BINARY if binary else _TEXT
    if size < 65536:
        return _LENGTH_16(first, 126, size)
    return _LENGTH_64(first, 127, size)
