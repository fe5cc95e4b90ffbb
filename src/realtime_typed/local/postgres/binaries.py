"""Locating the PostgreSQL server binaries and the wal2json output plugin."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["INSTALL_HINT", "PostgresBinaries", "PostgresNotInstalled", "find_binaries"]

INSTALL_HINT = "apt-get install postgresql-15 postgresql-15-wal2json"
_REQUIRED = ("initdb", "pg_ctl", "postgres", "pg_config")


class PostgresNotInstalled(RuntimeError):
    """PostgreSQL or wal2json is missing; the message says what to install."""


@dataclass(frozen=True)
class PostgresBinaries:
    """The server binaries of one PostgreSQL installation that also has wal2json."""

    bindir: Path
    major_version: int

    def path(self, name: str) -> str:
        """The full path of one binary of this installation."""
        return str(self.bindir / name)


def _pg_config_bindir() -> Path | None:
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        return None
    result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
    return Path(result.stdout.strip()) if result.returncode == 0 and result.stdout.strip() else None


def _debian_bindirs() -> list[Path]:
    def version(path: Path) -> int:
        name = path.parent.name
        return int(name) if name.isdigit() else -1

    return sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)


def _candidates(bindir: Path | None) -> list[Path]:
    if bindir is not None:
        return [bindir]
    found = _pg_config_bindir()
    return ([found] if found is not None else []) + _debian_bindirs()


def _has_server(bindir: Path) -> bool:
    return all((bindir / name).is_file() for name in _REQUIRED)


def _pg_config(bindir: Path, flag: str) -> str:
    result = subprocess.run(
        [str(bindir / "pg_config"), flag], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def find_binaries(bindir: Path | None = None) -> PostgresBinaries:
    """The first installation (``bindir``, ``pg_config --bindir``, /usr/lib/postgresql/*/bin)
    with initdb, pg_ctl and postgres, checked to have wal2json; raises PostgresNotInstalled."""
    usable = next((path for path in _candidates(bindir) if _has_server(path)), None)
    if usable is None:
        searched = ", ".join(str(path) for path in _candidates(bindir)) or "nothing on PATH"
        raise PostgresNotInstalled(
            f"PostgreSQL server binaries ({', '.join(_REQUIRED)}) not found "
            f"(searched {searched}); install them with: {INSTALL_HINT}"
        )
    match = re.search(r"(\d+)", _pg_config(usable, "--version"))
    major = int(match.group(1)) if match else 0
    pkglibdir = Path(_pg_config(usable, "--pkglibdir"))
    if not (pkglibdir / "wal2json.so").is_file():
        raise PostgresNotInstalled(
            f"the wal2json output plugin is missing for PostgreSQL {major} "
            f"(no wal2json.so in {pkglibdir}); install it with: "
            f"apt-get install postgresql-{major}-wal2json"
        )
    return PostgresBinaries(bindir=usable, major_version=major)
