"""``python -m codegen``: reproducible output, and ``--check`` catching a stale or broken tree.

Every run works on a temporary copy of ``schema/`` and the generated package (``--root``), so
the real tree is never written.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
GENERATED = Path("src/realtime_typed/_generated")


def _codegen(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "codegen", "--root", str(root), *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def _files(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir()) if path.is_file()}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the schema and of the checked-in generated package."""
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    shutil.copytree(
        ROOT / GENERATED, tmp_path / GENERATED, ignore=shutil.ignore_patterns("__pycache__")
    )
    return tmp_path


def test_checked_in_output_is_current(tree: Path) -> None:
    result = _codegen(tree, "--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout


def test_generation_is_byte_for_byte_reproducible(tree: Path) -> None:
    checked_in = _files(tree / GENERATED)
    shutil.rmtree(tree / GENERATED)
    for _ in range(2):
        assert _codegen(tree).returncode == 0
        assert _files(tree / GENERATED) == checked_in


def test_check_reports_an_edited_file_with_a_diff(tree: Path) -> None:
    events = tree / GENERATED / "events.py"
    events.write_text(events.read_text().replace('"phx_join"', '"phx_joined"', 1))
    result = _codegen(tree, "--check")
    assert result.returncode == 1
    assert "generated sources are outdated" in result.stderr
    assert f"--- {GENERATED}/events.py" in result.stdout
    assert '-    "phx_joined",' in result.stdout
    assert '+    "phx_join",' in result.stdout


def test_check_reports_a_schema_change(tree: Path) -> None:
    join_errors = tree / "schema" / "join_errors.yaml"
    join_errors.write_text(join_errors.read_text() + "      - NewCode\n")
    result = _codegen(tree, "--check")
    assert result.returncode == 1
    assert '+    "NewCode",' in result.stdout
    assert "stamp.json" in result.stdout


def test_check_reports_a_missing_and_a_stray_file(tree: Path) -> None:
    (tree / GENERATED / "server.py").unlink()
    (tree / GENERATED / "stray.py").write_text("")
    result = _codegen(tree, "--check")
    assert result.returncode == 1
    assert "server.py" in result.stdout
    assert "stray.py" in result.stdout


def test_unresolved_reference_is_an_error(tree: Path) -> None:
    client = tree / "schema" / "client.yaml"
    client.write_text(client.read_text().replace("#/$defs/JoinPayload", "#/$defs/NoSuchThing"))
    result = _codegen(tree, "--check")
    assert result.returncode == 2
    assert "client.yaml: no definition named 'NoSuchThing'" in result.stderr


def test_a_name_defined_twice_is_an_error(tree: Path) -> None:
    (tree / "schema" / "extra.yaml").write_text("$defs:\n  JoinPayload:\n    type: object\n")
    result = _codegen(tree, "--check")
    assert result.returncode == 2
    assert "'JoinPayload' is already defined in client.yaml" in result.stderr
