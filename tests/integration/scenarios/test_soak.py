"""The soak (``bench/soak.py``) for 60 seconds, in a subprocess: its verdict must be pass.

Faults (restart, cut sockets, half-open, close 1011) happen during the run; the soak
exits 1 when an acknowledged broadcast was lost or any broadcast arrived twice. Its bookkeeping,
``NumberRanges``, is checked against a plain set.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

pytestmark = [pytest.mark.soak, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[3]


def _number_ranges() -> Any:
    """``bench.number_ranges.NumberRanges``, loaded by path (``bench`` is not installed)."""
    spec = importlib.util.spec_from_file_location(
        "soak_number_ranges", ROOT / "bench" / "number_ranges.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.NumberRanges


NumberRanges = _number_ranges()


@pytest.mark.timeout(300)
def test_a_short_soak_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    report_path = tmp_path / "soak.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench.soak", "--seconds", "60", "--json-out", str(report_path)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(report_path.read_text())
    assert report["verdict"] == "pass"
    broadcast = report["broadcast"]
    assert broadcast["acknowledged"] > 0
    assert broadcast["acknowledged_lost"] == 0
    assert broadcast["duplicates"] == 0
    assert broadcast["peer_duplicates"] == 0
    assert report["postgres"]["duplicates"] == 0
    assert sum(report["faults"].values()) >= 4
    assert report["rejoins"]
    assert report["memory"]["samples"] > 0
    assert max(report["bookkeeping_ranges"].values()) < broadcast["acknowledged"]


@given(
    st.lists(st.integers(min_value=0, max_value=300), max_size=200), st.sets(st.integers(0, 300))
)
def test_number_ranges_behave_as_a_set(numbers: list[int], others: set[int]) -> None:
    ranges, seen = NumberRanges(), set[int]()
    for number in numbers:
        assert ranges.add(number) is (number not in seen)
        seen.add(number)
    assert len(ranges) == len(seen)
    assert [n for start, end in ranges.ranges() for n in range(start, end)] == sorted(seen)
    other = NumberRanges()
    for number in others:
        other.add(number)
    assert ranges.missing_from(other) == len(seen - others)
    assert ranges.first_missing_from(other, 5) == sorted(seen - others)[:5]
