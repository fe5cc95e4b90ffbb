"""Postgres changes decode: N INSERT changes of a 20-column table, from frame text to callback.

Pure decode, no socket and no database. Each frame is the text a server sends; the measured
work is what each client does with it before calling the app's callback:

- ``official``: ``ServerMessageAdapter.validate_json`` (vsn 1.0.0 frame) and the client's
  ``PostgresChangesCallback`` matching, which hands over the untyped dict;
- ``realtime_typed``: ``decode_server_frame`` (vsn 2.0.0 frame) and ``ChangeSpec.decode``
  into ``InsertChange[Orders.Row]``, the row model that ``realtime-gen`` emits for the table's
  DDL (numeric as ``Decimal``, ``uuid`` as ``UUID``, timestamps as aware datetimes).

Run: ``python -m bench.decode_bench --impl official|realtime_typed [--count 10000]``.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.harness import Meter, emit

DDL = """
create table public.orders (
  id bigint primary key,
  customer_id uuid not null,
  status text not null,
  note text,
  amount numeric(12, 2) not null,
  tax numeric(12, 2),
  quantity integer not null,
  weight double precision,
  paid boolean not null,
  tags text[],
  meta jsonb,
  created_at timestamptz not null,
  updated_at timestamptz,
  ship_date date,
  code varchar(32),
  priority smallint,
  discount real,
  region text,
  parent_id bigint,
  version integer not null
);
"""
COLUMN_TYPES = (
    ("id", "int8"),
    ("customer_id", "uuid"),
    ("status", "text"),
    ("note", "text"),
    ("amount", "numeric"),
    ("tax", "numeric"),
    ("quantity", "int4"),
    ("weight", "float8"),
    ("paid", "bool"),
    ("tags", "_text"),
    ("meta", "jsonb"),
    ("created_at", "timestamptz"),
    ("updated_at", "timestamptz"),
    ("ship_date", "date"),
    ("code", "varchar"),
    ("priority", "int2"),
    ("discount", "float4"),
    ("region", "text"),
    ("parent_id", "int8"),
    ("version", "int4"),
)


class Counter:
    """The app's callback: counts what it is given and keeps nothing (as a UI update would)."""

    def __init__(self) -> None:
        self.count = 0

    def hit(self, _change: object) -> None:
        """Count one change."""
        self.count += 1


def record(index: int) -> dict[str, Any]:
    """One row as the server's JSON carries it."""
    return {
        "id": index,
        "customer_id": str(uuid.UUID(int=index * 7919)),
        "status": "paid" if index % 2 else "open",
        "note": None if index % 3 else f"note {index}",
        "amount": f"{index % 10000}.{index % 100:02d}",
        "tax": f"{index % 500}.25",
        "quantity": index % 17,
        "weight": index * 0.5,
        "paid": bool(index % 2),
        "tags": ["a", "b"],
        "meta": {"k": index, "v": [1, 2]},
        "created_at": f"2024-05-{index % 28 + 1:02d}T12:34:56.789012+00:00",
        "updated_at": None,
        "ship_date": "2024-06-01",
        "code": f"C{index:08d}",
        "priority": index % 5,
        "discount": 0.25,
        "region": "eu-west",
        "parent_id": None,
        "version": 1,
    }


def frames(count: int) -> tuple[list[str], list[str]]:
    """The changes as compact v1 (object) and v2 (array) text frames, numeric as numbers."""
    v1: list[str] = []
    v2: list[str] = []
    columns = [{"name": name, "type": kind} for name, kind in COLUMN_TYPES]
    for index in range(count):
        row = record(index)
        # numeric values travel as JSON numbers, as wal2json writes them
        row_text = json.dumps(row, separators=(",", ":"))
        for name in ("amount", "tax"):
            row_text = row_text.replace(f'"{name}":"{row[name]}"', f'"{name}":{row[name]}')
        data = (
            '{"schema":"public","table":"orders","commit_timestamp":'
            '"2024-05-01T12:34:56.789Z","type":"INSERT","columns":'
            f'{json.dumps(columns, separators=(",", ":"))},"record":{row_text},"errors":null}}'
        )
        payload = f'{{"ids":[1],"data":{data}}}'
        v1.append(
            '{"topic":"realtime:db","event":"postgres_changes",'
            f'"payload":{payload},"ref":null,"join_ref":null}}'
        )
        v2.append(f'[null,null,"realtime:db","postgres_changes",{payload}]')
    return v1, v2


def generated_module(folder: Path) -> ModuleType:
    """The ``realtime-gen`` module for :data:`DDL`."""
    schema = folder / "schema.sql"
    schema.write_text(DDL)
    output = folder / "orders_types.py"
    command = [sys.executable, "-m", "realtime_typed.gen.cli", "--tables", str(schema)]
    subprocess.run([*command, "-o", str(output)], check=True, capture_output=True)
    spec = importlib.util.spec_from_file_location("orders_types", output)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["orders_types"] = module
    spec.loader.exec_module(module)
    return module


def official(texts: list[str]) -> Meter:
    from realtime.message import ServerMessageAdapter
    from realtime.types import PostgresChangesCallback, RealtimePostgresChangesListenEvent

    got = Counter()
    callback = PostgresChangesCallback(
        got.hit, RealtimePostgresChangesListenEvent.Insert, "orders", "public", None, id=1
    )
    validate = ServerMessageAdapter.validate_json
    meter = Meter()
    meter.start()
    for text in texts:
        message: Any = validate(text)
        callback(message.payload)
    meter.stop()
    assert got.count == len(texts)
    return meter


def realtime_typed(texts: list[str], module: ModuleType) -> Meter:
    from realtime_typed.protocol.frames import decode_server_frame

    decode = module.Orders.insert.decode
    got = Counter()
    hit = got.hit
    meter = Meter()
    meter.start()
    for text in texts:
        frame = decode_server_frame(text, "2.0.0")
        hit(decode(frame.payload["data"]))
    meter.stop()
    assert got.count == len(texts)
    return meter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--impl", choices=("official", "realtime_typed"), required=True)
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    v1, v2 = frames(args.count)
    with tempfile.TemporaryDirectory() as folder:
        if args.impl == "official":
            official(v1[:100])
            gc.collect()
            meter = official(v1)
        else:
            module = generated_module(Path(folder))
            realtime_typed(v2[:100], module)
            gc.collect()
            meter = realtime_typed(v2, module)
    emit(
        "decode",
        args.impl,
        count=args.count,
        changes_per_s=args.count / meter.wall_s,
        wall_s=meter.wall_s,
        cpu_s=meter.cpu_s,
    )


if __name__ == "__main__":
    main()
