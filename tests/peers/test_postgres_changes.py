"""Postgres changes received by realtime-typed, realtime-py and realtime-js alike.

All three listen on one table with the same three bindings (every INSERT, UPDATEs that match a
filter, and everything); then a row is inserted, updated twice and deleted. Each client must
route each change to the same listeners, with the same record values, and the server must
give identical bindings the same ids whichever client asked.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator, Iterable, Sequence
from decimal import Decimal
from typing import Any, LiteralString

import psycopg
import pytest
from psycopg import sql
from psycopg.types.json import Jsonb
from pydantic import JsonValue

from realtime_typed.local.channels.join_config import binding_id
from realtime_typed.protocol.frames import Vsn
from realtime_typed.testing import LocalRealtimeServer

from .js_peer import JsPeer
from .official_peer import OfficialPeer
from .peer import Binding, Change, JsonObject, Peer
from .typed_peer import TypedPeer

pytestmark = [pytest.mark.peers, pytest.mark.postgres]


async def _create_table(dsn: str) -> str:
    """A fresh table in the ``supabase_realtime`` publication; returns its name."""
    name = f"peer_todos_{uuid.uuid4().hex[:8]}"
    table = sql.Identifier("public", name)
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as connection:
        await connection.execute(
            sql.SQL(
                "create table {} (id bigint primary key, title text not null,"
                " done boolean not null default false, score numeric(6, 2), details jsonb)"
            ).format(table)
        )
        await connection.execute(sql.SQL("grant select on {} to anon, authenticated").format(table))
        await connection.execute(
            sql.SQL("alter publication supabase_realtime add table {}").format(table)
        )
    return name


def _bindings(table: str) -> list[Binding]:
    return [
        Binding("inserts", "INSERT", table),
        Binding("finished", "UPDATE", table, filter="done=eq.true"),
        Binding("everything", "*", table),
    ]


def _wire_map(binding: Binding) -> dict[str, str]:
    """The binding map every client puts in its join."""
    fields = {"event": binding.event, "schema": binding.schema, "table": binding.table}
    return fields if binding.filter is None else {**fields, "filter": binding.filter}


@pytest.fixture(params=["1.0.0", "2.0.0"], ids=["v1", "v2"])
async def listeners(
    realtime_server_db: LocalRealtimeServer, postgres_dsn: str, request: pytest.FixtureRequest
) -> AsyncGenerator[tuple[str, dict[str, Peer], OfficialPeer, JsPeer]]:
    """A fresh table and the three clients subscribed to its changes with the same bindings."""
    vsn: Vsn = request.param
    table = await _create_table(postgres_dsn)
    url, key = realtime_server_db.url, realtime_server_db.anon_key
    async with (
        TypedPeer.open(url, key, vsn) as typed,
        OfficialPeer.open(url, key) as python,
        JsPeer.open(url, key, vsn) as js,
    ):
        peers: dict[str, Peer] = {"typed": typed, "py": python, "js": js}
        for peer in peers.values():
            await peer.join(table, bindings=_bindings(table))
        yield table, peers, python, js


def _comparable(value: JsonValue | Decimal) -> object:
    """Numbers as exact decimals, so 12.5 from JSON and Decimal("12.50") compare equal."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value)).normalize()
    if isinstance(value, list):
        return [_comparable(item) for item in value]
    return {key: _comparable(item) for key, item in value.items()}


def _seen(changes: Sequence[Change]) -> list[tuple[str, str, object, object]]:
    return sorted(
        (
            (
                change.label,
                change.type,
                _comparable(change.record),
                _comparable(change.old_record),
            )
            for change in changes
        ),
        key=repr,
    )


async def _run(
    dsn: str, table: str, statements: Sequence[tuple[LiteralString, Sequence[object]]]
) -> None:
    """Run each ``(statement, parameters)``, with ``{}`` standing for the table, committing each."""
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as connection:
        for statement, parameters in statements:
            query = sql.SQL(statement).format(sql.Identifier("public", table))
            await connection.execute(query, parameters)


async def test_all_three_route_and_decode_the_same_changes(
    listeners: tuple[str, dict[str, Peer], OfficialPeer, JsPeer], postgres_dsn: str
) -> None:
    table, peers, python, js = listeners

    await _run(
        postgres_dsn,
        table,
        [
            (
                "insert into {} (id, title, score, details) values (%s, %s, %s, %s)",
                (1, "milk ✓", Decimal("12.5"), Jsonb({"tags": ["a"], "n": 1})),
            ),
            ("update {} set title = %s where id = %s", ("oat milk", 1)),
            ("update {} set done = true where id = %s", (1,)),
            ("delete from {} where id = %s", (1,)),
        ],
    )

    inserted: JsonObject = {
        "id": 1,
        "title": "milk ✓",
        "done": False,
        "score": 12.5,
        "details": {"tags": ["a"], "n": 1},
    }
    renamed: JsonObject = {**inserted, "title": "oat milk"}
    finished: JsonObject = {**renamed, "done": True}
    key: JsonObject = {"id": 1}
    expected = _seen(
        [
            Change("inserts", "INSERT", inserted, None),
            Change("everything", "INSERT", inserted, None),
            Change("everything", "UPDATE", renamed, key),
            Change("finished", "UPDATE", finished, key),
            Change("everything", "UPDATE", finished, key),
            Change("everything", "DELETE", None, key),
        ]
    )
    for name, peer in peers.items():
        received = [await peer.changes.take(lambda _change: True) for _ in expected]
        assert _seen(received) == expected, name

    ids = [binding_id(_wire_map(binding)) for binding in _bindings(table)]
    inserts, finished_id, everything = ids
    expected_ids = [
        sorted([inserts, everything]),
        [everything],
        sorted([finished_id, everything]),
        [everything],
    ]
    assert _ids_per_change(python.raw_changes) == expected_ids
    assert (
        _ids_per_change(frame.payload for frame in js.inbound("postgres_changes")) == expected_ids
    )


def _ids_per_change(payloads: Iterable[Any]) -> list[list[int]]:
    """The ids of each change in order; one change fires once per listener it matches."""
    ids: list[list[int]] = []
    previous: Any = None
    for payload in payloads:
        if payload != previous:
            ids.append(sorted(payload["ids"]))
        previous = payload
    return ids
