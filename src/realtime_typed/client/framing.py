"""A client's WebSocket data frames, built here: one unfragmented, masked frame per message.

RFC 6455 has every frame a client sends masked with a fresh, unpredictable 4-byte key. The
library builds each frame through its generic frame writer and draws each key with its own
``os.urandom`` call. :class:`FrameBuilder` writes the few header bytes of the one frame shape a
client needs for a message (FIN set, no extension bits, text or binary), masks the payload with
the library's C ``apply_mask``, and takes its keys from a pool filled by ``os.urandom`` 4 KiB at
a time: the keys are the same system randomness, drawn 1,024 at once. It applies only where no
extension was negotiated (the writer checks), since an extension such as permessage-deflate
changes the frames.
"""

from __future__ import annotations

import os
from typing import Final

try:
    from websockets.speedups import apply_mask
except ImportError:  # a build of websockets without its C extension
    from websockets.utils import apply_mask

__all__ = ["FrameBuilder"]

_POOL_BYTES: Final = 4096
_TEXT: Final = 0x81
_BINARY: Final = 0x82
_MASKED: Final = 0x80


class FrameBuilder:
    """Builds masked, unfragmented text and binary frames."""

    __slots__ = ("_keys", "_next")

    def __init__(self) -> None:
        self._keys = b""
        self._next = 0

    def frame(self, payload: bytes, *, text: bool) -> bytes:
        """The whole frame of one message: header, masking key, masked payload."""
        start = self._next
        if start == len(self._keys):
            self._keys = os.urandom(_POOL_BYTES)
            start = 0
        self._next = start + 4
        key = self._keys[start : start + 4]
        size = len(payload)
        first = _TEXT if text else _BINARY
        if size < 126:
            header = bytes((first, _MASKED | size))
        elif size < 65536:
            header = bytes((first, _MASKED | 126)) + size.to_bytes(2, "big")
        else:
            header = bytes((first, _MASKED | 127)) + size.to_bytes(8, "big")
        return header + key + apply_mask(payload, key)
