"""Values on the wire for every type of the mapping table, digit for digit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from realtime_typed.local.postgres import PostgresChangesFeed

from .inbox import Database, subscribe

pytestmark = pytest.mark.postgres


# (column name, column type, SQL literal inserted, wire value, columns[].type)
CASES: list[tuple[str, str, str, Any, str]] = [
    ("c_int2", "int2", "32767", 32767, "int2"),
    ("c_int8", "int8", "9223372036854775807", 9223372036854775807, "int8"),
    (
        "c_numeric",
        "numeric",
        "12345678901234567890.123456789012345",
        Decimal("12345678901234567890.123456789012345"),
        "numeric",
    ),
    ("c_scaled", "numeric(5,2)", "1.5", Decimal("1.50"), "numeric"),
    ("c_nan", "numeric", "'NaN'", None, "numeric"),
    ("c_float8", "float8", "0.1", Decimal("0.1"), "float8"),
    ("c_float_inf", "float8", "'Infinity'", None, "float8"),
    ("c_bool", "bool", "true", True, "bool"),
    ("c_text", "text", "E'h\\u00e9llo \"q\" \\\\ n'", 'héllo "q" \\ n', "text"),
    ("c_char", "char(5)", "'ab'", "a", "bpchar"),
    (
        "c_uuid",
        "uuid",
        "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'",
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "uuid",
    ),
    (
        "c_jsonb",
        "jsonb",
        """'{"b": 2.50, "a": [1, null]}'""",
        {"a": [1, None], "b": Decimal("2.50")},
        "jsonb",
    ),
    ("c_json", "json", """'{"b": 1, "a": 2}'""", {"a": 2, "b": 1}, "json"),
    (
        "c_ts",
        "timestamp",
        "'2024-01-02 03:04:05.123456'",
        "2024-01-02T03:04:05.123456",
        "timestamp",
    ),
    (
        "c_tstz",
        "timestamptz",
        "'2024-01-02 03:04:05.5+00'",
        "2024-01-02T03:04:05.5+00:00",
        "timestamptz",
    ),
    ("c_tstz_inf", "timestamptz", "'infinity'", "infinity", "timestamptz"),
    ("c_date", "date", "'2024-01-02'", "2024-01-02", "date"),
    ("c_time", "time", "'03:04:05.000001'", "03:04:05.000001", "time"),
    ("c_timetz", "timetz", "'03:04:05+02'", "03:04:05+02", "timetz"),
    (
        "c_interval",
        "interval",
        "'1 year 2 months 3 days 04:05:06.7'",
        "1 year 2 mons 3 days 04:05:06.7",
        "interval",
    ),
    ("c_bytea", "bytea", "'\\x00ff10'", "00ff10", "bytea"),
    ("c_bytea_arr", "bytea[]", "array['\\x00ff10'::bytea]", ["\\x00ff10"], "_bytea"),
    ("c_int_arr", "int4[]", "'{1,2,null}'", [1, 2, None], "_int4"),
    ("c_text_2d", "text[]", "'{{a,b},{c,d}}'", [["a", "b"], ["c", "d"]], "_text"),
    ("c_enum", "mood", "'in between'", "in between", "mood"),
    ("c_domain", "posint", "5", 5, "posint"),
    ("c_inet", "inet", "'10.1.2.3/24'", "10.1.2.3/24", "inet"),
    ("c_range", "int4range", "'[1,10)'", "[1,10)", "int4range"),
    ("c_oid", "oid", "12345", "12345", "oid"),
]


async def test_every_type_reaches_the_wire_exactly(
    db: Database, feed: PostgresChangesFeed, table_name: str
) -> None:
    await db.execute("drop type if exists mood cascade")
    await db.execute("create type mood as enum ('sad', 'in between', 'happy')")
    await db.execute("drop domain if exists posint cascade")
    await db.execute("create domain posint as int check (value > 0)")
    definitions = ", ".join(f"{name} {sql_type}" for name, sql_type, *_ in CASES)
    await db.execute(f"create table {table_name} (id int primary key, {definitions})")
    await db.execute(f"alter publication supabase_realtime add table {table_name}")
    inbox, _ = await subscribe(feed, [{"event": "INSERT", "schema": "public", "table": table_name}])
    literals = ", ".join(literal for _, _, literal, *_ in CASES)
    await db.execute(f"insert into {table_name} values (1, {literals})")
    data = (await inbox.next())["data"]
    record = data["record"]
    assert record.pop("id") == 1
    assert record == {name: wire for name, _, _, wire, _ in CASES}
    for name, _, _, wire, _ in CASES:
        assert type(record[name]) is type(wire), name
    assert data["columns"][1:] == [{"name": name, "type": typname} for name, *_, typname in CASES]
