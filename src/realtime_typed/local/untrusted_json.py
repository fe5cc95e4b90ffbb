"""JSON from a client, checked before the server keeps or relays it.

Python's decoder takes what the real server's (Jason) refuses: ``NaN``, ``Infinity`` and numbers
too large for a float (they decode to ``inf``), and ``\\ud800``-style escapes of lone surrogates,
which no UTF-8 encoder can write. Relayed as they are, they give other clients invalid JSON or
fail the write to their socket. Nesting deeper than :data:`MAX_DEPTH` is refused too: the real
server takes it, but encoding it here would exceed Python's recursion limit.

:func:`json_problem` finds the first such problem in a decoded value. Given the text the value
was decoded from, it first looks for what could cause one (a ``\\u`` escape, ``NaN`` or
``Infinity``, a number with a three-digit exponent or 300 digits, or more brackets than
:data:`MAX_DEPTH`), so ordinary frames cost a few searches and never a walk.
"""

from __future__ import annotations

import math
import re
from typing import Final

__all__ = ["MAX_DEPTH", "json_problem"]

MAX_DEPTH: Final = 256
"""The deepest nesting of arrays and objects the server takes from a client."""


# A number that may overflow a float: an exponent of three digits or more, or 300 digits (only
# looked for in a text that long).
_BIG_EXPONENT: Final = re.compile(r"[eE]\+?[0-9]{3}")
_BIG_EXPONENT_BYTES: Final = re.compile(_BIG_EXPONENT.pattern.encode())
_LONG_NUMBER_DIGITS: Final = 300
_LONG_NUMBER: Final = re.compile(f"[0-9]{{{_LONG_NUMBER_DIGITS}}}")
_LONG_NUMBER_BYTES: Final = re.compile(_LONG_NUMBER.pattern.encode())


def _may_have_problem(text: str | bytes) -> bool:
    if isinstance(text, str):
        if "\\u" in text or "NaN" in text or "Infinity" in text:
            return True
        if len(text) > MAX_DEPTH and text.count("[") + text.count("{") > MAX_DEPTH:
            return True
        if _BIG_EXPONENT.search(text) is not None:
            return True
        return len(text) >= _LONG_NUMBER_DIGITS and _LONG_NUMBER.search(text) is not None
    if b"\\u" in text or b"NaN" in text or b"Infinity" in text:
        return True
    if len(text) > MAX_DEPTH and text.count(b"[") + text.count(b"{") > MAX_DEPTH:
        return True
    if _BIG_EXPONENT_BYTES.search(text) is not None:
        return True
    return len(text) >= _LONG_NUMBER_DIGITS and _LONG_NUMBER_BYTES.search(text) is not None


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def json_problem(value: object, text: str | bytes | None = None) -> str | None:
    """What makes ``value`` unfit to keep or relay as JSON, or ``None`` when it is fine.

    ``text`` is what ``value`` was decoded from (when known): a value whose text shows none of
    the causes is fine without a walk. ``bytes`` leaves (a binary payload) are fine.
    """
    if text is not None and not _may_have_problem(text):
        return None
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if _has_lone_surrogate(item):
                return "a string holds a lone surrogate (not valid UTF-8)"
        elif isinstance(item, float):
            if not math.isfinite(item):
                return f"{item} is not a JSON number"
        elif isinstance(item, dict | list | tuple):
            if depth > MAX_DEPTH:
                return f"nested deeper than {MAX_DEPTH} levels"
            if isinstance(item, dict):
                mapping: dict[object, object] = item  # pyright: ignore[reportUnknownVariableType]
                for key, member in mapping.items():
                    stack.append((key, depth))
                    stack.append((member, depth + 1))
            else:
                sequence: list[object] | tuple[object, ...] = item  # pyright: ignore[reportUnknownVariableType]
                stack.extend((member, depth + 1) for member in sequence)
    return None
