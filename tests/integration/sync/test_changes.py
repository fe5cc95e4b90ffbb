"""Typed Postgres changes through the blocking client, from a real PostgreSQL: callbacks with a
typed filter, and the blocking iterator."""

from __future__ import annotations

import uuid
from decimal import Decimal

import psycopg
import pytest
from psycopg import sql
from pydantic import BaseModel, JsonValue

from realtime_typed import ChangeSpec, Column, DeleteChange, InsertChange, UpdateChange
from realtime_typed.sync import RealtimeClient
from realtime_typed.testing import LocalRealtimeServer

from .helpers import WAIT, Inbox, blocking

pytestmark = pytest.mark.postgres


class Row(BaseModel):
    id: int
    user_id: int
    title: str
    price: Decimal | None = None


class Old(BaseModel):
    id: int


def table_keys(
    name: str,
) -> tuple[
    ChangeSpec[InsertChange[Row]],
    ChangeSpec[UpdateChange[Row, Old]],
    ChangeSpec[DeleteChange[Old]],
]:
    return (
        ChangeSpec.insert("public", name, Row),
        ChangeSpec.update("public", name, Row, Old),
        ChangeSpec.delete("public", name, Old),
    )


USER_ID: Column[int] = Column("user_id")


def create_table(dsn: str) -> str:
    name = f"sync_todos_{uuid.uuid4().hex[:8]}"
    table = sql.Identifier("public", name)
    with psycopg.connect(dsn, autocommit=True) as db:
        db.execute(
            sql.SQL(
                "create table {} (id serial primary key, user_id int not null,"
                " title text not null, price numeric)"
            ).format(table)
        )
        db.execute(sql.SQL("alter publication supabase_realtime add table {}").format(table))
    return name


async def test_typed_changes_by_callback_and_iterator(
    realtime_server_db: LocalRealtimeServer,
) -> None:
    dsn = realtime_server_db.db_url
    assert dsn is not None

    def scenario() -> None:
        name = create_table(dsn)
        insert, update, delete = table_keys(name)
        table = sql.Identifier("public", name)
        mine: Inbox[InsertChange[Row]] = Inbox()
        deletes: Inbox[DeleteChange[Old]] = Inbox()
        with RealtimeClient(realtime_server_db.url, apikey=realtime_server_db.anon_key) as client:
            ch = client.channel("db")
            ready: Inbox[dict[str, JsonValue]] = Inbox()
            ch.on_system(ready)
            ch.on_postgres_changes(insert, mine, filter=USER_ID.eq(42))
            ch.on_postgres_changes(delete, deletes)
            updates = ch.changes(update, timeout=WAIT)
            ch.subscribe(timeout=WAIT)
            while ready.get().get("extension") != "postgres_changes":
                pass  # the server says when replication is ready for the bindings
            with psycopg.connect(dsn, autocommit=True) as db:
                db.execute(
                    sql.SQL(
                        "insert into {} (user_id, title, price) values (7, 'theirs', 1)"
                    ).format(table)
                )
                db.execute(
                    sql.SQL(
                        "insert into {} (user_id, title, price) values (42, 'mine', 12.345)"
                    ).format(table)
                )
                db.execute(
                    sql.SQL("update {} set title = 'renamed' where user_id = 42").format(table)
                )
                db.execute(sql.SQL("delete from {} where user_id = 7").format(table))
            change = mine.get()
            assert change.record.title == "mine"
            assert change.record.price == Decimal("12.345")
            updated = next(updates)
            assert (updated.record.title, updated.old_record.id) == ("renamed", change.record.id)
            assert deletes.get().old_record.id != change.record.id
            assert mine.empty()
            assert mine.threads == {"realtime-delivery"}
            updates.close()

    await blocking(scenario)


async def test_changes_after_subscribe_as_api_md_shows(
    realtime_server_db: LocalRealtimeServer,
) -> None:
    dsn = realtime_server_db.db_url
    assert dsn is not None

    def scenario() -> None:
        name = create_table(dsn)
        insert, _, _ = table_keys(name)
        table = sql.Identifier("public", name)
        mine: Inbox[InsertChange[Row]] = Inbox()
        with RealtimeClient(realtime_server_db.url, apikey=realtime_server_db.anon_key) as client:
            ch = client.channel("room:1", broadcast_self=True)
            ch.on_postgres_changes(insert, mine, filter=USER_ID.eq(42))
            ch.subscribe(timeout=10)
            every_insert = ch.changes(insert, timeout=WAIT)
            assert len(client.channels) == 2
            with psycopg.connect(dsn, autocommit=True) as db:
                for user_id in (7, 42):
                    db.execute(
                        sql.SQL("insert into {} (user_id, title) values (%s, 'x')").format(table),
                        (user_id,),
                    )
            assert [next(every_insert).record.user_id for _ in range(2)] == [7, 42]
            assert mine.get().record.user_id == 42
            ch.unsubscribe(timeout=WAIT)
            assert list(every_insert) == []
            assert client.channels == []

    await blocking(scenario)
