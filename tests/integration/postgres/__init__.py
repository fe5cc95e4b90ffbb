"""Tests of the throwaway cluster and the Postgres-changes feed against real PostgreSQL."""
