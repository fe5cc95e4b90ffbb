"""Formatting of generated source with ruff, the way the project formats its own code."""

from __future__ import annotations

import subprocess
import sys

from realtime_typed.errors import SchemaError

__all__ = ["format_source"]

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


def _ruff(*args: str, source: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *args, *_OPTIONS, "--stdin-filename", "generated.py", "-"],
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
    fixed = _ruff("check", "--fix", "--select", "I,F401,RUF022", "--exit-zero", source=source)
    return _ruff("format", source=fixed)
