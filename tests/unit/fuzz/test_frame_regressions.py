"""Inputs fuzzing found to escape the decoders with something other than ProtocolError."""

from __future__ import annotations

import pytest

from realtime_typed.errors import ProtocolError
from realtime_typed.protocol import decode_frame
from realtime_typed.protocol.frames import decode_client_frame, decode_server_frame

DEEP = "[" * 100_000 + "]" * 100_000
"""Deeper than the JSON parser's recursion limit."""


@pytest.mark.parametrize(
    "data",
    [
        f'[null,null,"t","e",{DEEP}]',
        f'[null,null,"t","postgres_changes",{DEEP}]',
        bytes([4, 1, 1, 0, 1]) + b"te" + DEEP.encode(),
    ],
    ids=["v2 text", "v2 postgres_changes", "kind 4 payload"],
)
def test_deep_json_from_the_server_is_a_protocol_error(data: str | bytes) -> None:
    with pytest.raises(ProtocolError, match="not valid JSON"):
        decode_server_frame(data)
    with pytest.raises(ProtocolError, match="not valid JSON"):
        decode_frame(data)


def test_deep_json_in_vsn_1_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match="not valid JSON"):
        decode_server_frame(f'{{"topic":"t","event":"e","payload":{DEEP}}}', "1.0.0")


@pytest.mark.parametrize(
    "data",
    [f'[null,null,"t","e",{DEEP}]', bytes([3, 0, 0, 1, 1, 0, 1]) + b"te" + DEEP.encode()],
    ids=["v2 text", "kind 3 payload"],
)
def test_deep_json_from_a_client_is_a_protocol_error(data: str | bytes) -> None:
    with pytest.raises(ProtocolError, match="not valid JSON"):
        decode_client_frame(data)
