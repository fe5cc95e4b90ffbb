"""Formatting: what ``ruff check --fix`` then ``ruff format`` make of a source, with or without
the imports format.py drops itself and whether or not the check has something to fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from realtime_typed.gen.cli import main
from realtime_typed.gen.format import format_source

_RUFF = [sys.executable, "-m", "ruff"]
_OPTIONS = ["--isolated", "--line-length", "100", "--target-version", "py311"]
_FIXES = ["--fix", "--select", "I,F401,RUF022", "--exit-zero", "--quiet"]
_FIRST_PARTY = ["--config", "lint.isort.known-first-party = ['realtime_typed']"]
_STDIN = ["--stdin-filename", "generated.py", "-"]

_IMPORTS = """\
from __future__ import annotations

import builtins as _b
import datetime as _dt
import typing as _t
import uuid as _uuid

import pydantic as _pd

import realtime_typed as _rt
"""


def _ruff(source: str, *args: str) -> str:
    command = [*_RUFF, *args, *_OPTIONS, *_FIRST_PARTY, *_STDIN]
    return subprocess.run(command, input=source, capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("__all__ = ['A', 'B']\n\nA: _t.TypeAlias = _b.int\nB = _rt\n", id="nothing"),
        pytest.param("__all__ = ['B', 'A']\nA = _b.int\nB = _uuid.UUID\n", id="unsorted-all"),
        pytest.param("x: _pd.BaseModel | _dt.date\n", id="unused-imports"),
        pytest.param("import pydantic as _pd\nx = _pd\n", id="duplicate-import"),
        pytest.param('"""_uuid and _rt are named only here."""\n', id="named-in-text"),
    ],
)
def test_the_result_is_what_ruff_alone_makes(body: str) -> None:
    source = f"{_IMPORTS}\n{body}"
    fixed = _ruff(source, "check", *_FIXES)
    assert format_source(source) == _ruff(fixed, "format")


def test_a_line_that_reads_as_an_import_in_a_docstring_stays(tmp_path: Path) -> None:
    schema = tmp_path / "schema.sql"
    schema.write_text(
        "create type mood as enum ('ok');\n"
        "comment on type mood is E'Read with\\nimport json as _unused_alias\\nin mind.';\n"
        "create table t (id int primary key, m mood);\n",
        encoding="utf-8",
    )
    output = tmp_path / "out.py"
    assert main(["--tables", str(schema), "-o", str(output)]) == 0
    assert "\nimport json as _unused_alias\n" in output.read_text(encoding="utf-8")
