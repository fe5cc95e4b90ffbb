"""Writing and checking what realtime-gen generates: one module, or a package folder.

A module is written to a temporary file and renamed over the old one. A package is written to
a temporary folder beside the target, which then takes the target's place, so a failed run
never leaves a partial module or package and no file of an older package survives. ``--check``
compares without writing and shows a unified diff of every file that differs, is missing or
would be removed.
"""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

__all__ = ["is_package", "stale_diff", "write_output"]


def is_package(output: Path) -> bool:
    """Whether ``-o`` names a package folder (anything not ending in ``.py``)."""
    return output.suffix != ".py"


def _mode(path: Path, default: int) -> int:
    umask = os.umask(0)
    os.umask(umask)
    return path.stat().st_mode & 0o777 if path.exists() else default & ~umask


def _write_module(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode(path, 0o666)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _write_package(folder: Path, files: Mapping[str, str]) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"{folder} exists and is not a folder")
    mode = _mode(folder, 0o777)
    temp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".tmp"))
    old = folder.parent / f"{temp.name}.old"
    try:
        for name, text in files.items():
            (temp / name).write_text(text, encoding="utf-8", newline="\n")
        os.chmod(temp, mode)
        if folder.exists():
            folder.rename(old)
        temp.rename(folder)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        if old.exists() and not folder.exists():
            old.rename(folder)
        raise
    shutil.rmtree(old, ignore_errors=True)


def write_output(output: Path, files: Mapping[str, str]) -> None:
    """Write a module (``files`` holds one entry, ``""``) or a package folder."""
    if is_package(output):
        _write_package(output, files)
    else:
        _write_module(output, files[""])


def _current(output: Path) -> dict[str, str]:
    if not is_package(output):
        return {"": output.read_text(encoding="utf-8")} if output.is_file() else {}
    if not output.is_dir():
        return {}
    return {
        path.name: path.read_text(encoding="utf-8")
        for path in sorted(output.iterdir())
        if path.is_file() and path.suffix == ".py"
    }


def stale_diff(output: Path, files: Mapping[str, str]) -> Iterator[str]:
    """The unified diff from what is on disk to ``files``; nothing when up to date."""
    current = _current(output)
    for name in sorted(current.keys() | files.keys()):
        before, after = current.get(name, ""), files.get(name, "")
        if name in current and before == after:
            continue
        path = (output / name if name else output).as_posix()
        yield from difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"{path} (on disk)",
            tofile=f"{path} (generated)",
        )
