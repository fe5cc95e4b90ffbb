"""Subscription notices: success, and every error text the real server sends."""

from __future__ import annotations

from typing import Any

import pytest

from realtime_typed.local.postgres import PostgresChangesFeed

from .inbox import Database, subscribe

pytestmark = pytest.mark.postgres

EXCEPTION = (
    "Unable to subscribe to changes with given parameters. An exception happened so please "
    "check your connect parameters: [event: *, schema: public, table: {table}, filters: "
    "[{filters}], select: {select}]. Exception: {error}"
)


@pytest.mark.parametrize(
    ("binding", "filters", "select", "error"),
    [
        (
            {"filter": "nope=eq.1"},
            '{"nope", "eq", "1", false}',
            "nil",
            "ERROR P0001 (raise_exception) invalid column for filter nope",
        ),
        (
            {"filter": "secret=eq.1"},
            '{"secret", "eq", "1", false}',
            "nil",
            "ERROR P0001 (raise_exception) invalid column for filter secret",
        ),
        (
            {"filter": "n=eq.abc"},
            '{"n", "eq", "abc", false}',
            "nil",
            "ERROR 22P02 (invalid_text_representation) "
            'invalid input syntax for type integer: "abc"',
        ),
        (
            {"filter": "n=in.(" + ",".join(map(str, range(101))) + ")"},
            '{"n", "in", "{' + ",".join(map(str, range(101))) + '}", false}',
            "nil",
            "ERROR P0001 (raise_exception) too many values for `in` filter. Maximum 100",
        ),
        (
            {"filter": "n=is.true"},
            '{"n", "is", "true", false}',
            "nil",
            "ERROR P0001 (raise_exception) is true filter requires a boolean column, got integer",
        ),
        (
            {"filter": "n=like.1%"},
            '{"n", "like", "1%", false}',
            "nil",
            "ERROR P0001 (raise_exception) operator like requires a text-compatible column type, "
            "got integer",
        ),
        (
            {"filter": "t=match.(("},
            '{"t", "match", "((", false}',
            "nil",
            "ERROR P0001 (raise_exception) invalid regular expression for match filter: "
            "invalid regular expression: parentheses () not balanced",
        ),
        (
            {"select": ["nope"]},
            "",
            '["nope"]',
            "ERROR P0001 (raise_exception) invalid column for select nope",
        ),
    ],
)
async def test_rejected_subscriptions(
    db: Database,
    feed: PostgresChangesFeed,
    table_name: str,
    binding: dict[str, Any],
    filters: str,
    select: str,
    error: str,
) -> None:
    await db.execute(f"create table {table_name} (id int primary key, n int, t text, secret text)")
    await db.execute(f"revoke select on {table_name} from anon")
    await db.execute(f"grant select (id, n, t) on {table_name} to anon")
    await db.execute(f"alter publication supabase_realtime add table {table_name}")
    ok = {"event": "*", "schema": "public", "table": table_name}
    _, notices = await subscribe(feed, [ok, {**ok, **binding}])
    expected = EXCEPTION.format(table=table_name, filters=filters, select=select, error=error)
    assert notices == [("error", expected)]


@pytest.mark.parametrize(
    ("binding", "message"),
    [
        (
            {"schema": "public", "table": "x", "filter": "id=foo.1"},
            'Error parsing `filter` params: ["foo", "1"]',
        ),
        (
            {"schema": "public", "table": "x", "filter": "undefined"},
            'Error parsing `filter` params: ["undefined"]',
        ),
        (
            {"schema": "public", "table": "x", "filter": "id=eq"},
            'Error parsing `filter` params: ["eq"]',
        ),
        (
            {"schema": "public", "table": "x", "filter": "id=in.1,2"},
            "Error parsing `filter` params: `in` filter value must be wrapped by parentheses",
        ),
        (
            {"schema": "public", "table": "x", "filter": "id=eq.1,,n=eq.2"},
            "Error parsing `filter` params: filter must not contain empty segments "
            "(check for extra commas)",
        ),
        (
            {"schema": "*", "select": ["id"]},
            "Column selection is not supported for wildcard subscriptions. Provide an explicit "
            "schema and table name.",
        ),
        (
            {"schema": "public", "table": "x", "select": "id"},
            "Error parsing `select` params: expected a list of column name strings, e.g. select: "
            '["col1", "col2"]',
        ),
        (
            {"event": "*"},
            "No subscription params provided. Please provide at least a `schema` or `table` to "
            'subscribe to: %{"event" => "*"}',
        ),
        (
            {"event": "*", "schema": "public", "table": "x", "filter": None},
            "No subscription params provided. Please provide at least a `schema` or `table` to "
            'subscribe to: %{"event" => "*", "filter" => nil, "schema" => "public", '
            '"table" => "x"}',
        ),
        (
            {"user_token": "secret"},
            "No subscription params provided. Please provide at least a `schema` or `table` to "
            "subscribe to: <redacted>",
        ),
        (
            {"event": "INSERT", "schema": "public", "table": "not_published"},
            "Unable to subscribe to changes with given parameters. Please check Realtime is "
            "enabled for the given connect parameters: [event: INSERT, schema: public, table: "
            "not_published, filters: [], select: nil]",
        ),
    ],
)
async def test_parameter_errors(
    feed: PostgresChangesFeed, binding: dict[str, Any], message: str
) -> None:
    _, notices = await subscribe(feed, [binding])
    assert notices == [("error", message)]


async def test_unknown_role_is_an_exception_notice(
    db: Database, feed: PostgresChangesFeed, table_name: str
) -> None:
    await db.execute(f"create table {table_name} (id int primary key)")
    await db.execute(f"alter publication supabase_realtime add table {table_name}")
    _, notices = await subscribe(
        feed, [{"event": "*", "schema": "public", "table": table_name}], {"role": "ghost"}
    )
    [(status, message)] = notices
    assert status == "error"
    assert message.endswith('Exception: ERROR 42704 (undefined_object) role "ghost" does not exist')


@pytest.mark.parametrize(
    ("filter_text", "filters", "error"),
    [
        (
            "arr=in.({1},{2})",
            '{"arr", "in", "{{1},{2}}", false}',
            "ERROR 42883 (undefined_function) operator does not exist: integer[] = integer",
        ),
        (
            'j=eq.{"a":1}',
            '{"j", "eq", "{\\"a\\":1}", false}',
            "ERROR 42883 (undefined_function) operator does not exist: json = json",
        ),
        (
            "p=lt.(1,2)",
            '{"p", "lt", "(1,2)", false}',
            "ERROR 42883 (undefined_function) operator does not exist: point < point",
        ),
    ],
)
async def test_filters_the_server_cannot_evaluate_are_refused_at_subscribe(
    db: Database,
    feed: PostgresChangesFeed,
    table_name: str,
    filter_text: str,
    filters: str,
    error: str,
) -> None:
    await db.execute(f"create table {table_name} (id int primary key, arr int[], j json, p point)")
    await db.execute(f"alter publication supabase_realtime add table {table_name}")
    ok = {"event": "*", "schema": "public", "table": table_name}
    _, notices = await subscribe(feed, [ok, {**ok, "filter": filter_text}])
    expected = EXCEPTION.format(table=table_name, filters=filters, select="nil", error=error)
    assert notices == [("error", expected)]


async def test_a_filter_that_fails_on_a_change_never_stops_other_subscribers(
    db: Database, feed: PostgresChangesFeed, table_name: str
) -> None:
    await db.execute(f"create table {table_name} (id int primary key, v text)")
    await db.execute(f"alter publication supabase_realtime add table {table_name}")
    base = {"event": "INSERT", "schema": "public", "table": table_name}
    broken, notices = await subscribe(feed, [{**base, "filter": "v=lt.b"}], channel="broken")
    assert notices == [("ok", "Subscribed to PostgreSQL")]
    others, _ = await subscribe(feed, [base, {**base, "filter": "id=eq.2"}], channel="others")
    # The filter was valid when checked; a type without ordering makes it fail on every change.
    await db.execute(f"alter table {table_name} alter column v type json using to_json(v)")
    await db.execute(f"insert into {table_name} values (1, '\"a\"'), (2, '\"c\"')")
    first, second = await others.next(), await others.next()
    assert [sorted(first["ids"]), sorted(second["ids"])] == [[1], [1, 2]]
    await db.execute(f"alter table {table_name} alter column v type text using v #>> '{{}}'")
    await db.execute(f"insert into {table_name} values (3, 'a')")
    assert (await broken.next())["data"]["record"]["id"] == 3
