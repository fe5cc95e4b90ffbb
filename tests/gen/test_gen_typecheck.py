"""Generated modules, the type tests and the example app pass ``mypy --strict``."""

from __future__ import annotations

import subprocess
import sys

from .gen_cases import CASES, ROOT


def test_generated_modules_pass_mypy_strict() -> None:
    targets = [str(case.expected) for case in CASES if case.expected.parent.name == "expected"]
    runs = [
        [*targets],
        ["tests/typing"],
        ["examples/todo/app.py", "examples/todo/worker.py", "examples/todo/realtime_types.py"],
    ]
    for files in runs:
        result = subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *files],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
