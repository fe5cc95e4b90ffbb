"""pytest plugin ``realtime_local``: the local Realtime server's fixtures, auto-loaded.

``realtime_server``, ``postgres_dsn`` and ``realtime_server_db`` (see
:mod:`realtime_typed.testing.fixtures`). They need the ``server`` extra and pytest-asyncio;
without them this plugin registers nothing, so installing the package never breaks pytest.
"""

from __future__ import annotations

from importlib.util import find_spec

__all__: list[str] = []

if find_spec("aiohttp") is not None and find_spec("pytest_asyncio") is not None:
    from realtime_typed.testing.fixtures import (
        postgres_dsn,
        realtime_server,
        realtime_server_db,
    )

    __all__ += ["postgres_dsn", "realtime_server", "realtime_server_db"]
