"""The soak (``bench/soak.py``) for 20 seconds, in a subprocess: its verdict must be pass.

Four faults (restart, cut sockets, half-open, close 1011) happen during the run; the soak
exits 1 when an acknowledged broadcast was lost or any broadcast arrived twice.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.soak, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[3]


def test_a_short_soak_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    report_path = tmp_path / "soak.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench.soak", "--seconds", "20", "--json-out", str(report_path)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=100,
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
