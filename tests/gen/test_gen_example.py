"""The example app's generated module is up to date with its schema and channels."""

from __future__ import annotations

import pytest

from realtime_typed.gen.cli import main

from .gen_cases import ROOT

EXAMPLE = "examples/todo"


def test_example_module_is_fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    args = [
        "--tables",
        f"{EXAMPLE}/schema.sql",
        "--channels",
        f"{EXAMPLE}/channels.yaml",
        "-o",
        f"{EXAMPLE}/realtime_types.py",
        "--check",
    ]
    assert main(args) == 0
