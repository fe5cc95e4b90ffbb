"""The ``phx_join`` payload as the server reads it: leniently, with defaults.

Like the real server, an invalid join payload never fails the join: each field that cannot be
read falls back to its default and the problem is reported in :attr:`JoinConfig.problems` for
the log. Booleans are "flexible": ``true``/``false`` or those words as strings in any case.

Two opt-ins change what follows the join: ``config.broadcast.replication_ready`` (a ``system``
message once the replication connection is up) and ``config.postgres_changes_options``
(``wait``: hold the join reply until the Postgres-changes subscription is live, for at most
``timeout`` milliseconds, 15,000 by default, clamped to :data:`MAX_WAIT_MS`).
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = ["DEFAULT_WAIT_MS", "MAX_WAIT_MS", "JoinConfig", "binding_id", "parse_join_payload"]

DEFAULT_WAIT_MS: Final = 15_000
MAX_WAIT_MS: Final = 20_000
"""The real server's ``postgres_changes_wait_max_timeout`` default: asking for more waits less."""


def binding_id(binding: dict[str, Any]) -> int:
    """A stable non-negative 32-bit id of a Postgres-changes binding map (canonical JSON)."""
    canonical = json.dumps(binding, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return zlib.crc32(canonical.encode("utf-8"))


@dataclass(frozen=True, slots=True)
class JoinConfig:
    """What a join asked for, after lenient validation."""

    private: bool = False
    broadcast_self: bool = False
    broadcast_ack: bool = False
    presence_enabled: bool = False
    presence_key: str | None = None
    postgres_changes: tuple[dict[str, Any], ...] = ()
    new_api: bool = False
    access_token: str | None = None
    replication_ready: bool = False
    wait_ms: int | None = None
    """With ``postgres_changes_options.wait``: how long the join reply may be held (clamped)."""
    problems: tuple[str, ...] = field(default=(), compare=False)


def _flexible_bool(section: dict[str, Any], name: str, problems: list[str]) -> bool:
    value = section.get(name, False)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    problems.append(f"{name}: unable to parse, expected boolean")
    return False


def _section(parent: dict[str, Any], name: str, problems: list[str]) -> dict[str, Any]:
    value = parent.get(name)
    if value is None:
        return {}
    if isinstance(value, dict):
        return value  # pyright: ignore[reportUnknownVariableType]
    problems.append(f"{name}: unable to parse, expected a map")
    return {}


def _presence_key(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def _postgres_changes(config: dict[str, Any], problems: list[str]) -> tuple[dict[str, Any], ...]:
    raw = config.get("postgres_changes")
    if not isinstance(raw, list):
        if raw is not None:
            problems.append("postgres_changes: unable to parse, expected an array of maps")
        return ()
    bindings: list[dict[str, Any]] = []
    for entry in raw:  # pyright: ignore[reportUnknownVariableType]
        if isinstance(entry, dict):
            bindings.append(entry)  # pyright: ignore[reportUnknownArgumentType]
        elif entry is not None:
            problems.append("postgres_changes: unable to parse, expected an array of maps")
    return tuple(bindings)


def _wait_ms(config: dict[str, Any], problems: list[str]) -> int | None:
    options = _section(config, "postgres_changes_options", problems)
    if not _flexible_bool(options, "wait", problems):
        return None
    timeout = options.get("timeout", DEFAULT_WAIT_MS)
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout <= 0:
        problems.append("timeout: must be an integer greater than 0")
        timeout = DEFAULT_WAIT_MS
    return min(timeout, MAX_WAIT_MS)


def _access_token(payload: dict[str, Any]) -> str | None:
    """The join's own token; ``None`` means "use the socket's token" (also for ``sb_`` keys)."""
    given = payload.get("access_token") or payload.get("user_token")
    if isinstance(given, str) and given.startswith("sb_"):
        return None
    for name in ("user_token", "access_token"):
        value = payload.get(name)
        if isinstance(value, str):
            return value
    return None


def parse_join_payload(payload: object) -> JoinConfig:
    """Read a join payload the way the real server does; never raises."""
    if not isinstance(payload, dict):
        return JoinConfig(problems=("payload: expected a map",))
    body: dict[str, Any] = payload  # pyright: ignore[reportUnknownVariableType]
    problems: list[str] = []
    config = _section(body, "config", problems)
    broadcast = _section(config, "broadcast", problems)
    presence = _section(config, "presence", problems)
    return JoinConfig(
        private=_flexible_bool(config, "private", problems),
        broadcast_self=_flexible_bool(broadcast, "self", problems),
        broadcast_ack=_flexible_bool(broadcast, "ack", problems),
        presence_enabled=_flexible_bool(presence, "enabled", problems),
        presence_key=_presence_key(presence.get("key")),
        postgres_changes=_postgres_changes(config, problems),
        new_api="config" in body,
        access_token=_access_token(body),
        replication_ready=_flexible_bool(broadcast, "replication_ready", problems),
        wait_ms=_wait_ms(config, problems),
        problems=tuple(problems),
    )
