"""Typed filters render the server's filter grammar, quoting values as PostgREST does."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from realtime_typed.typed.filters import Column, format_filter_value


def test_parametrized_column_builds_filters() -> None:
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
    title = Column[str]("title")
    done = Column[bool]("done")
    assert (title.like("a%") & done.eq(True)).build() == "title=like.a%,done=eq.true"
    assert str(title.ilike("A%")) == "title=ilike.A%"


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
