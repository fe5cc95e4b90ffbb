"""Filters compared with PostgreSQL semantics: every operator, ``not.``, AND, NULLs, DELETE.

Each channel has a catch-all binding (id 1) next to the filtered one (id 2): every change is
delivered, and the filter holds exactly when id 2 is listed.
"""

from __future__ import annotations

import pytest

from realtime_typed.local.postgres import PostgresChangesFeed

from .inbox import Database, subscribe

pytestmark = pytest.mark.postgres

ROWS = [
    "(1, 5, 'apple', true)",
    "(2, 10, 'Banana', false)",
    "(3, null, null, null)",
    "(4, 42, 'a,b \"q\"', true)",
]


@pytest.mark.parametrize(
    ("filter_text", "matching"),
    [
        ("n=eq.10", {2}),
        ("n=neq.10", {1, 4}),
        ("n=lt.10", {1}),
        ("n=lte.10", {1, 2}),
        ("n=gt.5", {2, 4}),
        ("n=gte.5", {1, 2, 4}),
        ("n=in.(5,42)", {1, 4}),
        ("t=like.%an%", {2}),
        ("t=ilike.%AN%", {2}),
        ("t=match.^a", {1, 4}),
        ("t=imatch.^b", {2}),
        ("t=is.null", {3}),
        ("b=is.true", {1, 4}),
        ("b=is.false", {2}),
        ("b=not.is.true", {2, 3}),
        ("n=isdistinct.5", {2, 3, 4}),
        ("n=not.isdistinct.5", {1}),
        ("n=not.eq.10", {1, 4}),
        ("n=not.in.(5,42)", {2}),
        ("n=gt.1,n=lt.20", {1, 2}),
        ('t=eq."a,b \\"q\\""', {4}),
        ('t=in.("a,b \\"q\\"",apple)', {1, 4}),
        ("  ", {1, 2, 3, 4}),
    ],
)
async def test_filter_operators(
    db: Database, feed: PostgresChangesFeed, table_name: str, filter_text: str, matching: set[int]
) -> None:
    await db.execute(f"create table {table_name} (id int primary key, n int, t text, b bool)")
    await db.execute(f"alter publication supabase_realtime add table {table_name}")
    base = {"event": "INSERT", "schema": "public", "table": table_name}
    inbox, notices = await subscribe(feed, [base, {**base, "filter": filter_text}])
    assert notices == [("ok", "Subscribed to PostgreSQL")]
    await db.execute(f"insert into {table_name} values {', '.join(ROWS)}")
    seen: set[int] = set()
    for _ in ROWS:
        payload = await inbox.next()
        if 2 in payload["ids"]:
            seen.add(payload["data"]["record"]["id"])
    assert seen == matching


async def test_update_compares_new_values(
    db: Database, feed: PostgresChangesFeed, table_name: str
) -> None:
    await db.execute(f"create table {table_name} (id int primary key, n int)")
    await db.execute(f"alter publication supabase_realtime add table {table_name}")
    base = {"event": "UPDATE", "schema": "public", "table": table_name}
    inbox, _ = await subscribe(feed, [base, {**base, "filter": "n=eq.1"}])
    await db.execute(f"insert into {table_name} values (1, 1)")
    await db.execute(f"update {table_name} set n = 2")
    await db.execute(f"update {table_name} set n = 1")
    assert (await inbox.next())["ids"] == [1]
    assert (await inbox.next())["ids"] == [2, 1]


@pytest.mark.parametrize("full", [False, True], ids=["default", "full"])
async def test_delete_compares_old_identity(
    db: Database, feed: PostgresChangesFeed, table_name: str, full: bool
) -> None:
    await db.execute(f"create table {table_name} (id int primary key, n int)")
    if full:
        await db.execute(f"alter table {table_name} replica identity full")
    await db.execute(f"alter publication supabase_realtime add table {table_name}")
    base = {"event": "DELETE", "schema": "public", "table": table_name}
    inbox, _ = await subscribe(
        feed, [base, {**base, "filter": "id=eq.1"}, {**base, "filter": "n=eq.7"}]
    )
    await db.execute(f"insert into {table_name} values (1, 7)")
    await db.execute(f"delete from {table_name}")
    assert (await inbox.next())["ids"] == ([3, 2, 1] if full else [2, 1])
