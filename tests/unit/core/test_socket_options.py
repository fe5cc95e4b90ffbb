"""The handshake options handed to websockets: headers, TLS context, proxy."""

from __future__ import annotations

import ssl

from realtime_typed.client.connection import SocketOptions


def test_defaults_leave_the_proxy_to_the_environment() -> None:
    assert SocketOptions().connect_kwargs() == {"proxy": True}


def test_headers_tls_and_a_proxy_url_are_passed_on() -> None:
    context = ssl.create_default_context()
    options = SocketOptions(headers={"X-Trace": "1"}, ssl=context, proxy="http://proxy:3128")
    assert options.connect_kwargs() == {
        "additional_headers": {"X-Trace": "1"},
        "ssl": context,
        "proxy": "http://proxy:3128",
    }


def test_no_proxy_connects_directly() -> None:
    assert SocketOptions(proxy=False).connect_kwargs() == {"proxy": None}
