"""Frames not valid for their version, or whose payload does not fit, raise ProtocolError."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from realtime_typed.errors import ProtocolError
from realtime_typed.protocol import decode_frame


def _kind4(topic: bytes, event: bytes, meta: bytes, payload: bytes) -> bytes:
    return bytes((4, len(topic), len(event), len(meta), 1)) + topic + event + meta + payload


@pytest.mark.parametrize(
    ("frame", "vsn", "problem"),
    [
        ("not json", "2.0.0", "not valid JSON"),
        ('[null,null,"t","e"]', "2.0.0", "array of 5 elements"),
        ('{"topic":"t","event":"e","payload":{},"ref":null}', "2.0.0", "array of 5 elements"),
        ('[null,null,1,"e",{}]', "2.0.0", "topic and event must be strings"),
        ('[null,null,"t",null,{}]', "2.0.0", "topic and event must be strings"),
        ('[null,1.5,"t","e",{}]', "2.0.0", "ref must be a string or null"),
        ('[null,null,"t","e",{}]', "1.0.0", "must be a JSON object"),
        ('{"topic":"t","event":"e","payload":{},"ref":["1"]}', "1.0.0", "ref must be"),
        (b"\x04\x03", "1.0.0", "vsn 1.0.0 has no binary frames"),
        ('[null,null,"t","e",{}]', "3.0.0", "unsupported serializer version"),
        (b"", "2.0.0", "empty binary frame"),
        (b"\x09\x00", "2.0.0", "unknown binary frame kind 9"),
        (b"\x04\x03\x0a", "2.0.0", "shorter than its 5-byte header"),
        (_kind4(b"top", b"user-event", b"", b"{}")[:7], "2.0.0", "truncated in topic"),
        (bytes((4, 255, 1, 0, 1)) + b"top", "2.0.0", "truncated in topic"),
        (bytes((4, 3, 200, 0, 1)) + b"top" + b"e" * 20, "2.0.0", "truncated in user event"),
        (_kind4(b"top", b"e", b"[1]", b"{}"), "2.0.0", "metadata must be a JSON object"),
        (_kind4(b"top", b"e", b"", b"{nope"), "2.0.0", "payload is not valid JSON"),
        (bytes((4, 3, 1, 0, 7)) + b"tope{}", "2.0.0", "unknown user broadcast payload encoding"),
        (_kind4(b"t\xff", b"e", b"", b"{}"), "2.0.0", "topic is not UTF-8"),
    ],
)
def test_invalid_frame_names_the_problem(frame: str | bytes, vsn: str, problem: str) -> None:
    with pytest.raises(ProtocolError, match=problem):
        decode_frame(frame, vsn=vsn)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


@pytest.mark.parametrize(
    ("frame", "location"),
    [
        ('[null,"1","phoenix","phx_reply",{"status":"maybe"}]', "payload.status"),
        ('[null,"1","phoenix","phx_reply",{"response":{}}]', "payload.status"),
        ('[null,null,"realtime:r","presence_diff",{"joins":{}}]', "payload.leaves"),
        ('[null,null,"realtime:r","presence_state",{"k":{"metas":[{"x":1}]}}]', "phx_ref"),
        ('[null,null,"realtime:r","postgres_changes",{"ids":[1],"data":{}}]', "payload.data"),
        ('[null,null,"realtime:r","broadcast","just text"]', "payload"),
        (
            '[null,null,"realtime:r","system",{"extension":"other","status":"ok","message":"m"}]',
            "payload.extension",
        ),
    ],
)
def test_payload_that_does_not_fit_its_model(frame: str, location: str) -> None:
    with pytest.raises(ProtocolError, match=location) as raised:
        decode_frame(frame)
    assert isinstance(raised.value.__cause__, ValidationError)


def test_error_message_does_not_repeat_payload_values() -> None:
    secret = "eyJhbGciOiJIUzI1NiJ9.secret-token-value"
    frame = f'[null,null,"realtime:r","system",{{"extension":"system","status":"{secret}"}}]'
    with pytest.raises(ProtocolError) as raised:
        decode_frame(frame)
    assert secret not in str(raised.value)
    assert "payload.status" in str(raised.value)
    assert "payload.message" in str(raised.value)
