"""The golden cases of realtime-gen: inputs under ``data/`` and the modules they must produce."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = Path("tests/gen/data")
SCHEMA_SQL = DATA / "schema.sql"
MIGRATIONS = DATA / "migrations"
CHANNELS = DATA / "channels.yaml"
HOSTILE_SQL = DATA / "hostile.sql"
ORDERS_SQL = DATA / "orders.sql"
HOSTILE_CHANNELS = DATA / "hostile_channels.yaml"
HOSTILE_RENAMES = ("--rename", '"Items"=CapitalItems', "--rename", 'public."None"."x-y"=x_dash_y')
RENAMES = ("--rename", 'public."Weird Names"."x-y"=x_dash_y')
"""``"x y"`` and ``"x-y"`` would both be the field ``x_y``: the schema cases name one."""


@dataclass(frozen=True)
class GoldenCase:
    """CLI arguments (relative to the repository root) and the checked-in module they give."""

    name: str
    args: tuple[str, ...]
    expected: Path


CASES = (
    GoldenCase(
        "schema_and_channels",
        ("--tables", str(SCHEMA_SQL), *RENAMES, "--channels", str(CHANNELS)),
        Path("tests/typing/typed_app.py"),
    ),
    GoldenCase(
        "schema",
        ("--tables", str(SCHEMA_SQL), *RENAMES),
        Path("tests/gen/expected/schema_types.py"),
    ),
    GoldenCase(
        "migrations",
        ("--migrations", str(MIGRATIONS)),
        Path("tests/gen/expected/migrations_types.py"),
    ),
    GoldenCase(
        "channels", ("--channels", str(CHANNELS)), Path("tests/gen/expected/channels_types.py")
    ),
    GoldenCase(
        "hostile_names",
        ("--tables", str(HOSTILE_SQL), *HOSTILE_RENAMES, "--channels", str(HOSTILE_CHANNELS)),
        Path("tests/gen/expected/hostile_types.py"),
    ),
    GoldenCase(
        "strict_enums",
        ("--tables", str(ORDERS_SQL), "--strict-enums"),
        Path("tests/typing/strict_app.py"),
    ),
    GoldenCase(
        "one_schema",
        ("--tables", str(SCHEMA_SQL), "--schema", "app"),
        Path("tests/gen/expected/app_schema_types.py"),
    ),
)


def body(module: str) -> str:
    """A generated module without its header comments, which name the inputs."""
    lines = module.splitlines(keepends=True)
    return "".join(line for line in lines if not line.startswith("# "))
