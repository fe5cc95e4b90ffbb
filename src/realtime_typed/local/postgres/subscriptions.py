"""Subscription rows in ``realtime.feed_subscription``: inserting a channel's bindings, the
server's error texts when that fails, and deleting them again."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, Final
from uuid import UUID

import psycopg
import psycopg.errors

from realtime_typed.local.postgres.params import SubscriptionParams

__all__ = [
    "SubscriptionFailed",
    "delete_subscriptions",
    "describe_database_error",
    "insert_subscriptions",
]

_NOT_ENABLED: Final = (
    "Unable to subscribe to changes with given parameters. Please check Realtime is enabled "
    "for the given connect parameters: [{params}]"
)
_EXCEPTION: Final = (
    "Unable to subscribe to changes with given parameters. An exception happened so please "
    "check your connect parameters: [{params}]. Exception: {exception}"
)

_INSERT = """
insert into realtime.feed_subscription
  (feed_id, subscription_id, entity, filters, claims, action_filter, selected_columns)
select
  %(feed)s, %(subscription)s, format('%%I.%%I', p.schemaname, p.tablename)::regclass,
  coalesce((
    select array_agg(row(f.c, f.o::realtime.feed_filter_op, f.v, f.n)::realtime.feed_filter
                     order by f.position)
    from unnest(%(columns)s::text[], %(ops)s::text[], %(values)s::text[], %(negates)s::bool[])
      with ordinality f(c, o, v, n, position)
  ), '{}'),
  %(claims)s::jsonb, %(action)s, %(selected)s::text[]
from pg_catalog.pg_publication_tables p
where p.pubname = %(publication)s
  and p.schemaname like (case when %(schema)s = '*' then '%%' else %(schema)s end) escape ''
  and p.tablename like (case when %(table)s = '*' then '%%' else %(table)s end) escape ''
"""


class SubscriptionFailed(Exception):
    """A binding could not be subscribed; ``str()`` is the notice the client receives."""


def _condition_name(error: psycopg.Error) -> str:
    sqlstate = error.sqlstate or ""
    try:
        name = psycopg.errors.lookup(sqlstate).__name__
    except KeyError:
        return sqlstate
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def describe_database_error(error: psycopg.Error) -> str:
    """``ERROR P0001 (raise_exception) message``: how the server prints a database error."""
    severity = error.diag.severity_nonlocalized or error.diag.severity or "ERROR"
    message = error.diag.message_primary or str(error)
    return f"{severity} {error.sqlstate} ({_condition_name(error)}) {message}"


async def insert_subscriptions(
    conn: psycopg.AsyncConnection[Any],
    *,
    feed_id: str,
    publication: str,
    claims: dict[str, Any],
    bindings: Sequence[tuple[UUID, SubscriptionParams]],
) -> None:
    """Insert every binding's rows in the current transaction; raises SubscriptionFailed
    (after which the caller must roll back) for the first binding that cannot subscribe."""
    for subscription_id, params in bindings:
        values = {
            "feed": feed_id,
            "subscription": subscription_id,
            "columns": [f.column for f in params.filters],
            "ops": [f.op for f in params.filters],
            "values": [f.value for f in params.filters],
            "negates": [f.negate for f in params.filters],
            "claims": json.dumps(claims, default=str),
            "action": params.action_filter,
            "selected": list(params.selected_columns) if params.selected_columns else None,
            "publication": publication,
            "schema": params.schema,
            "table": params.table,
        }
        try:
            async with conn.transaction():
                cursor = await conn.execute(_INSERT, values)
        except psycopg.DatabaseError as error:
            raise SubscriptionFailed(
                _EXCEPTION.format(
                    params=params.describe(), exception=describe_database_error(error)
                )
            ) from error
        if cursor.rowcount == 0:
            raise SubscriptionFailed(_NOT_ENABLED.format(params=params.describe()))


async def delete_subscriptions(
    conn: psycopg.AsyncConnection[Any], feed_id: str, subscription_ids: Sequence[UUID]
) -> None:
    """Delete the rows of these subscriptions."""
    await conn.execute(
        "delete from realtime.feed_subscription where feed_id = %s and subscription_id = any(%s)",
        (feed_id, list(subscription_ids)),
    )
