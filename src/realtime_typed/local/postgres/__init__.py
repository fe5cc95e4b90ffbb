"""Real PostgreSQL behind the local server: a throwaway cluster and the Postgres-changes feed.

The bottom layer of :mod:`realtime_typed.local`: it imports nothing else of the server.
``TemporaryCluster`` starts a private PostgreSQL with logical decoding and wal2json;
``PostgresChangesFeed`` computes ``postgres_changes`` payloads from it the way Supabase
Realtime does (per-subscriber RLS, column privileges, filters and value casting);
``stored_messages`` reads and replays the broadcasts stored in ``realtime.messages``.
"""

from realtime_typed.local.postgres.binaries import PostgresNotInstalled
from realtime_typed.local.postgres.cluster import ClusterStartError, TemporaryCluster
from realtime_typed.local.postgres.feed import FeedStats, PostgresChangesFeed

__all__ = [
    "ClusterStartError",
    "FeedStats",
    "PostgresChangesFeed",
    "PostgresNotInstalled",
    "TemporaryCluster",
]
