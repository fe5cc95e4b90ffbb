"""Every server-to-client wire sample decodes to its event's model through ``decode_frame``.

Text samples are decoded as a vsn 2.0.0 array and as a vsn 1.0.0 object; binary samples from
their exact bytes. The decoded model, dumped back, gives the sample's payload again: nothing is
lost, extra keys included.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from realtime_typed._generated.events import SERVER_MESSAGE_MODELS
from realtime_typed.protocol import (
    ErrorReplyResponse,
    InboundBroadcastMessage,
    JoinReplyResponse,
    OtherResponse,
    PostgresChangesMessage,
    ReplyMessage,
    ServerMessage,
    SystemMessage,
    UnknownMessage,
    decode_frame,
)

_BINARY_KEY = "_v2_binary_hex"  # see conftest.py
_RAW_KEY = "_arraybuffer_hex"


def _expected_payload(payload: object) -> object:
    """The sample's payload as the model holds it: raw bytes and parsed timestamps."""
    if isinstance(payload, dict):
        mapping = cast("dict[str, object]", payload)
        raw = mapping.get(_RAW_KEY)
        if isinstance(raw, str) and len(mapping) == 1:
            return bytes.fromhex(raw)
        return {
            key: datetime.fromisoformat(value)
            if key == "commit_timestamp" and isinstance(value, str)
            else _expected_payload(value)
            for key, value in mapping.items()
        }
    if isinstance(payload, list):
        return [_expected_payload(item) for item in cast("list[object]", payload)]
    return payload


def _check(message: ServerMessage, sample: dict[str, Any], *, join_ref: str | None) -> None:
    assert type(message) is SERVER_MESSAGE_MODELS[sample["event"]]
    assert (message.topic, message.event, message.ref, message.join_ref) == (
        sample["topic"],
        sample["event"],
        sample["ref"],
        join_ref,
    )
    dumped = message.model_dump(by_alias=True, exclude_unset=True)
    assert dumped["payload"] == _expected_payload(sample["payload"])


def test_text_sample_decodes_as_v2_array(server_text_sample: dict[str, Any]) -> None:
    envelope = ("join_ref", "ref", "topic", "event", "payload")
    frame = json.dumps([server_text_sample[key] for key in envelope])
    message = decode_frame(frame, vsn="2.0.0")
    _check(message, server_text_sample, join_ref=server_text_sample["join_ref"])


def test_text_sample_decodes_as_v1_object(server_text_sample: dict[str, Any]) -> None:
    v1 = {key: server_text_sample[key] for key in ("topic", "event", "payload", "ref")}
    message = decode_frame(json.dumps(v1), vsn="1.0.0")
    _check(message, server_text_sample, join_ref=None)


def test_binary_sample_decodes_from_its_bytes(server_binary_sample: dict[str, Any]) -> None:
    message = decode_frame(bytes.fromhex(server_binary_sample[_BINARY_KEY]), vsn="2.0.0")
    _check(message, server_binary_sample, join_ref=server_binary_sample["join_ref"])


def test_join_reply_binding_ids_keep_their_type() -> None:
    frame = (
        '["1","1","realtime:any","phx_reply",{"status":"ok","response":{"postgres_changes":'
        '[{"event":"INSERT","schema":"public","id":30636876},'
        '{"event":"*","schema":"*","id":"abc"}]}}]'
    )
    message = decode_frame(frame)
    assert isinstance(message, ReplyMessage)
    response = message.payload.response
    assert isinstance(response, JoinReplyResponse)
    assert [binding.id for binding in response.postgres_changes] == [30636876, "abc"]
    assert [binding.schema_ for binding in response.postgres_changes] == ["public", "*"]


def test_reply_responses_decode_to_their_shape() -> None:
    def response(text: str) -> object:
        message = decode_frame(f'[null,"3","realtime:r","phx_reply",{text}]')
        assert isinstance(message, ReplyMessage)
        return message.payload.response

    assert response('{"status":"error","response":"payload_size_exceeded"}') == (
        "payload_size_exceeded"
    )
    refused = response('{"status":"error","response":{"reason":"PrivateOnly: only private"}}')
    assert refused == ErrorReplyResponse(reason="PrivateOnly: only private")
    assert isinstance(response('{"status":"ok","response":{}}'), OtherResponse)
    assert response('{"status":"ok"}') is None


def test_postgres_changes_numbers_keep_every_digit() -> None:
    frame = (
        '[null,null,"realtime:any","postgres_changes",{"ids":[7],"data":{"schema":"public",'
        '"table":"t","type":"INSERT","commit_timestamp":"2026-08-21T12:00:00.000Z",'
        '"columns":[{"name":"amount","type":"numeric"}],'
        '"record":{"amount":12345678901234567890.123456789012345,"n":9223372036854775807},'
        '"errors":null}}]'
    )
    message = decode_frame(frame)
    assert isinstance(message, PostgresChangesMessage)
    record = message.payload.data.record
    assert record == {
        "amount": Decimal("12345678901234567890.123456789012345"),
        "n": 9223372036854775807,
    }
    assert message.payload.data.old_record is None


def test_system_message_without_channel() -> None:
    frame = (
        '[null,null,"realtime:room1","system",{"extension":"system","status":"ok",'
        '"message":"Server requested disconnect"}]'
    )
    message = decode_frame(frame)
    assert isinstance(message, SystemMessage)
    assert message.payload.channel is None


def test_inbound_models_keep_keys_they_do_not_know() -> None:
    frame = (
        '[null,null,"realtime:r","broadcast",{"type":"broadcast","event":"e","payload":1,'
        '"meta":{"replayed":true,"id":"x","origin":"db"},"later":true}]'
    )
    message = decode_frame(frame)
    assert isinstance(message, InboundBroadcastMessage)
    assert message.payload.model_extra == {"later": True}
    assert message.payload.meta is not None
    assert message.payload.meta.model_extra == {"origin": "db"}


def test_unknown_event_decodes_to_unknown_message() -> None:
    message = decode_frame('[null,null,"realtime:r","INSERT",{"a":[1,2.5,null]}]')
    assert isinstance(message, UnknownMessage)
    assert (message.event, message.payload) == ("INSERT", {"a": [1, 2.5, None]})
    v1 = decode_frame('{"topic":"realtime:r","event":"x","payload":"text","ref":null}', "1.0.0")
    assert isinstance(v1, UnknownMessage)
    assert v1.payload == "text"


def test_unknown_binary_broadcast_keeps_raw_bytes() -> None:
    # Phoenix kind 2 broadcast: topic length, event length, topic, event, raw payload.
    frame = bytes([2, 3, 4]) + b"top" + b"ping" + b"\x00\xff"
    message = decode_frame(frame)
    assert isinstance(message, UnknownMessage)
    assert (message.topic, message.event, message.payload) == ("top", "ping", b"\x00\xff")
