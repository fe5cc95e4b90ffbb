"""Per-subscriber visibility: RLS, column privileges, ``select``, and the 400/401/413 rows."""

from __future__ import annotations

import pytest

from realtime_typed.local.postgres import PostgresChangesFeed

from .inbox import Database, subscribe

pytestmark = pytest.mark.postgres

ALICE = "00000000-0000-0000-0000-00000000000a"
BOB = "00000000-0000-0000-0000-00000000000b"


async def make_owned_table(db: Database, name: str) -> None:
    await db.execute(f"create table {name} (id int primary key, owner uuid, body text)")
    await db.execute(f"alter table {name} replica identity full")
    await db.execute(f"alter table {name} enable row level security")
    await db.execute(
        f"create policy own on {name} for select to authenticated using (owner = auth.uid())"
    )
    await db.execute(f"alter publication supabase_realtime add table {name}")


async def test_rls_allows_own_rows_and_denies_others(
    db: Database, feed: PostgresChangesFeed, table_name: str
) -> None:
    await make_owned_table(db, table_name)
    claims = {"role": "authenticated", "sub": ALICE}
    inbox, _ = await subscribe(
        feed, [{"event": "*", "schema": "public", "table": table_name}], claims
    )
    await db.execute(f"insert into {table_name} values (1, %s, 'bob')", (BOB,))
    await db.execute(f"insert into {table_name} values (2, %s, 'alice')", (ALICE,))
    await db.execute(f"update {table_name} set body = 'x' where id = 1")
    await db.execute(f"update {table_name} set body = 'y' where id = 2")
    await db.execute(f"delete from {table_name} where id = 1")
    first, second, third = await inbox.next(), await inbox.next(), await inbox.next()
    assert (first["data"]["type"], first["data"]["record"]["id"]) == ("INSERT", 2)
    assert (second["data"]["type"], second["data"]["record"]["id"]) == ("UPDATE", 2)
    assert second["data"]["old_record"] == {"id": 2, "owner": ALICE, "body": "alice"}
    assert third["data"]["type"] == "DELETE"
    assert third["data"]["old_record"] == {"id": 1}


async def test_rls_sees_the_row_as_it_is_at_poll_time(
    db: Database, feed: PostgresChangesFeed, table_name: str
) -> None:
    await make_owned_table(db, table_name)
    claims = {"role": "authenticated", "sub": ALICE}
    inbox, _ = await subscribe(
        feed, [{"event": "*", "schema": "public", "table": table_name}], claims
    )
    async with db.transaction():
        await db.execute(f"insert into {table_name} values (1, %s, 'a')", (ALICE,))
        await db.execute(f"delete from {table_name}")
    await db.execute(f"insert into {table_name} values (2, %s, 'b')", (ALICE,))
    deleted, inserted = await inbox.next(), await inbox.next()
    assert (deleted["data"]["type"], deleted["data"]["old_record"]) == ("DELETE", {"id": 1})
    assert (inserted["data"]["type"], inserted["data"]["record"]["id"]) == ("INSERT", 2)


async def test_column_privileges_hide_columns(
    db: Database, feed: PostgresChangesFeed, table_name: str
) -> None:
    await db.execute(f"create table {table_name} (id int primary key, secret text, body text)")
    await db.execute(f"revoke select on {table_name} from anon")
    await db.execute(f"grant select (id, body) on {table_name} to anon")
    await db.execute(f"alter publication supabase_realtime add table {table_name}")
    inbox, _ = await subscribe(feed, [{"event": "INSERT", "schema": "public", "table": table_name}])
    await db.execute(f"insert into {table_name} values (1, 's', 'b')")
    data = (await inbox.next())["data"]
    assert data["columns"] == [{"name": "id", "type": "int4"}, {"name": "body", "type": "text"}]
    assert data["record"] == {"id": 1, "body": "b"}


async def test_select_lists_get_separate_payloads(
    db: Database, feed: PostgresChangesFeed, table_name: str
) -> None:
    await db.execute(f"create table {table_name} (id int primary key, a text, b text)")
    await db.execute(f"alter publication supabase_realtime add table {table_name}")
    base = {"event": "INSERT", "schema": "public", "table": table_name}
    inbox, _ = await subscribe(
        feed, [{**base, "select": ["a"]}, {**base, "select": ["a"]}, {**base, "select": ["b"]}]
    )
    await db.execute(f"insert into {table_name} values (1, 'x', 'y')")
    payloads = sorted([await inbox.next(), await inbox.next()], key=lambda p: p["ids"])
    assert payloads[0]["ids"] == [2, 1]
    assert payloads[0]["data"]["record"] == {"id": 1, "a": "x"}
    assert payloads[0]["data"]["columns"] == [
        {"name": "id", "type": "int4"},
        {"name": "a", "type": "text"},
    ]
    assert payloads[1]["ids"] == [3]
    assert payloads[1]["data"]["record"] == {"id": 1, "b": "y"}


async def test_table_without_primary_key_is_error_400(
    db: Database, feed: PostgresChangesFeed, table_name: str
) -> None:
    await db.execute(f"create table {table_name} (n int)")
    await db.execute(f"alter publication supabase_realtime add table {table_name}")
    inbox, _ = await subscribe(feed, [{"event": "*", "schema": "public", "table": table_name}])
    await db.execute(f"insert into {table_name} values (1)")
    assert (await inbox.next())["data"] == {
        "columns": [],
        "commit_timestamp": None,
        "errors": ["Error 400: Bad Request, no primary key"],
        "record": {},
        "schema": "public",
        "table": table_name,
        "type": "INSERT",
    }


async def test_primary_key_the_role_cannot_select_is_error_401(
    db: Database, feed: PostgresChangesFeed, table_name: str
) -> None:
    await db.execute(f"create table {table_name} (id int primary key, body text)")
    await db.execute(f"revoke select on {table_name} from anon")
    await db.execute(f"grant select (body) on {table_name} to anon")
    await db.execute(f"alter publication supabase_realtime add table {table_name}")
    inbox, _ = await subscribe(feed, [{"event": "*", "schema": "public", "table": table_name}])
    await db.execute(f"insert into {table_name} values (1, 'b')")
    await db.execute(f"update {table_name} set body = 'c'")
    assert (await inbox.next())["data"]["errors"] == ["Error 401: Unauthorized"]
    assert (await inbox.next())["data"] == {
        "columns": [],
        "commit_timestamp": None,
        "errors": ["Error 401: Unauthorized"],
        "old_record": {},
        "record": {},
        "schema": "public",
        "table": table_name,
        "type": "UPDATE",
    }


async def test_payload_over_the_limit_is_error_413(dsn: str, db: Database, table_name: str) -> None:
    await db.execute(f"create table {table_name} (id int primary key, small text, big text)")
    await db.execute(f"alter publication supabase_realtime add table {table_name}")
    feed = PostgresChangesFeed(dsn, max_record_bytes=512)
    await feed.start()
    try:
        inbox, _ = await subscribe(
            feed, [{"event": "INSERT", "schema": "public", "table": table_name}]
        )
        await db.execute(f"insert into {table_name} values (1, 'tiny', repeat('x', 600))")
        data = (await inbox.next())["data"]
    finally:
        await feed.stop()
    assert data["errors"] == ["Error 413: Payload Too Large"]
    assert data["record"] == {"id": 1, "small": "tiny"}
    assert len(data["columns"]) == 3
