"""Kind-4 user broadcasts: the short path of the common frame and the checked path agree."""

from __future__ import annotations

import pytest

from realtime_typed.errors import ProtocolError
from realtime_typed.protocol.frames import Frame, decode_server_frame, encode_user_broadcast


def _frame(event: str, payload: object, meta: dict[str, object] | None = None) -> Frame:
    body: dict[str, object] = {"type": "broadcast", "event": event, "payload": payload}
    if meta:
        body["meta"] = meta
    return Frame(None, None, "realtime:room", "broadcast", body)


@pytest.mark.parametrize(
    ("payload", "meta"),
    [
        ({"x": 1.5, "user": "ü"}, None),
        ([1, 2, 3], None),
        ("text", None),
        ({"x": 1}, {"id": "m1", "replayed": True}),
        (b"\x00\xff raw", None),
    ],
)
def test_every_kind4_shape_decodes_to_the_reference_payload(
    payload: object, meta: dict[str, object] | None
) -> None:
    data = encode_user_broadcast("realtime:room", "cursor", payload, meta)
    assert decode_server_frame(data) == _frame("cursor", payload, meta)


def _kind4(topic: bytes, event: bytes, payload: bytes, encoding: int = 1) -> bytes:
    return bytes((4, len(topic), len(event), 0, encoding)) + topic + event + payload


def test_json_followed_by_whitespace_and_an_empty_payload_take_the_checked_path() -> None:
    assert decode_server_frame(_kind4(b"t", b"e", b'{"a": 1} \n')).payload["payload"] == {"a": 1}
    assert decode_server_frame(_kind4(b"t", b"e", b"")).payload["payload"] is None


@pytest.mark.parametrize(
    "data",
    [
        _kind4(b"t", b"\xff", b"{}"),
        _kind4(b"\xff", b"e", b"{}"),
        _kind4(b"t", b"e", b"{} junk"),
        _kind4(b"t", b"e", b"\xff"),
        bytes((4, 9, 1, 0, 1)) + b"t",
    ],
)
def test_malformed_kind4_frames_are_protocol_errors(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        decode_server_frame(data)
