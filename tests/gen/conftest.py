"""Fixtures of the realtime-gen tests that need a database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from realtime_typed.local.postgres.sql_files import read_sql


@pytest.fixture
def database(postgres_dsn: str) -> Iterator[str]:
    """The URL of a new, empty database prepared like a Supabase project; dropped after."""
    name = f"gen_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        conn.execute(f'create database "{name}"'.encode())
    url = f"{postgres_dsn.rsplit('/', 1)[0]}/{name}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(read_sql("supabase.sql").encode())
    yield url
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        conn.execute(f'drop database "{name}" with (force)'.encode())
