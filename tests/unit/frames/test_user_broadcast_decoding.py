"""Kind-4 (and a client's kind-3) user broadcasts: the short path of the common frame and the
checked path agree."""

from __future__ import annotations

import pytest

from realtime_typed.errors import ProtocolError
from realtime_typed.protocol.frames import (
    Frame,
    UserBroadcast,
    decode_client_frame,
    decode_server_frame,
    encode_client_frame,
    encode_user_broadcast,
)


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


def _kind3(payload: bytes, *, meta: bytes = b"", encoding: int = 1, event: bytes = b"e") -> bytes:
    fields = (b"1", b"2", b"t", event, meta)
    return bytes((3, *(len(field) for field in fields), encoding)) + b"".join(fields) + payload


@pytest.mark.parametrize(
    ("payload", "metadata"),
    [
        ({"x": 1.5, "user": "ü"}, None),
        ([1, 2, 3], None),
        ("text", None),
        ({"x": 1}, {"persist": True}),
        (b"\x00\xff raw", None),
    ],
)
def test_every_kind3_shape_decodes_to_the_sent_broadcast(
    payload: object, metadata: dict[str, object] | None
) -> None:
    body: dict[str, object] = {"type": "broadcast", "event": "cursor", "payload": payload}
    if metadata:
        body.update(metadata)
    data = encode_client_frame(Frame("1", "2", "realtime:room", "broadcast", body))
    binary = type(payload) is bytes
    expected = UserBroadcast("1", "2", "realtime:room", "cursor", metadata, payload, binary)
    assert decode_client_frame(data) == expected


def test_kind3_payloads_the_short_path_leaves_to_the_checked_one() -> None:
    def payload(data: bytes) -> object:
        decoded = decode_client_frame(data)
        assert isinstance(decoded, UserBroadcast)
        return decoded.payload

    assert payload(_kind3(b' {"a": 1} \n')) == {"a": 1}
    assert payload(_kind3(b"\xef\xbb\xbf" + b'{"a": 1}')) == {"a": 1}  # a UTF-8 BOM
    assert payload(_kind3('{"a": "ü"}'.encode("utf-16"))) == {"a": "ü"}
    assert payload(_kind3(b"")) is None


@pytest.mark.parametrize(
    "data",
    [
        _kind3(b"{}", event=b"\xff"),
        _kind3(b"{} junk"),
        _kind3(b"\xff"),
        _kind3(b"{}", encoding=2),
        _kind3(b"{}", meta=b"[]"),
        bytes((3, 9, 1, 1, 1, 0, 1)) + b"t",
    ],
)
def test_malformed_kind3_frames_are_protocol_errors(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        decode_client_frame(data)
