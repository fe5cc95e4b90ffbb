"""The handshake options handed to websockets: headers, TLS context, proxy.

websockets 14 has no proxy support: there the proxy keyword is never passed, and a proxy URL
is refused when the options are made.
"""

from __future__ import annotations

import ssl

import pytest
from websockets.version import version

from realtime_typed.client.connection import SocketOptions

PROXIES = int(version.split(".", 1)[0]) >= 15


def _proxy(value: object) -> dict[str, object]:
    return {"proxy": value} if PROXIES else {}


def test_defaults_leave_the_proxy_to_the_environment() -> None:
    assert SocketOptions().connect_kwargs() == _proxy(True)


def test_headers_and_tls_are_passed_on() -> None:
    context = ssl.create_default_context()
    options = SocketOptions(headers={"X-Trace": "1"}, ssl=context, proxy=False)
    assert options.connect_kwargs() == {
        "additional_headers": {"X-Trace": "1"},
        "ssl": context,
        **_proxy(None),
    }


def test_a_proxy_url_is_passed_on_or_refused() -> None:
    if PROXIES:
        options = SocketOptions(proxy="http://proxy:3128")
        assert options.connect_kwargs() == {"proxy": "http://proxy:3128"}
    else:
        with pytest.raises(ValueError, match="websockets 15"):
            SocketOptions(proxy="http://proxy:3128")
