"""Wire samples for the schema tests, one parameter per line of ``wire_samples.jsonl``.

The samples are messages of the reference client's tests and the server's, in the logical
envelope ``{topic, event, payload, ref, join_ref}``; binary frames add ``_v2_binary_hex`` (the
exact bytes), and a raw binary payload is written ``{"_arraybuffer_hex": "..."}``. A test that
takes one of the fixtures below runs once per matching line:

* ``server_text_sample`` / ``server_binary_sample``: server-to-client text / binary frames;
* ``client_sample``: client-to-server frames, text and binary.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

_SAMPLES = Path(__file__).with_name("wire_samples.jsonl")
BINARY_KEY = "_v2_binary_hex"


def _is_server_text(entry: dict[str, Any]) -> bool:
    return bool(entry["direction"] == "server->client" and BINARY_KEY not in entry["message"])


def _is_server_binary(entry: dict[str, Any]) -> bool:
    return bool(entry["direction"] == "server->client" and BINARY_KEY in entry["message"])


def _is_client(entry: dict[str, Any]) -> bool:
    return bool(entry["direction"] == "client->server")


_FIXTURES = {
    "server_text_sample": _is_server_text,
    "server_binary_sample": _is_server_binary,
    "client_sample": _is_client,
}


def _samples(select: Callable[[dict[str, Any]], bool]) -> list[Any]:
    lines = _SAMPLES.read_text(encoding="utf-8").splitlines()
    return [
        pytest.param(entry["message"], id=f"line{number}-{entry['message']['event']}")
        for number, entry in enumerate(map(json.loads, lines), start=1)
        if select(entry)
    ]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize each sample fixture a test takes with the lines it selects."""
    for fixture, select in _FIXTURES.items():
        if fixture in metafunc.fixturenames:
            metafunc.parametrize(fixture, _samples(select))
