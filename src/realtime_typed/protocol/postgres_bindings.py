"""Postgres-changes bindings: the join-config entries and matching the server's ids back.

The client sends its bindings in registration order; the join reply echoes them, each with a
server-generated ``id``, in the same order. They are matched by position, exactly as the
reference client does: ``event`` must be equal, and ``schema``, ``table`` and ``filter`` equal
with a missing key and ``null`` treated alike (``select`` is not compared). The first mismatch
or missing entry fails the whole match; extra server entries are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

__all__ = ["binding_config", "match_binding_ids"]

_COMPARED_KEYS: Final = ("schema", "table", "filter")


def binding_config(
    event: str,
    schema: str,
    table: str | None = None,
    filter: str | None = None,
    select: Sequence[str] | None = None,
) -> dict[str, Any]:
    """One ``postgres_changes`` entry of the join config; absent parts are left out."""
    config: dict[str, Any] = {"event": event, "schema": schema}
    if table is not None:
        config["table"] = table
    if filter is not None:
        config["filter"] = filter
    if select is not None:
        config["select"] = list(select)
    return config


def match_binding_ids(client: Sequence[Mapping[str, Any]], server: object) -> list[Any] | None:
    """The server id of each client binding, by position; ``None`` on any mismatch."""
    if not isinstance(server, list):
        return None
    entries: list[Any] = server  # pyright: ignore[reportUnknownVariableType]
    if len(entries) < len(client):
        return None
    ids: list[Any] = []
    for mine, theirs in zip(client, entries, strict=False):
        if not isinstance(theirs, Mapping):
            return None
        echoed: Mapping[str, Any] = theirs  # pyright: ignore[reportUnknownVariableType]
        if echoed.get("event") != mine.get("event"):
            return None
        if any(echoed.get(key) != mine.get(key) for key in _COMPARED_KEYS):
            return None
        ids.append(echoed.get("id"))
    return ids
