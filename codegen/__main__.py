"""``python -m codegen [--check]``: regenerate ``src/realtime_typed/_generated`` from ``schema/``.

With ``--check`` nothing is written: the output is regenerated into a temporary directory and
compared with the checked-in files; any difference is printed as a unified diff and the
command exits 1 with "generated sources are outdated". A schema that cannot be bundled (bad
YAML, a reference that does not resolve, a name defined twice) exits 2.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from codegen.bundle import SchemaBundleError
from codegen.output import build_outputs, diff_outputs, write_outputs

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = Path("schema")
OUTPUT_DIR = Path("src/realtime_typed/_generated")


def main(argv: list[str] | None = None) -> int:
    """Run the generator; returns the process exit status."""
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    parser.add_argument(
        "--check", action="store_true", help="fail with a diff if the output is outdated"
    )
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository root")
    args = parser.parse_args(argv)
    root: Path = args.root
    try:
        outputs = build_outputs(root / SCHEMA_DIR)
    except SchemaBundleError as exc:
        print(f"error: schema/{exc}", file=sys.stderr)
        return 2
    target = root / OUTPUT_DIR
    if not args.check:
        write_outputs(outputs, target)
        print(f"generated {len(outputs)} files in {OUTPUT_DIR}")
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch)
        write_outputs(outputs, fresh)
        diff = diff_outputs(fresh, target, str(OUTPUT_DIR))
    if diff:
        sys.stdout.write(diff)
        print("generated sources are outdated: run `python -m codegen`", file=sys.stderr)
        return 1
    print("generated sources are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
