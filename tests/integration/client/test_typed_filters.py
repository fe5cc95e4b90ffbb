"""Every typed filter a generated module offers selects exactly its rows, end to end.

A table with a column of every type of the mapping is generated with ``realtime-gen``; three
rows hold a smaller value ``a``, a larger value ``b`` and NULL. Each column's ``c.<col>``
offers a filter class (:mod:`realtime_typed.typed.filters`); every operator of that class is
bound on one channel of the local server backed by PostgreSQL, and the rows each binding
receives must be exactly the rows the operator names. A filter the server could not evaluate
would fail the subscription, so the subscription itself is part of the check.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from ipaddress import IPv4Interface, IPv4Network
from pathlib import Path
from types import ModuleType
from typing import Any
from uuid import UUID

import psycopg
import pytest
from pydantic import JsonValue

from realtime_typed import (
    BoolColumn,
    Column,
    EqColumn,
    Filter,
    InsertChange,
    NullColumn,
    RealtimeClient,
    TextColumn,
)
from realtime_typed.gen.cli import main as realtime_gen
from realtime_typed.testing import LocalRealtimeServer

from .helpers import WAIT

SUBSCRIBE_WAIT = WAIT * 12
"""Seconds for the subscription of some 120 filtered bindings, and for their first changes."""

pytestmark = pytest.mark.postgres


@dataclass(frozen=True)
class Case:
    """A column type, its two SQL values (a < b) and the same values in Python."""

    sql_type: str
    sql_a: str
    sql_b: str
    a: object
    b: object
    pattern: str = ""


CASES = {
    "c_int2": Case("int2", "1", "2", 1, 2),
    "c_int4": Case("int4", "1", "2", 1, 2),
    "c_int8": Case("int8", "9007199254740993", "9007199254740994", 2**53 + 1, 2**53 + 2),
    "c_float4": Case("float4", "1.5", "2.5", 1.5, 2.5),
    "c_float8": Case("float8", "0.1", "0.2", 0.1, 0.2),
    "c_numeric": Case(
        "numeric",
        "1.10",
        "12345678901234567890.5",
        Decimal("1.1"),
        Decimal("12345678901234567890.5"),
    ),
    "c_money": Case("money", "1.00", "2.00", "1.00", "2.00"),
    "c_text": Case("text", "'apple, \"x\"'", "'banana'", 'apple, "x"', "banana", "app%"),
    "c_varchar": Case("varchar(20)", "'a b'", "'b'", "a b", "b"),
    "c_char1": Case("char(1)", "'a'", "'b'", "a", "b", "a%"),
    "c_char5": Case("char(5)", "'abcde'", "'abxyz'", "abcde", "abxyz"),
    "c_internal_char": Case('"char"', "'a'", "'b'", "a", "b"),
    "c_name": Case("name", "'alpha'", "'beta'", "alpha", "beta", "al%"),
    "c_bytea": Case("bytea", "'\\x01ff'", "'\\x02'", b"\x01\xff", b"\x02"),
    "c_bool": Case("bool", "false", "true", False, True),
    "c_date": Case("date", "'2024-01-01'", "'2024-06-01'", date(2024, 1, 1), date(2024, 6, 1)),
    "c_time": Case("time", "'10:00:00.5'", "'11:00'", time(10, 0, 0, 500000), time(11)),
    "c_timetz": Case(
        "timetz",
        "'10:00+02'",
        "'10:00+01'",
        time(10, tzinfo=timezone(timedelta(hours=2))),
        time(10, tzinfo=timezone(timedelta(hours=1))),
    ),
    "c_timestamp": Case(
        "timestamp",
        "'2024-01-01 10:00'",
        "'2024-01-02 10:00'",
        datetime(2024, 1, 1, 10),
        datetime(2024, 1, 2, 10),
    ),
    "c_timestamptz": Case(
        "timestamptz",
        "'2024-01-01 10:00+00'",
        "'2024-01-01 12:00+01'",
        datetime(2024, 1, 1, 10, tzinfo=UTC),
        datetime(2024, 1, 1, 11, tzinfo=UTC),
    ),
    "c_interval": Case("interval", "'1 day'", "'2 days 1 hour'", "1 day", "2 days 1 hour"),
    "c_uuid": Case("uuid", f"'{UUID(int=1)}'", f"'{UUID(int=2)}'", UUID(int=1), UUID(int=2)),
    "c_json": Case("json", "'{\"a\": 1}'", "'[1]'", None, None),
    "c_jsonb": Case("jsonb", '\'{"a": [1, "b, c"]}\'', "'\"text\"'", None, None),
    "c_inet": Case(
        "inet",
        "'10.0.0.1'",
        "'10.0.0.2'",
        IPv4Interface("10.0.0.1/32"),
        IPv4Interface("10.0.0.2/32"),
    ),
    "c_cidr": Case(
        "cidr",
        "'10.0.0.0/24'",
        "'10.1.0.0/16'",
        IPv4Network("10.0.0.0/24"),
        IPv4Network("10.1.0.0/16"),
    ),
    "c_macaddr": Case(
        "macaddr",
        "'08:00:2b:01:02:03'",
        "'08:00:2b:01:02:04'",
        "08:00:2b:01:02:03",
        "08:00:2b:01:02:04",
    ),
    "c_bit1": Case("bit(1)", "'0'", "'1'", "0", "1"),
    "c_bit3": Case("bit(3)", "'010'", "'011'", "010", "011"),
    "c_varbit": Case("varbit", "'101'", "'11'", "101", "11"),
    "c_tsvector": Case("tsvector", "'apple'", "'pear'", "apple", "pear"),
    "c_tsquery": Case("tsquery", "'a & b'", "'c'", "'a' & 'b'", "c"),
    "c_point": Case("point", "'(1,2)'", "'(3,4)'", None, None),
    "c_box": Case("box", "'(0,0),(1,1)'", "'(0,0),(2,2)'", None, None),
    "c_circle": Case("circle", "'<(0,0),1>'", "'<(5,5),1>'", None, None),
    "c_int4range": Case("int4range", "'[1,2)'", "'[3,4)'", "[1,2)", "[3,4)"),
    "c_tstzrange": Case(
        "tstzrange",
        "'[2024-01-01 00:00+00,2024-01-02 00:00+00)'",
        "'[2024-02-01 00:00+00,2024-02-02 00:00+00)'",
        "[2024-01-01 00:00:00+00,2024-01-02 00:00:00+00)",
        "[2024-02-01 00:00:00+00,2024-02-02 00:00:00+00)",
    ),
    "c_xml": Case("xml", "'<a/>'", "'<b/>'", None, None),
    "c_oid": Case("oid", "1", "2", 1, 2),
    "c_citext": Case("citext", "'Apple'", "'banana'", "apple", "BANANA", "app%"),
    "c_hstore": Case("hstore", "'a=>1'", "'b=>2'", None, None),
    "c_ltree": Case("ltree", "'a.b'", "'a.c'", "a.b", "a.c"),
    "c_cube": Case("cube", "'(1, 2)'", "'(3, 4)'", "(1, 2)", "(3, 4)"),
    "c_xid": Case("xid", "'1'", "'2'", 1, 2),
    "c_pg_lsn": Case("pg_lsn", "'0/1'", "'0/2'", "0/1", "0/2"),
    "c_regclass": Case("regclass", "'pg_type'", "'pg_class'", "pg_type", "pg_class"),
    "c_jsonpath": Case("jsonpath", "'$.a'", "'$.b'", None, None),
    "c_tid": Case("tid", "'(0,1)'", "'(0,2)'", "(0,1)", "(0,2)"),
    "c_mood": Case("mood_{s}", "'happy'", "'sad'", "happy", "sad"),
    "c_domain": Case("short_text_{s}", "'aa'", "'bb'", "aa", "bb"),
    "c_place": Case("place_{s}", "'(1,\"x\")'", "'(2,\"y\")'", None, None),
    "c_int_array": Case("int[]", "'{1,NULL}'", "'{2}'", None, None),
    "c_text_array": Case("text[]", '\'{"a b","NULL","x,y"}\'', "'{\"{}\"}'", None, None),
    "c_int_matrix": Case("int[][]", "'{{1,2},{3,4}}'", "'{{5,6},{7,8}}'", None, None),
    "c_bytea_array": Case("bytea[]", "'{\"\\\\x01\"}'", "'{\"\\\\x02\"}'", None, None),
    "c_mood_array": Case("mood_{s}[]", "'{happy}'", "'{sad,happy}'", None, None),
    "c_date_array": Case("date[]", "'{2024-01-01}'", "'{2024-01-02}'", None, None),
    "c_jsonb_array": Case("jsonb[]", "array['{}'::jsonb]", "array['[]'::jsonb]", None, None),
    "c_uuid_array": Case("uuid[]", f"'{{{UUID(int=1)}}}'", f"'{{{UUID(int=2)}}}'", None, None),
}

PREAMBLE = """\
create extension if not exists citext;
create extension if not exists hstore;
create extension if not exists ltree;
create extension if not exists cube;
create type mood_{s} as enum ('happy', 'sad');
create domain short_text_{s} as text check (length(value) < 10);
create type place_{s} as (n int, label text);
"""

ROW_A, ROW_B, ROW_NULL = 1, 2, 3

Probe = tuple[str, str, Filter, set[int]]
"""Column, operator, the filter, and the rows it must select."""


def _schema(suffix: str) -> str:
    """The types and the table ``filters_<suffix>``; names are unique to the test."""
    columns = ",\n  ".join(
        f"{name} {case.sql_type.format(s=suffix)}" for name, case in CASES.items()
    )
    table = f"create table filters_{suffix} (\n  id int primary key,\n  {columns}\n);\n"
    return PREAMBLE.format(s=suffix) + table


def _load(path: Path) -> ModuleType:
    name = f"typed_filters_{uuid.uuid4().hex[:8]}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _probes(name: str, column: NullColumn, case: Case) -> list[Probe]:
    """Every operator the column's class offers, with the rows it must select."""
    a, b, both = {ROW_A}, {ROW_B}, {ROW_A, ROW_B}
    untyped: Any = column  # the probes pass values of any type
    probes: list[Probe] = [
        (name, "is null", column.is_(None), {ROW_NULL}),
        (name, "is not null", column.is_not(None), both),
    ]
    if isinstance(column, EqColumn):
        equal: EqColumn[Any] = untyped
        probes += [
            (name, "eq", equal.eq(case.a), a),
            (name, "eq b", equal.eq(case.b), b),
            (name, "neq", equal.neq(case.a), b),
            (name, "in", equal.in_([case.a, case.b]), both),
            (name, "not in", equal.not_in([case.a]), b),
            (name, "is distinct", equal.is_distinct(case.a), {ROW_B, ROW_NULL}),
            (name, "is not distinct", equal.is_not_distinct(case.a), a),
        ]
    if isinstance(column, Column):
        ordered: Column[Any] = untyped
        probes += [
            (name, "lt", ordered.lt(case.b), a),
            (name, "lte", ordered.lte(case.a), a),
            (name, "gt", ordered.gt(case.a), b),
            (name, "gte", ordered.gte(case.b), b),
        ]
    if isinstance(column, TextColumn):
        probes += [
            (name, "like", column.like(case.pattern), a),
            (name, "ilike", column.ilike(case.pattern.upper()), a),
            (name, "not like", column.not_like(case.pattern), b),
            (name, "not ilike", column.not_ilike(case.pattern.upper()), b),
        ]
    if isinstance(column, BoolColumn):
        probes += [
            (name, "is true", column.is_("true"), b),
            (name, "is not false", column.is_not("false"), {ROW_B, ROW_NULL}),
        ]
    return probes


EXPECTED_CLASSES: dict[str, type] = {
    "c_text": TextColumn,
    "c_name": TextColumn,
    "c_char1": TextColumn,
    "c_bool": BoolColumn,
    "c_xid": EqColumn,
    "c_tsvector": EqColumn,
    "c_int4": Column,
    "c_domain": Column,
    "c_citext": TextColumn,
    "c_ltree": Column,
    "c_cube": EqColumn,
}
NOT_OFFERED = {name for name in CASES if "array" in name or "matrix" in name} | {
    "c_json",
    "c_jsonb",
    "c_place",
    "c_hstore",
}
"""Columns whose wire value the server cannot cast back: every filter on them would fail."""
NULL_ONLY = {name for name, case in CASES.items() if case.a is None} - NOT_OFFERED | {
    "c_char5",
    "c_bit3",
}


async def test_every_offered_filter_selects_exactly_its_rows(
    realtime_server_db: LocalRealtimeServer, postgres_dsn: str, tmp_path: Path
) -> None:
    suffix = uuid.uuid4().hex[:8]
    table = f"filters_{suffix}"
    schema = tmp_path / "schema.sql"
    schema.write_text(_schema(suffix), encoding="utf-8")
    output = tmp_path / "types.py"
    assert realtime_gen(["--tables", str(schema), "-o", str(output)]) == 0
    module = _load(output)
    generated: Any = next(
        getattr(module, name) for name in module.__all__ if name.startswith("Filters")
    )
    holder: type = generated.c
    columns: dict[str, NullColumn] = {
        name: value for name, value in vars(holder).items() if isinstance(value, NullColumn)
    }
    assert set(columns) == {"id", *CASES} - NOT_OFFERED
    for name, expected in EXPECTED_CLASSES.items():
        assert type(columns[name]) is expected, name
    for name in NULL_ONLY:
        assert type(columns[name]) is NullColumn, name
    probes = [
        probe
        for name, case in CASES.items()
        if name in columns
        for probe in _probes(name, columns[name], case)
    ]

    async with await psycopg.AsyncConnection.connect(postgres_dsn, autocommit=True) as db:
        await db.execute(_schema(suffix).encode())
        await db.execute(f"alter publication supabase_realtime add table {table}".encode())
        server = realtime_server_db
        received: dict[int, set[int]] = {index: set() for index in range(len(probes))}
        everything: asyncio.Queue[int] = asyncio.Queue()
        async with RealtimeClient(
            server.url, apikey=server.anon_key, access_token=server.service_key
        ) as client:
            notices: asyncio.Queue[dict[str, JsonValue]] = asyncio.Queue()
            channel = client.channel("typed-filters")
            channel.on_system(notices.put_nowait)
            channel.on_postgres_changes(
                generated.insert, lambda change: everything.put_nowait(change.record.id)
            )
            for index, (_, _, filter_, _) in enumerate(probes):
                channel.on_postgres_changes(
                    generated.insert, _collector(received[index]), filter=filter_
                )
            await channel.subscribe()
            # Every binding's filter is checked in PostgreSQL at subscribe: give it time.
            notice = await asyncio.wait_for(notices.get(), SUBSCRIBE_WAIT)
            assert notice.get("status") == "ok", notice
            values_a = ", ".join(case.sql_a for case in CASES.values())
            values_b = ", ".join(case.sql_b for case in CASES.values())
            await db.execute(f"insert into {table} values ({ROW_A}, {values_a})".encode())
            await db.execute(f"insert into {table} values ({ROW_B}, {values_b})".encode())
            await db.execute(f"insert into {table} (id) values ({ROW_NULL})".encode())
            seen = {await asyncio.wait_for(everything.get(), SUBSCRIBE_WAIT) for _ in range(3)}
            assert seen == {ROW_A, ROW_B, ROW_NULL}
            # Deliveries of one change share its message, so every binding has its rows now.
    wrong = [
        f"{name} {op} ({filter_.build()}): got {sorted(received[index])}, want {sorted(rows)}"
        for index, (name, op, filter_, rows) in enumerate(probes)
        if received[index] != rows
    ]
    assert not wrong, "\n".join(wrong)


def _collector(into: set[int]) -> Callable[[InsertChange[Any]], None]:
    return lambda change: into.add(change.record.id)
