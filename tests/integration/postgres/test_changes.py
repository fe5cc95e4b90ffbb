"""INSERT/UPDATE/DELETE payloads, replica identity, TOAST, events and subscription lifecycle."""

from __future__ import annotations

import re

import pytest

from realtime_typed.local.postgres import PostgresChangesFeed

from .inbox import Database, subscribe

pytestmark = pytest.mark.postgres

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
COLUMNS = [{"name": "id", "type": "int4"}, {"name": "title", "type": "text"}]


async def make_table(db: Database, name: str, *, full: bool = False) -> None:
    await db.execute(f"create table {name} (id int primary key, title text)")
    if full:
        await db.execute(f"alter table {name} replica identity full")
    await db.execute(f"alter publication supabase_realtime add table {name}")


async def test_insert_update_delete_with_default_identity(
    db: Database, feed: PostgresChangesFeed, table_name: str
) -> None:
    await make_table(db, table_name)
    inbox, notices = await subscribe(
        feed, [{"event": "*", "schema": "public", "table": table_name}]
    )
    assert notices == [("ok", "Subscribed to PostgreSQL")]
    await db.execute(f"insert into {table_name} values (1, 'a')")
    await db.execute(f"update {table_name} set title = 'b'")
    await db.execute(f"delete from {table_name}")

    insert, update, delete = (await inbox.next(), await inbox.next(), await inbox.next())
    for payload in (insert, update, delete):
        assert payload["ids"] == [1]
        assert TIMESTAMP.match(payload["data"].pop("commit_timestamp"))
    assert insert["data"] == {
        "columns": COLUMNS,
        "errors": None,
        "record": {"id": 1, "title": "a"},
        "schema": "public",
        "table": table_name,
        "type": "INSERT",
    }
    assert update["data"] == {
        "columns": COLUMNS,
        "errors": None,
        "old_record": {"id": 1},
        "record": {"id": 1, "title": "b"},
        "schema": "public",
        "table": table_name,
        "type": "UPDATE",
    }
    assert delete["data"] == {
        "columns": COLUMNS,
        "errors": None,
        "old_record": {"id": 1},
        "schema": "public",
        "table": table_name,
        "type": "DELETE",
    }


async def test_replica_identity_full_sends_the_whole_old_row(
    db: Database, feed: PostgresChangesFeed, table_name: str
) -> None:
    await make_table(db, table_name, full=True)
    inbox, _ = await subscribe(feed, [{"event": "*", "schema": "public", "table": table_name}])
    await db.execute(f"insert into {table_name} values (1, 'a')")
    await db.execute(f"update {table_name} set title = 'b'")
    await db.execute(f"delete from {table_name}")
    assert "old_record" not in (await inbox.next())["data"]
    assert (await inbox.next())["data"]["old_record"] == {"id": 1, "title": "a"}
    assert (await inbox.next())["data"]["old_record"] == {"id": 1, "title": "b"}


@pytest.mark.parametrize("full", [False, True], ids=["default", "full"])
async def test_unchanged_toast_value(
    db: Database, feed: PostgresChangesFeed, table_name: str, full: bool
) -> None:
    """An UPDATE that leaves an out-of-line value alone: absent by default, filled with FULL."""
    await make_table(db, table_name, full=full)
    inbox, _ = await subscribe(feed, [{"event": "UPDATE", "schema": "public", "table": table_name}])
    await db.execute(
        f"insert into {table_name} select 1, string_agg(md5(i::text), '') "
        "from generate_series(1, 400) i"
    )
    await db.execute(f"alter table {table_name} add column n int")
    await db.execute(f"update {table_name} set n = 5")
    record = (await inbox.next())["data"]["record"]
    assert record["n"] == 5
    if full:
        assert len(record["title"]) == 400 * 32
    else:
        assert "title" not in record


async def test_events_are_case_insensitive_and_unknown_means_all(
    db: Database, feed: PostgresChangesFeed, table_name: str
) -> None:
    await make_table(db, table_name)
    base = {"schema": "public", "table": table_name}
    inbox, _ = await subscribe(
        feed,
        [{**base, "event": "insert"}, {**base, "event": "Delete"}, {**base, "event": "nonsense"}],
    )
    await db.execute(f"insert into {table_name} values (1, 'a')")
    await db.execute(f"update {table_name} set title = 'b'")
    await db.execute(f"delete from {table_name}")
    assert [(await inbox.next())["ids"] for _ in range(3)] == [[3, 1], [3], [3, 2]]


async def test_wildcards_match_publication_tables(
    db: Database, feed: PostgresChangesFeed, table_name: str
) -> None:
    await make_table(db, table_name)
    inbox, _ = await subscribe(
        feed, [{"event": "INSERT", "schema": "*"}, {"event": "INSERT", "schema": "public"}]
    )
    await db.execute(f"insert into {table_name} values (1, 'a')")
    payload = await inbox.next()
    assert payload["ids"] == [2, 1]
    assert payload["data"]["table"] == table_name


async def test_unsubscribe_and_claims_refresh(
    db: Database, feed: PostgresChangesFeed, table_name: str
) -> None:
    await make_table(db, table_name)
    await db.execute(f"revoke select on {table_name} from anon")
    binding = {"event": "INSERT", "schema": "public", "table": table_name}
    inbox, _ = await subscribe(feed, [binding], {"role": "authenticated"}, channel="a")
    witness, _ = await subscribe(feed, [binding], {"role": "authenticated"}, channel="b")
    await feed.update_claims("a", {"role": "anon"})
    await db.execute(f"insert into {table_name} values (1, 'a')")
    assert (await witness.next())["data"]["record"] == {"id": 1, "title": "a"}
    assert (await inbox.next())["data"]["errors"] == ["Error 401: Unauthorized"]
    await feed.unsubscribe("a")
    await db.execute(f"insert into {table_name} values (2, 'b')")
    assert (await witness.next())["data"]["record"] == {"id": 2, "title": "b"}
    assert inbox.empty()
