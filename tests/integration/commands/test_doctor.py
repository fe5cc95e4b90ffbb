"""``realtime-doctor`` on a real database: what it finds, and that its fixes make changes arrive.

Each test owns a fresh database, prepared by a :class:`LocalRealtimeServer` (Supabase's roles,
the ``supabase_realtime`` publication, ``realtime.messages``), and runs the command itself.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from realtime_typed import InsertChange, JsonValue, RealtimeClient
from realtime_typed.testing import LocalRealtimeServer

pytestmark = pytest.mark.postgres

DOCTOR = str(Path(sys.executable).parent / "realtime-doctor")
ROOT = Path(__file__).resolve().parents[3]
WAIT = 30.0


def doctor(*args: str) -> tuple[int, list[str], str]:
    """Run the command; its exit status, its stdout lines and its stderr."""
    done = subprocess.run(
        [DOCTOR, *args], capture_output=True, text=True, timeout=WAIT, check=False
    )
    return done.returncode, done.stdout.splitlines(), done.stderr


def fixes(lines: list[str]) -> list[str]:
    """The SQL of every error line."""
    return [line.split("; fix: ", 1)[1] for line in lines if line.startswith("error")]


def execute(db_url: str, *statements: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement.encode())


async def test_fixes_printed_for_a_silent_table_make_its_changes_arrive(
    fresh_db_url: str,
) -> None:
    async with LocalRealtimeServer(db_url=fresh_db_url) as server:
        execute(
            fresh_db_url,
            "create table public.notes (id bigint primary key, body text not null)",
            "revoke all on public.notes from anon, authenticated",
            "alter table public.notes enable row level security",
        )
        async with RealtimeClient(server.url, apikey=server.anon_key) as client:
            reported: asyncio.Queue[Exception] = asyncio.Queue()
            client.on_error(reported.put_nowait)
            refused = client.channel("notes")
            refused.on_postgres_changes("INSERT", print, table="notes")
            await refused.subscribe()
            error = await asyncio.wait_for(reported.get(), WAIT)
            assert "postgres_changes error: Unable to subscribe to changes" in str(error)
        status, lines, _ = doctor("--db-url", fresh_db_url, "--table", "public.notes")
        assert status == 1
        assert lines[0] == "ok    database: wal_level is logical"
        errors = [line for line in lines if line.startswith("error")]
        assert [line.split(":", 1)[1].split(";")[0].split(":")[0] for line in errors] == [
            " not in publication supabase_realtime",
            " no SELECT grant to anon, authenticated",
            " row level security is on and no SELECT policy lets anon, authenticated read it",
        ]
        assert all(line.startswith("error public.notes: ") for line in errors)
        execute(fresh_db_url, *fixes(lines))
        status, lines, _ = doctor("--db-url", fresh_db_url, "--table", "public.notes")
        assert status == 0, lines
        assert "ok    public.notes: changes reach anon, authenticated" in lines

        async with RealtimeClient(server.url, apikey=server.anon_key) as client:
            inserts: asyncio.Queue[InsertChange[dict[str, JsonValue]]] = asyncio.Queue()
            ready: asyncio.Queue[dict[str, JsonValue]] = asyncio.Queue()
            channel = client.channel("notes")
            channel.on_postgres_changes("INSERT", inserts.put_nowait, table="notes")
            channel.on_system(ready.put_nowait)
            await channel.subscribe()
            notice = await asyncio.wait_for(ready.get(), WAIT)
            assert notice["status"] == "ok"
            execute(fresh_db_url, "insert into public.notes values (1, 'hello')")
            change = await asyncio.wait_for(inserts.get(), WAIT)
            assert change.record == {"id": 1, "body": "hello"}


async def test_publication_keys_partitions_and_private_channels(fresh_db_url: str) -> None:
    async with LocalRealtimeServer(db_url=fresh_db_url):
        execute(
            fresh_db_url,
            "create table public.logs (line text)",
            "create table public.events (id int, at int, primary key (id, at))"
            " partition by range (at)",
            "create table public.events_1 partition of public.events for values from (0) to (9)",
            "create table public.kept (id int primary key)",
            "alter table public.kept replica identity full",
            "alter publication supabase_realtime add table public.logs, public.events, public.kept",
            "alter publication supabase_realtime set (publish = 'insert')",
        )
        status, lines, _ = doctor("--db-url", fresh_db_url)
        assert status == 1
        text = "\n".join(lines)
        assert "warn  supabase_realtime: does not publish update, delete: those never arrive;" in (
            text
        )
        assert "error public.logs: no primary key" in text
        assert "ok    public.kept: replica identity full" in text
        # With partitions published one by one, the table itself is not in the publication.
        assert "ok    public.events_1: in publication supabase_realtime" in text
        status, lines, _ = doctor("--db-url", fresh_db_url, "--table", "events")
        assert status == 1
        assert any(
            line.startswith("error public.events: partitioned: the publication lists")
            and "(public.events_1)" in line
            for line in lines
        )
        assert lines[-2].startswith("warn  realtime.messages: no SELECT policy for anon")
        assert lines[-1].startswith("warn  realtime.messages: no INSERT policy for anon")
        execute(
            fresh_db_url,
            "alter publication supabase_realtime set (publish_via_partition_root = true)",
            'create policy "r" on realtime.messages for select to authenticated using (true)',
        )
        status, lines, _ = doctor("--db-url", fresh_db_url, "--table", "events")
        assert any("publishes through the partition root" in line for line in lines)
        assert "ok    realtime.messages: a SELECT policy lets private channels be joined" in lines


async def test_tables_of_a_generated_module(fresh_db_url: str) -> None:
    async with LocalRealtimeServer(db_url=fresh_db_url):
        module = ROOT / "examples" / "todo" / "realtime_types.py"
        status, lines, _ = doctor("--db-url", fresh_db_url, "--module", str(module))
        assert status == 1
        assert "error public.todos: no such table" in lines
        execute(fresh_db_url, (ROOT / "examples" / "todo" / "schema.sql").read_text())
        status, lines, _ = doctor("--db-url", fresh_db_url, "--module", str(module))
        assert status == 0, lines
        assert "ok    public.todos: in publication supabase_realtime" in lines


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "the following arguments are required: --db-url"),
        (("--db-url", "postgresql://u:pw@127.0.0.1:1/x"), "cannot connect to postgresql://"),
        (("--db-url", "x", "--table", "a.b.c."), "is not a table name"),
        (("--db-url", "x", "--module", "missing.py"), "missing.py: no such file"),
    ],
)
def test_errors_are_one_line_with_status_2(args: tuple[str, ...], message: str) -> None:
    status, lines, stderr = doctor(*args)
    assert (status, lines) == (2, [])
    [line] = stderr.splitlines()
    assert line.startswith("realtime-doctor: error: ")
    assert message in line
    assert "pw" not in line


def test_version() -> None:
    status, lines, _ = doctor("--version")
    assert status == 0
    assert lines[0].startswith("realtime-doctor ")
