"""realtime-gen at scale: a synthetic schema of 1,000 tables.

Prints one JSON line: the time to generate the module (target under 5 s), to import it in a
fresh interpreter (target under 1 s; ``import_s`` with its bytecode cached, as an installed
app runs, ``import_cold_s`` compiling the source), to import it and build one table's keys,
and to run ``mypy --strict`` on it. Then the same for a package (``-o folder``) of the tables
with 20 columns each (``package_*``), checked by ``mypy --strict`` and by pyright strict with
a file that uses the last table's row, so a type pyright gives up on fails the run.

    python bench/gen_bench.py [--tables 1000]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from realtime_typed.gen.cli import main as realtime_gen

_COLUMNS = (
    "id bigint generated always as identity primary key",
    "owner uuid not null",
    "title text not null",
    "body text",
    "state {schema}.state not null default 'open'",
    "amount numeric(12, 2)",
    "score double precision",
    "tags text[]",
    "meta jsonb",
    "created_at timestamptz not null default now()",
    "updated_at timestamptz",
    "parent_id bigint",
    "rank int not null default 0",
    "slug varchar(80)",
    "visible boolean not null default true",
    "due date",
    "ratio real",
    "remote_addr inet",
    "reviewer uuid",
    "notes text",
)


def synthetic_schema(tables: int, columns: int = 12) -> str:
    """``tables`` tables of ``columns`` columns each (at most 20), spread over ten schemas."""
    lines: list[str] = []
    for index in range(10):
        schema = "public" if index == 0 else f"s{index}"
        if index:
            lines.append(f"create schema {schema};")
        lines.append(f"create type {schema}.state as enum ('open', 'closed', 'archived');")
    for number in range(tables):
        index = number % 10
        schema = "public" if index == 0 else f"s{index}"
        body = ",\n  ".join(column.format(schema=schema) for column in _COLUMNS[:columns])
        lines.append(f"create table {schema}.table_{number} (\n  {body}\n);")
    return "\n".join(lines) + "\n"


def _timed_python(code: str, cwd: Path, *, bytecode: bool) -> float:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    result = subprocess.run(
        [sys.executable, *([] if bytecode else ["-B"]), "-c",
         f"import time; t = time.perf_counter(); {code}; print(time.perf_counter() - t)"],
        cwd=cwd, capture_output=True, text=True, check=True, env=env,
    )  # fmt: skip
    return float(result.stdout.strip().splitlines()[-1])


def run(tables: int) -> dict[str, float | int]:
    """Generate, import and type-check the synthetic module; seconds per step."""
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "schema.sql").write_text(synthetic_schema(tables))
        output = work / "bench_types.py"
        started = time.perf_counter()
        with contextlib.redirect_stderr(io.StringIO()):
            status = realtime_gen(["--tables", str(work / "schema.sql"), "-o", str(output)])
        generate_s = time.perf_counter() - started
        if status != 0:
            raise SystemExit(f"realtime-gen failed with {status}")
        import_cold_s = _timed_python("import bench_types", work, bytecode=False)
        _timed_python("import bench_types", work, bytecode=True)
        import_warm_s = _timed_python("import bench_types", work, bytecode=True)
        first_table_s = _timed_python(
            "import bench_types; bench_types.Table0.insert", work, bytecode=True
        )
        started = time.perf_counter()
        checked = subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(output)],
            cwd=work, capture_output=True, text=True, check=False,
        )  # fmt: skip
        mypy_s = time.perf_counter() - started
        if checked.returncode != 0:
            raise SystemExit(f"mypy --strict failed:\n{checked.stdout}")
        return {
            **_package_run(work, tables),
            "tables": tables,
            "module_lines": len(output.read_text().splitlines()),
            "generate_s": round(generate_s, 3),
            "import_cold_s": round(import_cold_s, 3),
            "import_s": round(import_warm_s, 3),
            "first_table_s": round(first_table_s, 3),
            "mypy_strict_s": round(mypy_s, 3),
        }


_USE_PACKAGE = """\
from typing import assert_type

from bench_package import {last}
from realtime_typed import InsertChange


def on_insert(change: InsertChange[{last}.Row]) -> None:
    assert_type(change.record.notes, str | None)
    assert_type(change.record.rank, int)
"""


def _checked(command: list[str], work: Path, what: str) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=work, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{what} failed:\n{result.stdout}{result.stderr}")
    return elapsed


def _package_run(work: Path, tables: int) -> dict[str, float | int]:
    """The package output for ``tables`` tables of 20 columns: generate, import, check."""
    (work / "wide.sql").write_text(synthetic_schema(tables, columns=20))
    package = work / "bench_package"
    started = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()):
        status = realtime_gen(["--tables", str(work / "wide.sql"), "-o", str(package)])
    generate_s = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"realtime-gen failed with {status}")
    index = (tables - 1) % 10
    last = f"S{index}Table{tables - 1}" if index else f"Table{tables - 1}"
    (work / "use_package.py").write_text(_USE_PACKAGE.format(last=last))
    _timed_python("import bench_package", work, bytecode=True)
    import_s = _timed_python("import bench_package", work, bytecode=True)
    first_table_s = _timed_python(
        f"import bench_package; bench_package.{last}.insert", work, bytecode=True
    )
    (work / "pyrightconfig.json").write_text(
        json.dumps({"typeCheckingMode": "strict", "pythonVersion": "3.11"})
    )
    files = ["bench_package", "use_package.py"]
    mypy_s = _checked(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *files],
        work, "mypy --strict on the package",
    )  # fmt: skip
    pyright = Path(sys.executable).with_name("pyright")
    pyright_s = _checked(
        [str(pyright), "--pythonpath", sys.executable, *files],
        work, "pyright strict on the package",
    )  # fmt: skip
    return {
        "package_columns": tables * 20,
        "package_modules": len(list(package.glob("*.py"))),
        "package_generate_s": round(generate_s, 3),
        "package_import_s": round(import_s, 3),
        "package_first_table_s": round(first_table_s, 3),
        "package_mypy_strict_s": round(mypy_s, 3),
        "package_pyright_strict_s": round(pyright_s, 3),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="realtime-gen at scale: 1,000 tables.")
    parser.add_argument("--tables", type=int, default=1000)
    print(json.dumps(run(parser.parse_args().tables)))
