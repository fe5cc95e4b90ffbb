"""Python names for SQL names: field names for columns, class names for tables and types.

Names depend only on the object they name, never on what else the schema holds, so adding a
table, type, schema or column never renames another. Two objects that would get one name are an
error naming both and the ``--rename`` that separates them (:class:`NameRegistry`).

* A column becomes a field: characters that cannot be in an identifier become ``_``, reserved
  words and names of Pydantic's ``BaseModel`` gain a trailing ``_``, the wire name stays the
  field's alias. Fields never start with ``_``.
* A table or type becomes a PascalCase class, prefixed with its schema outside ``public``
  (``AuditEvents`` for ``audit.events``). Class names never start with ``_``.
* The generated module's own names all start with ``_`` (``_b`` for builtins, ``_dt``,
  ``_pd``, ``_rt``, ``_record``...), and annotations refer to enums and composites through
  private aliases (``_u_Mood``), so no field, table or type name can shadow what the module uses.
"""

from __future__ import annotations

import keyword
import re
import shlex
import unicodedata

from pydantic import BaseModel

from realtime_typed.errors import SchemaError

__all__ = [
    "NameRegistry",
    "check_class_name",
    "check_field_name",
    "class_name",
    "export_order",
    "field_name",
    "private_alias",
]

_RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | {"None", "True", "False"}
_MODEL_ATTRIBUTES = frozenset(dir(BaseModel)) | {"model_config", "model_fields"}
_NOT_IDENTIFIER = re.compile(r"\W+")
_WORD = re.compile(r"[^\W_]+")
_DIGITS = re.compile(r"(\d+)")


def _identifier(text: str) -> str:
    """``text`` with every run of non-identifier characters as ``_``, NFKC-stable."""
    normal = unicodedata.normalize("NFKC", text)
    cleaned = _NOT_IDENTIFIER.sub("_", normal)
    return cleaned or "_"


def _field_reserved(name: str) -> bool:
    return name in _RESERVED or name in _MODEL_ATTRIBUTES or name.startswith("model_")


def field_name(column: str) -> str:
    """A Pydantic field name for ``column``: public (no leading ``_``), not reserved."""
    name = _identifier(column).strip("_") or "column"
    if name[0].isdigit():
        name = f"c_{name}"
    if _field_reserved(name):
        name = f"{name}_"
    return name


def class_name(*parts: str) -> str:
    """PascalCase of the words of ``parts``: ``("audit", "events")`` gives ``AuditEvents``."""
    words = [word for part in parts for word in _WORD.findall(unicodedata.normalize("NFKC", part))]
    name = "".join(word[0].upper() + word[1:] for word in words) or "Unnamed"
    if name[0].isdigit():
        name = f"T{name}"
    if name in _RESERVED:
        name = f"{name}_"
    return name


def private_alias(name: str) -> str:
    """The name annotations use for the enum or composite class ``name``."""
    return f"_u_{name}"


def export_order(name: str) -> tuple[int, list[str | tuple[int, str]]]:
    """The sort key that orders ``__all__`` as ruff's RUF022 does, so the check that formats
    the module finds it sorted and has nothing to fix: upper-case constants, then classes,
    then the rest, each in natural order (``Table9`` before ``Table10``)."""
    category = 0 if len(name) > 1 and name.isupper() else 1 if name[:1].isupper() else 2
    parts = _DIGITS.split(name)
    return category, [(len(p), p) if index % 2 else p for index, p in enumerate(parts)]


def check_class_name(name: str, where: str) -> str:
    """``name`` if it can name a generated class; else a :class:`SchemaError` on ``where``."""
    if not name.isidentifier() or name.startswith("_") or name in _RESERVED:
        raise SchemaError(
            f"{where}: {name!r} cannot name a class: use an identifier that is not a keyword "
            "and does not start with _"
        )
    return name


def check_field_name(name: str, where: str) -> str:
    """``name`` if it can name a model field; else a :class:`SchemaError` on ``where``."""
    if not name.isidentifier() or name.startswith("_") or _field_reserved(name):
        raise SchemaError(
            f"{where}: {name!r} cannot name a field: use an identifier that is not a keyword, "
            "a BaseModel attribute or model_*, and does not start with _"
        )
    return name


class NameRegistry:
    """Names handed out once each within one namespace; a second claimant is an error."""

    def __init__(self, kind: str, where: str) -> None:
        self._kind = kind
        self._where = where
        self._owners: dict[str, tuple[str, str | None]] = {}

    def claim(self, name: str, owner: str, rename: str | None) -> str:
        """Give ``name`` to ``owner``; ``rename`` is the ``--rename`` target that renames it."""
        if name in self._owners:
            other, other_rename = self._owners[name]
            hints = [
                "--rename " + shlex.quote(f"{target}=NAME")
                for target in (other_rename, rename)
                if target
            ]
            fix = f"; rename one of them: {' or '.join(hints)}" if hints else ""
            raise SchemaError(
                f"{other} and {owner} would both be the {self._kind} {name} {self._where}{fix}"
            )
        self._owners[name] = (owner, rename)
        return name
