"""Socket and REST endpoint URLs built from what users pass."""

from __future__ import annotations

import pytest

from realtime_typed.client.endpoint import rest_broadcast_url, socket_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("ws://localhost:4000/socket", "ws://localhost:4000/socket/websocket"),
        ("wss://h.example/realtime/v1", "wss://h.example/realtime/v1/websocket"),
        ("wss://h.example/realtime/v1/", "wss://h.example/realtime/v1/websocket"),
        ("ws://h/socket/websocket", "ws://h/socket/websocket"),
        ("https://abc.supabase.co", "wss://abc.supabase.co/realtime/v1/websocket"),
        ("http://127.0.0.1:54321/realtime/v1", "ws://127.0.0.1:54321/realtime/v1/websocket"),
    ],
)
def test_socket_url_forms(given: str, expected: str) -> None:
    assert socket_url(given, "KEY", None, "2.0.0") == f"{expected}?apikey=KEY&vsn=2.0.0"


def test_params_sit_between_apikey_and_vsn() -> None:
    url = socket_url("ws://h/socket", "K", {"log_level": "info", "apikey": "ignored"}, "1.0.0")
    assert url == "ws://h/socket/websocket?apikey=K&log_level=info&vsn=1.0.0"


@pytest.mark.parametrize("given", ["ftp://h/socket", "wss:///socket", "localhost:4000"])
def test_unsupported_urls_are_refused(given: str) -> None:
    with pytest.raises(ValueError, match="Realtime URL"):
        socket_url(given, "K", None, "2.0.0")


@pytest.mark.parametrize(
    ("socket", "base"),
    [
        (
            "wss://abc.supabase.co/realtime/v1/websocket?apikey=K&vsn=2.0.0",
            "https://abc.supabase.co/realtime/v1/api/broadcast",
        ),
        (
            "ws://127.0.0.1:4000/socket/websocket?apikey=K&vsn=2.0.0",
            "http://127.0.0.1:4000/api/broadcast",
        ),
    ],
)
def test_rest_url_keeps_the_query(socket: str, base: str) -> None:
    assert rest_broadcast_url(socket) == (base, "apikey=K&vsn=2.0.0")
