"""Elixir's ``inspect`` for JSON values, which the real server's error messages embed.

Subscription error texts quote the client's parameters the way Elixir prints them
(``%{"event" => "*"}``, ``[{"id", "eq", "1", false}]``, ``nil``); these helpers print the same
on one line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

__all__ = ["inspect_string", "inspect_term", "inspect_tuple"]

_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\t": "\\t",
    "\r": "\\r",
    "\f": "\\f",
    "\v": "\\v",
    "\b": "\\b",
    "\a": "\\a",
    "\x1b": "\\e",
    "\x00": "\\0",
}


def inspect_string(value: str) -> str:
    """A string as Elixir inspects a binary: double quotes, escapes, ``#{`` escaped."""
    body = "".join(_ESCAPES.get(char, char) for char in value).replace("#{", "\\#{")
    return f'"{body}"'


def inspect_tuple(items: Sequence[Any]) -> str:
    """A tuple, ``{a, b}``."""
    return "{" + ", ".join(inspect_term(item) for item in items) + "}"


def inspect_term(value: Any) -> str:
    """A JSON-decoded value as Elixir inspects the term Jason decodes it to."""
    if value is None:
        return "nil"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return inspect_string(value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Mapping):
        mapping = cast("Mapping[object, object]", value)
        pairs = sorted((str(key), item) for key, item in mapping.items())
        return "%{" + ", ".join(f"{inspect_string(k)} => {inspect_term(v)}" for k, v in pairs) + "}"
    if isinstance(value, Sequence):
        items = cast("Sequence[object]", value)
        return "[" + ", ".join(inspect_term(item) for item in items) + "]"
    return repr(value)
