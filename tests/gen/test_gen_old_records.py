"""``Old`` follows what the server sends: checked against the local server's Postgres feed.

For each replica identity (default, FULL with and without row level security, USING INDEX;
PostgreSQL refuses updates and deletes of a published table whose identity is NOTHING) a
generated module's ``Old`` model must require exactly the columns every delete's
``old_record`` holds, and validate every update's and delete's ``old_record``, as the feed
(a port of Realtime's ``apply_rls``) sends them over wal2json.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import Any

import psycopg
import pytest
from pydantic import BaseModel

from realtime_typed.gen.cli import main
from realtime_typed.local.postgres import PostgresChangesFeed

from .gen_cases import ROOT

WAIT_S = 10.0
SCHEMA = """
create table public.plain_default (id int primary key, body text, n int);

create table public.full_open (id int primary key, body text, n int);
alter table public.full_open replica identity full;

create table public.full_rls (id int primary key, body text, n int);
alter table public.full_rls replica identity full;
alter table public.full_rls enable row level security;
create policy "everyone reads" on public.full_rls for select using (true);

create table public.index_identity (id int primary key, code text not null, body text);
create unique index index_identity_code on public.index_identity (code);
alter table public.index_identity replica identity using index index_identity_code;
"""
TABLES = {
    "plain_default": ("PlainDefault", {"id"}),
    "full_open": ("FullOpen", {"id", "body", "n"}),
    "full_rls": ("FullRls", {"id"}),
    "index_identity": ("IndexIdentity", {"code"}),
}


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.chdir(ROOT)
    schema = tmp_path / "schema.sql"
    schema.write_text(SCHEMA)
    output = tmp_path / "old_records_types.py"
    assert main(["--tables", str(schema), "-o", str(output)]) == 0
    spec = importlib.util.spec_from_file_location("old_records_types", output)
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    sys.modules["old_records_types"] = loaded
    spec.loader.exec_module(loaded)
    return loaded


@pytest.fixture
async def feed(database: str) -> AsyncIterator[PostgresChangesFeed]:
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(SCHEMA.encode())
        conn.execute(f"alter publication supabase_realtime add table {', '.join(TABLES)}".encode())
    started = PostgresChangesFeed(database)
    await started.start()
    yield started
    await started.stop()


class _Inbox:
    """One subscription's deliveries, waited on with a timeout."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def deliver(self, payload: dict[str, Any]) -> None:
        await self._queue.put(payload)

    async def next(self) -> dict[str, Any]:
        return await asyncio.wait_for(self._queue.get(), WAIT_S)


def _required(model: type[BaseModel]) -> set[str]:
    return {name for name, field in model.model_fields.items() if field.is_required()}


@pytest.mark.postgres
async def test_old_requires_what_every_old_record_holds(
    module: ModuleType, feed: PostgresChangesFeed, database: str
) -> None:
    inboxes: dict[str, _Inbox] = {}
    for table in TABLES:
        inbox = _Inbox()
        binding = {"event": "*", "schema": "public", "table": table}
        notices = await feed.subscribe(table, [(1, binding)], {"role": "anon"}, inbox.deliver)
        assert notices == [("ok", "Subscribed to PostgreSQL")]
        inboxes[table] = inbox
    with psycopg.connect(database, autocommit=True) as conn:
        for table, (class_name, always) in TABLES.items():
            old: type[BaseModel] = getattr(module, class_name).Old
            assert _required(old) == always, table
            row = "(id, code, body) values (1, 'k', 'a')" if "index" in table else "values (1, 'a')"
            changes: list[dict[str, Any]] = []
            # one at a time: under RLS the feed checks a change against the row as it is now
            for statement in (f"insert into {table} {row}", f"update {table} set body = 'b'"):
                conn.execute(statement.encode())
                changes.append((await inboxes[table].next())["data"])
            conn.execute(f"delete from {table}".encode())
            changes.append((await inboxes[table].next())["data"])
            assert [change["type"] for change in changes] == ["INSERT", "UPDATE", "DELETE"]
            update, delete = changes[1]["old_record"], changes[2]["old_record"]
            assert set(delete) == always, table
            assert set(update) >= always, table
            old.model_validate(update)
            old.model_validate(delete)
