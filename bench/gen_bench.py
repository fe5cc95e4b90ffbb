"""realtime-gen at scale: a synthetic schema of 1,000 tables.

Prints one JSON line: the time to generate the module (target under 5 s), to import it in a
fresh interpreter (target under 1 s; ``import_s`` with its bytecode cached, as an installed
app runs, ``import_cold_s`` compiling the source), to import it and build one table's keys,
and to run ``mypy --strict`` on it.

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
)


def synthetic_schema(tables: int) -> str:
    """``tables`` tables of a dozen columns each, spread over ten schemas."""
    lines: list[str] = []
    for index in range(10):
        schema = "public" if index == 0 else f"s{index}"
        if index:
            lines.append(f"create schema {schema};")
        lines.append(f"create type {schema}.state as enum ('open', 'closed', 'archived');")
    for number in range(tables):
        index = number % 10
        schema = "public" if index == 0 else f"s{index}"
        columns = ",\n  ".join(column.format(schema=schema) for column in _COLUMNS)
        lines.append(f"create table {schema}.table_{number} (\n  {columns}\n);")
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
            "tables": tables,
            "module_lines": len(output.read_text().splitlines()),
            "generate_s": round(generate_s, 3),
            "import_cold_s": round(import_cold_s, 3),
            "import_s": round(import_warm_s, 3),
            "first_table_s": round(first_table_s, 3),
            "mypy_strict_s": round(mypy_s, 3),
        }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="realtime-gen at scale: 1,000 tables.")
    parser.add_argument("--tables", type=int, default=1000)
    print(json.dumps(run(parser.parse_args().tables)))
