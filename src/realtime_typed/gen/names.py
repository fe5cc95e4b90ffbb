"""Python names for SQL names: field names for columns, class names for tables and types.

Any column name becomes a usable attribute: reserved words and names that clash with Pydantic's
``BaseModel`` gain a trailing ``_``, other characters become ``_``, and the wire name stays the
field's alias. Class names are PascalCase, prefixed with the schema outside ``public``.
"""

from __future__ import annotations

import keyword
import re
import unicodedata

from pydantic import BaseModel

__all__ = ["NameRegistry", "class_name", "field_name", "unique"]

_RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | {"None", "True", "False"}
_MODEL_ATTRIBUTES = frozenset(dir(BaseModel)) | {"model_config", "model_fields"}
_NOT_IDENTIFIER = re.compile(r"\W+")
_WORD = re.compile(r"[^\W_]+")


def _identifier(text: str) -> str:
    """``text`` with every run of non-identifier characters as ``_``, NFKC-stable."""
    normal = unicodedata.normalize("NFKC", text)
    cleaned = _NOT_IDENTIFIER.sub("_", normal)
    return cleaned or "_"


def field_name(column: str) -> str:
    """A Pydantic field name for ``column``: public (no leading ``_``), not reserved."""
    name = _identifier(column).strip("_") or "column"
    if name[0].isdigit():
        name = f"c_{name}"
    if name in _RESERVED or name in _MODEL_ATTRIBUTES or name.startswith("model_"):
        name = f"{name}_"
    return name


def class_name(*parts: str) -> str:
    """PascalCase of the words of ``parts``: ``("audit", "events")`` gives ``AuditEvents``."""
    words = [word for part in parts for word in _WORD.findall(unicodedata.normalize("NFKC", part))]
    name = "".join(word[0].upper() + word[1:] for word in words) or "Unnamed"
    if name[0].isdigit():
        name = f"T{name}"
    return name


def unique(name: str, taken: set[str]) -> str:
    """``name``, or ``name`` with the smallest numeric suffix not in ``taken``; adds it."""
    candidate = name
    counter = 2
    while candidate in taken:
        candidate = f"{name}{'_' if name[-1].isdigit() else ''}{counter}"
        counter += 1
    taken.add(candidate)
    return candidate


class NameRegistry:
    """Module-level names handed out once each, in the order asked (callers sort first)."""

    def __init__(self, reserved: set[str]) -> None:
        self._taken = set(reserved)

    def claim(self, name: str) -> str:
        """``name`` made unique among the names already claimed."""
        return unique(name, self._taken)
