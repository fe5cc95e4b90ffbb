"""The SQL scripts shipped in this package's ``sql`` folder."""

from __future__ import annotations

from importlib import resources

__all__ = ["read_sql"]


def read_sql(name: str) -> str:
    """The text of ``sql/<name>``."""
    return (
        resources.files(__name__.rpartition(".")[0])
        .joinpath("sql", name)
        .read_text(encoding="utf-8")
    )
