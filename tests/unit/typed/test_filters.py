"""Typed filters render the server's filter grammar: values as PostgreSQL reads them, quoted."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from ipaddress import IPv4Interface, IPv6Network
from uuid import UUID

import pytest

from realtime_typed.typed.filters import (
    BoolColumn,
    Column,
    EqColumn,
    NullColumn,
    TextColumn,
    format_filter_value,
)


def test_ordered_column_builds_every_filter() -> None:
    user_id = Column[int]("user_id")
    assert user_id.eq(42).build() == "user_id=eq.42"
    assert user_id.neq(1).build() == "user_id=neq.1"
    assert user_id.lt(1).build() == "user_id=lt.1"
    assert user_id.lte(1).build() == "user_id=lte.1"
    assert user_id.gt(1).build() == "user_id=gt.1"
    assert user_id.gte(1).build() == "user_id=gte.1"
    assert user_id.in_([1, 2, 3]).build() == "user_id=in.(1,2,3)"
    assert user_id.not_in([1]).build() == "user_id=not.in.(1)"
    assert user_id.is_(None).build() == "user_id=is.null"
    assert user_id.is_not(None).build() == "user_id=not.is.null"


def test_conditions_combine_with_and() -> None:
    title = TextColumn("title")
    done = BoolColumn("done")
    assert (title.like("a%") & done.eq(True)).build() == "title=like.a%,done=eq.true"
    assert str(title.ilike("A%")) == "title=ilike.A%"
    assert done.is_("false").build() == "done=is.false"
    assert done.is_not("unknown").build() == "done=not.is.unknown"


def test_in_lists_are_array_literal_elements() -> None:
    name = TextColumn("name")
    built = name.in_(["a", "b c", "x,y", "", "NULL", "{}", 'q"', "(p)"]).build()
    assert built == 'name=in.(a,"b c","x,y","","NULL","{}","q\\"","(p)")'


def test_bytes_and_networks_are_written_as_postgres_reads_them() -> None:
    data = Column[bytes]("data")
    assert data.eq(b"\x01\xff").build() == "data=eq.01ff"
    assert data.in_([b"\x01", b""]).build() == 'data=in.(01,"")'
    host = Column[IPv4Interface]("host")
    assert host.eq(IPv4Interface("10.0.0.1/32")).build() == "host=eq.10.0.0.1/32"
    net = Column[IPv6Network]("net")
    assert net.in_([IPv6Network("2001:db8::/32")]).build() == "net=in.(2001:db8::/32)"


def test_columns_without_equality_offer_only_null_tests() -> None:
    shape = NullColumn("shape")
    assert shape.is_(None).build() == "shape=is.null"
    assert shape.is_not().build() == "shape=not.is.null"
    assert not hasattr(shape, "eq")
    assert not hasattr(EqColumn[int]("x"), "lt")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("plain", "plain"),
        ("a, b", '"a, b"'),
        ("(x)", '"(x)"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        (" padded ", '" padded "'),
        (Decimal("1.000000000000000000001"), "1.000000000000000000001"),
        (UUID(int=1), "00000000-0000-0000-0000-000000000001"),
        (datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "2026-01-02T03:04:05+00:00"),
        (False, "false"),
        (None, "null"),
    ],
)
def test_values_are_formatted_and_quoted(value: object, text: str) -> None:
    assert format_filter_value(value) == text


def test_a_value_without_postgres_text_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="no filter text"):
        format_filter_value(object())


def test_negated_and_distinct_operators_use_the_not_prefix() -> None:
    title = TextColumn("title")
    rank: Column[int] = Column("rank")
    assert title.not_like("a%").build() == "title=not.like.a%"
    assert title.not_ilike("A%").build() == "title=not.ilike.A%"
    assert rank.is_distinct(3).build() == "rank=isdistinct.3"
    assert rank.is_not_distinct(3).build() == "rank=not.isdistinct.3"
