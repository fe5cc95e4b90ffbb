"""The operating-system account the PostgreSQL server runs as.

PostgreSQL refuses to run as root. Under root the cluster runs as the unprivileged system user
``postgres`` (created with ``useradd --system`` when absent); any other user runs it as itself.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["SERVER_USER_NAME", "ServerUser", "server_user"]

SERVER_USER_NAME = "postgres"


@dataclass(frozen=True)
class ServerUser:
    """Who runs initdb, pg_ctl and postgres; ``switch`` is true when that is not the caller."""

    name: str
    uid: int
    gid: int
    switch: bool

    def own(self, path: Path) -> None:
        """Give ``path`` to this user (a no-op when it is the caller)."""
        if self.switch:
            os.chown(path, self.uid, self.gid)

    def popen_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for subprocess that run the child as this user."""
        if not self.switch:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": []}


def _ensure_system_user(name: str) -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        useradd = shutil.which("useradd") or "/usr/sbin/useradd"
        subprocess.run(
            [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
            check=True,
            capture_output=True,
        )
        return pwd.getpwnam(name)


def server_user(euid: int | None = None) -> ServerUser:
    """The account for a server started by a process with effective uid ``euid``."""
    effective = os.geteuid() if euid is None else euid
    if effective != 0:
        try:
            name = pwd.getpwuid(effective).pw_name
        except KeyError:
            name = str(effective)
        return ServerUser(name, effective, os.getegid(), switch=False)
    entry = _ensure_system_user(SERVER_USER_NAME)
    return ServerUser(entry.pw_name, entry.pw_uid, entry.pw_gid, switch=True)
