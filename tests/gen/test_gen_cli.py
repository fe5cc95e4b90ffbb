"""``realtime-gen`` as a command: the summary line, empty input, ``--version``, one-line errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from realtime_typed.gen.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "todo"


def run(folder: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the command in ``folder``; its status, stdout and stderr."""
    before = Path.cwd()
    os.chdir(folder)
    try:
        try:
            status = main(list(args))
        except SystemExit as exit_:
            status = int(exit_.code or 0)
    finally:
        os.chdir(before)
    out, err = capsys.readouterr()
    return status, out, err


def test_one_summary_line_says_what_was_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("schema.sql", "channels.yaml"):
        (tmp_path / name).write_text((EXAMPLE / name).read_text())
    args = ("--tables", "schema.sql", "--channels", "channels.yaml", "-o", "app/types.py")
    status, out, err = run(tmp_path, capsys, *args)
    assert (status, err) == (0, "")
    assert out == (
        "realtime-gen: wrote app/types.py: 1 table (todos), 1 enum (todo_state),"
        " 1 channel (TodoList)\n"
    )
    status, out, _ = run(tmp_path, capsys, *args, "--check")
    assert status == 0
    assert out.startswith("realtime-gen: app/types.py is up to date: 1 table (todos)")


def test_input_without_tables_or_channels_is_refused_unless_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty.sql").write_text("-- nothing yet\n")
    status, out, err = run(tmp_path, capsys, "--tables", "empty.sql", "-o", "types.py")
    assert (status, out) == (2, "")
    assert err == (
        "realtime-gen: error: the input declares no table and no channel, so the module would"
        " be empty (--allow-empty writes it anyway)\n"
    )
    assert not (tmp_path / "types.py").exists()
    args = ("--tables", "empty.sql", "-o", "types.py", "--allow-empty")
    status, out, _ = run(tmp_path, capsys, *args)
    assert (status, out) == (0, "realtime-gen: wrote types.py: 0 tables, 0 enums, 0 channels\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--tables", "schema.sql"), "the following arguments are required: -o/--output"),
        (("--tables", "missing.sql", "-o", "x.py"), "missing.sql: cannot read SQL"),
        (("--bogus", "-o", "x.py"), "unrecognized arguments: --bogus"),
    ],
)
def test_errors_are_one_line_with_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    status, out, err = run(tmp_path, capsys, *args)
    assert (status, out) == (2, "")
    [line] = err.splitlines()
    assert line.startswith("realtime-gen: error: ")
    assert message in line


def test_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(tmp_path, capsys, "--version")
    assert status == 0
    assert out.startswith("realtime-gen ")
