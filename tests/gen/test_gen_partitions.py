"""Change keys only where changes arrive: partitioned tables against the local server's feed.

With ``publish_via_partition_root`` false and true, a row is inserted through the
partitioned table, then a row into an ordinary table; once that second change arrives, a
subscription to each table has received all it ever will. A generated class has change keys
exactly when its table's subscription received the insert.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import psycopg
import pytest

from realtime_typed.gen.cli import main
from realtime_typed.local.postgres import PostgresChangesFeed

from .gen_cases import ROOT

WAIT_S = 10.0
SCHEMA = """
create table public.events (
  id int not null,
  at date not null,
  primary key (id, at)
) partition by range (at);
create table public.events_2024 partition of public.events
  for values from ('2024-01-01') to ('2025-01-01');
create table public.sentinel (id int primary key);
alter publication supabase_realtime add table public.events, public.sentinel;
alter publication supabase_realtime set (publish_via_partition_root = {via_root});
"""
CLASSES = {"events": "Events", "events_2024": "Events2024", "sentinel": "Sentinel"}


def _module(tmp_path: Path, sql: str) -> ModuleType:
    schema = tmp_path / "schema.sql"
    schema.write_text(sql)
    output = tmp_path / "partition_types.py"
    assert main(["--tables", str(schema), "-o", str(output)]) == 0
    spec = importlib.util.spec_from_file_location(f"partition_types_{id(sql)}", output)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


async def _delivered(database: str) -> set[str]:
    """The tables whose subscription receives the insert made through the partitioned table."""
    arrived: set[str] = set()
    sentinel = asyncio.Event()
    feed = PostgresChangesFeed(database)
    await feed.start()
    try:
        for table in CLASSES:

            async def deliver(payload: dict[str, Any], table: str = table) -> None:
                arrived.add(table)
                if table == "sentinel":
                    sentinel.set()

            binding = {"event": "INSERT", "schema": "public", "table": table}
            await feed.subscribe(table, [(1, binding)], {"role": "service_role"}, deliver)
        with psycopg.connect(database, autocommit=True) as conn:
            conn.execute(b"insert into public.events values (1, '2024-05-01')")
            conn.execute(b"insert into public.sentinel values (1)")
        await asyncio.wait_for(sentinel.wait(), WAIT_S)
    finally:
        await feed.stop()
    return arrived - {"sentinel"}


@pytest.mark.postgres
@pytest.mark.parametrize("via_root", [False, True], ids=["leaves", "via-root"])
async def test_change_keys_exactly_where_changes_arrive(
    via_root: bool, database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    sql = SCHEMA.format(via_root=str(via_root).lower())
    module = _module(tmp_path, sql)
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(sql.encode())
    delivered = await _delivered(database)
    assert delivered == (set[str]() if via_root else {"events_2024"})
    for table, name in CLASSES.items():
        cls = getattr(module, name)
        assert hasattr(cls, "insert") == (table in delivered or table == "sentinel"), table
        if table != "sentinel":
            assert ("No change keys" in (cls.__doc__ or "")) != (table in delivered), table
