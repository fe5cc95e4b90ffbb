"""The keyword options of a client, as a ``TypedDict`` for ``**options`` signatures.

:meth:`RealtimeClient.from_supabase` takes the client's options as keywords; this type lets
mypy and pyright check them there as they are checked in the constructor.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Mapping
from typing import TypedDict

import httpx

from realtime_typed.client.connection import Proxy
from realtime_typed.protocol.backoff import Backoff
from realtime_typed.protocol.frames import Vsn

__all__ = ["ClientOptions"]


class ClientOptions(TypedDict, total=False):
    """The constructor's keyword options other than the URL, the API key and the token."""

    vsn: Vsn
    heartbeat_interval: float
    timeout: float
    reconnect_after: Backoff
    rejoin_after: Backoff
    rate_limit_delay: float
    params: Mapping[str, str] | None
    logger: logging.Logger | None
    http_client: httpx.AsyncClient | None
    headers: Mapping[str, str] | None
    ssl: ssl.SSLContext | None
    proxy: Proxy
