"""Build every generated file, format it with ruff, and write or compare the output directory.

The output is a pure function of ``schema/``, ``codegen/templates/`` and the pinned tool
versions: no timestamps, no absolute paths, ruff settings given on the command line. The stamp
file records the SHA-256 of each schema file and template behind the current output.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from codegen.bundle import load_schema_set
from codegen.ir import join_error_codes, message_set
from codegen.models import generate_models
from codegen.render import TEMPLATES_DIR, render

__all__ = ["STAMP_FILE", "build_outputs", "diff_outputs", "write_outputs"]

STAMP_FILE = "stamp.json"

_EXTRA_FIELDS: Mapping[str, Literal["allow", "forbid"]] = {"client": "forbid", "server": "allow"}
_MODULE_DOCSTRINGS = {
    "client": "Messages the client pushes: strict models (unknown keys are refused).",
    "server": "Messages the server sends: lenient models (unknown keys are kept).",
}


def _ruff_format(source: str, filename: str) -> str:
    command = [
        sys.executable,
        "-m",
        "ruff",
        "format",
        "--isolated",
        "--line-length=100",
        "--target-version=py311",
        f"--stdin-filename={filename}",
        "-",
    ]
    result = subprocess.run(command, input=source, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"ruff format failed on {filename}:\n{result.stderr}")
    return result.stdout


def _digests(directory: Path, pattern: str) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.glob(pattern))
    }


def build_outputs(schema_dir: Path) -> dict[str, str]:
    """File name to content for every file of the generated package."""
    schemas = load_schema_set(schema_dir)
    header = render("header.py.j2")
    bundles = {"client": schemas.bundle("client.yaml"), "server": schemas.bundle("server.yaml")}
    sources: dict[str, str] = {"__init__.py": render("init.py.j2")}
    for module, bundle in bundles.items():
        module_header = f'{header}"""{_MODULE_DOCSTRINGS[module]}"""'
        sources[f"{module}.py"] = generate_models(
            bundle, header=module_header, extra=_EXTRA_FIELDS[module]
        )
    sources["events.py"] = render(
        "events.py.j2",
        client=message_set(bundles["client"]),
        server=message_set(bundles["server"]),
        join_error_codes=join_error_codes(schemas),
    )
    outputs = {name: _ruff_format(source, name) for name, source in sources.items()}
    stamp = {
        "schema": _digests(schema_dir, "*.yaml"),
        "templates": _digests(TEMPLATES_DIR, "*.j2"),
    }
    outputs[STAMP_FILE] = json.dumps(stamp, indent=2, sort_keys=True) + "\n"
    return outputs


def _generated_files(directory: Path) -> dict[str, str]:
    if not directory.is_dir():
        return {}
    return {
        path.name: path.read_text(encoding="utf-8")
        for path in sorted(directory.iterdir())
        if path.is_file()
    }


def write_outputs(outputs: Mapping[str, str], directory: Path) -> None:
    """Make ``directory`` hold exactly ``outputs``: write them and remove any other file."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in _generated_files(directory).keys() - outputs.keys():
        (directory / name).unlink()
    for name, content in outputs.items():
        (directory / name).write_text(content, encoding="utf-8", newline="\n")


def diff_outputs(expected: Path, actual: Path, label: str) -> str:
    """A unified diff from the files in ``actual`` to the freshly generated ``expected``."""
    fresh = _generated_files(expected)
    current = _generated_files(actual)
    chunks: list[str] = []
    for name in sorted(fresh.keys() | current.keys()):
        if name not in fresh:
            chunks.append(f"Only in {label}: {name} (not generated; regenerating removes it)\n")
            continue
        before = current.get(name, "")
        after = fresh[name]
        if name not in current or before != after:
            chunks.extend(
                difflib.unified_diff(
                    before.splitlines(keepends=True),
                    after.splitlines(keepends=True),
                    fromfile=f"{label}/{name}" if name in current else "/dev/null",
                    tofile=f"{label}/{name} (regenerated)",
                )
            )
    return "".join(chunks)
