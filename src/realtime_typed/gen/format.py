"""Formatting of generated source with ruff, the way the project formats its own code.

Imports are sorted and unused ones dropped (``ruff check --fix`` with I, F401, RUF022), then
the code is formatted. A package's files are formatted in one ruff run per step. A module is
checked and formatted side by side: the check usually finds nothing to fix (the module lists
``__all__`` in ruff's order, and an ``import ... as _alias`` the source never mentions is
dropped beforehand, as ruff would drop it), and then the formatted source is the result;
otherwise the fixed source is formatted again.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
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
_IMPORT_BLOCK = re.compile(r"^(?:import|from) .*\n(?:(?:import|from) .*\n|\n)*", re.MULTILINE)
_ALIASED_IMPORT = re.compile(r"^import [\w.]+ as (_\w+)\n", re.MULTILINE)


def _unused_imports_dropped(source: str) -> str:
    """``source`` without the ``import module as _alias`` lines of its leading import block
    whose alias appears nowhere else: imports ruff's F401 would drop, left out beforehand so
    the check has nothing to fix."""
    block = _IMPORT_BLOCK.search(source)
    if block is None:
        return source
    kept = _ALIASED_IMPORT.sub(
        lambda line: line.group() if source.count(line.group(1)) > 1 else "", block.group()
    )
    return source[: block.start()] + kept + source[block.end() :]


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
    source = _unused_imports_dropped(source)
    with ThreadPoolExecutor(max_workers=1) as pool:
        formatted = pool.submit(_ruff, "format", *stdin, source=source)
        fixed = _ruff("check", *_FIXES, *stdin, source=source)
        if fixed == source:
            return formatted.result()
    return _ruff("format", *stdin, source=fixed)


def format_sources(sources: Mapping[str, str]) -> dict[str, str]:
    """Every source of a package by file name, fixed and formatted as :func:`format_source`."""
    with tempfile.TemporaryDirectory(prefix="realtime-gen-") as folder:
        root = Path(folder)
        for name, source in sources.items():
            text = _unused_imports_dropped(source)
            (root / name).write_text(text, encoding="utf-8", newline="\n")
        _ruff("check", *_FIXES, folder)
        _ruff("format", "--quiet", folder)
        return {name: (root / name).read_text(encoding="utf-8") for name in sources}
