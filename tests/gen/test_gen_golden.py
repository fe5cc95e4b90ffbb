"""Golden tests: regenerating each case reproduces its checked-in module byte for byte.

Set ``REALTIME_GEN_UPDATE_GOLDEN=1`` to rewrite the expected modules after an intended change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from realtime_typed.gen.cli import main

from .gen_cases import CASES, ROOT, GoldenCase


@pytest.fixture(autouse=True)
def _at_repository_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_regenerating_reproduces_the_golden_module(case: GoldenCase, tmp_path: Path) -> None:
    output = tmp_path / "module.py"
    assert main([*case.args, "-o", str(output)]) == 0
    if os.environ.get("REALTIME_GEN_UPDATE_GOLDEN"):
        (ROOT / case.expected).write_bytes(output.read_bytes())
    assert output.read_bytes() == (ROOT / case.expected).read_bytes()


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_check_passes_on_the_golden_module(case: GoldenCase) -> None:
    assert main([*case.args, "-o", str(case.expected), "--check"]) == 0


def test_check_fails_with_a_diff_on_a_stale_module(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = CASES[1]
    stale = tmp_path / "stale.py"
    stale.write_text((ROOT / case.expected).read_text().replace("class Todos:", "class Todo:"))
    before = stale.read_bytes()
    assert main([*case.args, "-o", str(stale), "--check"]) == 1
    out = capsys.readouterr()
    assert "-    class Todo:" in out.out
    assert "+    class Todos:" in out.out
    assert "is stale" in out.err
    assert stale.read_bytes() == before


def test_check_fails_when_the_module_is_missing(tmp_path: Path) -> None:
    assert main([*CASES[1].args, "-o", str(tmp_path / "absent.py"), "--check"]) == 1
    assert not (tmp_path / "absent.py").exists()


def test_generation_is_deterministic_across_runs(tmp_path: Path) -> None:
    first, second = tmp_path / "a.py", tmp_path / "b.py"
    args = CASES[0].args
    assert main([*args, "-o", str(first)]) == 0
    assert main([*args, "-o", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()


def test_lossy_columns_are_reported_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*CASES[1].args, "-o", str(tmp_path / "m.py")]) == 0
    err = capsys.readouterr().err
    assert "schema.sql:60:3: all_types.c_char: warning: char(n) values arrive cut" in err
    assert "all_types.c_bit: warning: bit(n) values arrive cut to their first bit" in err
    assert "app.accounts.ratio: warning: NaN and Infinity arrive as null" in err
    assert "c_char1" not in err
    assert "c_bit1" not in err
