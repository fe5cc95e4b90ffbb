"""Formatting of generated source with ruff, the way the project formats its own code.

Imports are sorted and unused ones dropped (``ruff check --fix`` with I, F401, RUF022), then
the code is formatted. A package's files are formatted in one ruff run per step.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from realtime_typed.errors import SchemaError

__all__ = ["format_source", "format_sources"]

_OPTIONS = [
    "--isolated",
    "--line-length",
    "100",
    "--target-version",
    "py311",
    "--config",
    "lint.isort.known-first-party = ['realtime_typed']",
]
"""The same output from any working directory: ruff would otherwise guess the first-party
packages from the folder it runs in."""
_FIXES = ["--fix", "--select", "I,F401,RUF022", "--exit-zero", "--quiet"]


def _ruff(*args: str, source: str | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *args, *_OPTIONS],
        input=source,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SchemaError(f"ruff could not format the generated module: {result.stderr.strip()}")
    return result.stdout


def format_source(source: str) -> str:
    """``source`` with imports sorted, unused ones dropped, and ruff-formatted."""
    stdin = ["--stdin-filename", "generated.py", "-"]
    fixed = _ruff("check", *_FIXES, *stdin, source=source)
    return _ruff("format", *stdin, source=fixed)


def format_sources(sources: Mapping[str, str]) -> dict[str, str]:
    """Every source of a package by file name, fixed and formatted as :func:`format_source`."""
    with tempfile.TemporaryDirectory(prefix="realtime-gen-") as folder:
        root = Path(folder)
        for name, source in sources.items():
            (root / name).write_text(source, encoding="utf-8", newline="\n")
        _ruff("check", *_FIXES, folder)
        _ruff("format", "--quiet", folder)
        return {name: (root / name).read_text(encoding="utf-8") for name in sources}
