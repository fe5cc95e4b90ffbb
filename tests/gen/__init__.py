"""Tests of realtime-gen: golden modules, errors, the database path, runtime and types."""
