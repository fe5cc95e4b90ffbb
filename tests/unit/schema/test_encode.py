"""``encode_frame``: client messages to the exact text and bytes the reference client sends.

The byte vectors are those of protocol §1.4: a binary user broadcast (kind 3) is
``03 <join_ref len> <ref len> <topic len> <event len> <metadata len> <encoding>`` followed by
the join_ref, ref, topic, user event, metadata and payload.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from realtime_typed._generated.events import CLIENT_MESSAGE_MODELS
from realtime_typed.errors import ProtocolError
from realtime_typed.protocol import (
    AccessTokenPayload,
    AccessTokenPush,
    BroadcastConfig,
    BroadcastPush,
    BroadcastPushPayload,
    EmptyPayload,
    Frame,
    HeartbeatPush,
    JoinConfig,
    JoinPayload,
    JoinPush,
    PersistOptions,
    PostgresChangesFilter,
    PresenceConfig,
    PresencePush,
    PresenceUntrack,
    encode_frame,
)

_BINARY_KEY = "_v2_binary_hex"  # see conftest.py
_ENVELOPE = ("join_ref", "ref", "topic", "event", "payload")


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def test_client_sample_round_trips(client_sample: dict[str, Any]) -> None:
    fields = {key: client_sample[key] for key in _ENVELOPE}
    message = CLIENT_MESSAGE_MODELS[client_sample["event"]].model_validate(fields)
    encoded = encode_frame(message, vsn="2.0.0")
    if _BINARY_KEY in client_sample:
        assert encoded == bytes.fromhex(client_sample[_BINARY_KEY])
    else:
        assert encoded == _compact([client_sample[key] for key in _ENVELOPE])
        v1 = {key: client_sample[key] for key in ("topic", "event", "payload", "ref")}
        if client_sample["join_ref"] is not None:
            v1["join_ref"] = client_sample["join_ref"]
        assert encode_frame(message, vsn="1.0.0") == _compact(v1)


def test_frame_is_encoded_as_given() -> None:
    frame = Frame("2", "1", "test-topic", "test-event", {"key": "value"})
    assert encode_frame(frame) == '["2","1","test-topic","test-event",{"key":"value"}]'


def _kind3(join_ref: bytes, ref: bytes, topic: bytes, event: bytes, meta: bytes) -> bytes:
    lengths = (len(join_ref), len(ref), len(topic), len(event), len(meta))
    return bytes((3, *lengths, 1)) + join_ref + ref + topic + event + meta


def _broadcast(event: str, **payload: Any) -> BroadcastPush:
    return BroadcastPush(
        topic="top",
        join_ref="10",
        ref="1",
        payload=BroadcastPushPayload(type="broadcast", event=event, **payload),
    )


def test_broadcast_worked_example_is_byte_exact() -> None:
    expected = bytes.fromhex("030201030a0001313031746f70757365722d6576656e747b2261223a2262227d")
    assert encode_frame(_broadcast("user-event", payload={"a": "b"})) == expected


def test_broadcast_persist_goes_into_the_metadata() -> None:
    head = _kind3(b"10", b"1", b"top", b"user-event", b'{"persist":true}')
    assert encode_frame(_broadcast("user-event", payload={"a": "b"}, persist=True)) == (
        head + b'{"a":"b"}'
    )
    ttl = _broadcast("user-event", payload=1, persist=PersistOptions(ttl=60))
    assert encode_frame(ttl) == _kind3(
        b"10", b"1", b"top", b"user-event", b'{"persist":{"ttl":60}}'
    ) + (b"1")


def test_broadcast_without_payload_sends_an_empty_object() -> None:
    assert encode_frame(_broadcast("e")) == _kind3(b"10", b"1", b"top", b"e", b"") + b"{}"


def test_broadcast_bytes_use_the_binary_encoding() -> None:
    encoded = encode_frame(_broadcast("e", payload=b"\x01\x04"))
    assert encoded == bytes((3, 2, 1, 3, 1, 0, 0)) + b"101tope\x01\x04"


def test_broadcast_lengths_count_utf8_bytes() -> None:
    event = "évènement"
    encoded = encode_frame(_broadcast(event, payload=None))
    assert isinstance(encoded, bytes)
    assert encoded[4] == len(event.encode("utf-8")) == 11


@pytest.mark.parametrize(
    ("field", "message"),
    [
        (
            "topic",
            BroadcastPush(
                topic="t" * 256, payload=BroadcastPushPayload(type="broadcast", event="e")
            ),
        ),
        ("userEvent", _broadcast("é" * 128)),
        (
            "join_ref",
            BroadcastPush(
                topic="t",
                join_ref="1" * 256,
                payload=BroadcastPushPayload(type="broadcast", event="e"),
            ),
        ),
    ],
)
def test_binary_fields_longer_than_255_bytes_are_refused(
    field: str, message: BroadcastPush
) -> None:
    with pytest.raises(ProtocolError, match=f"{field} length 256 exceeds maximum of 255"):
        encode_frame(message)


def test_vsn1_broadcast_is_a_json_object() -> None:
    assert encode_frame(_broadcast("e", payload={"a": 1}), vsn="1.0.0") == (
        '{"topic":"top","event":"broadcast","payload":{"type":"broadcast","event":"e",'
        '"payload":{"a":1}},"ref":"1","join_ref":"10"}'
    )


def test_vsn1_cannot_carry_bytes() -> None:
    with pytest.raises(ProtocolError, match=r"vsn 1\.0\.0"):
        encode_frame(_broadcast("e", payload=b"\x00"), vsn="1.0.0")


def test_unsupported_vsn_is_refused() -> None:
    heartbeat = HeartbeatPush(topic="phoenix", ref="1", payload=EmptyPayload())
    with pytest.raises(ProtocolError, match="unsupported serializer version"):
        encode_frame(heartbeat, vsn="3.0.0")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


def test_unset_fields_are_left_out_and_none_is_sent_as_null() -> None:
    config = JoinConfig(
        broadcast=BroadcastConfig(ack=True, self=True),
        presence=PresenceConfig(key="u1"),
        postgres_changes=[PostgresChangesFilter(event="INSERT", schema="public", table="t")],
    )
    join = JoinPush(
        topic="realtime:r",
        ref="1",
        join_ref="1",
        payload=JoinPayload(config=config, access_token=None),
    )
    assert encode_frame(join) == (
        '["1","1","realtime:r","phx_join",{"config":{"broadcast":{"ack":true,"self":true},'
        '"presence":{"key":"u1"},"postgres_changes":[{"event":"INSERT","schema":"public",'
        '"table":"t"}]},"access_token":null}]'
    )
    token = AccessTokenPush(
        topic="realtime:r", ref="2", join_ref="1", payload=AccessTokenPayload(access_token=None)
    )
    assert encode_frame(token) == '["1","2","realtime:r","access_token",{"access_token":null}]'


def test_presence_untrack_has_no_payload_key() -> None:
    untrack = PresencePush(
        topic="realtime:r",
        ref="4",
        join_ref="1",
        payload=PresenceUntrack(type="presence", event="untrack"),
    )
    assert encode_frame(untrack) == (
        '["1","4","realtime:r","presence",{"type":"presence","event":"untrack"}]'
    )


def test_outbound_models_refuse_unknown_keys() -> None:
    with pytest.raises(ValidationError):
        BroadcastConfig.model_validate({"ack": True, "acknowledge": True})
    with pytest.raises(ValidationError):
        JoinPush.model_validate({"topic": "realtime:r", "payload": {"config": {}}, "extra": 1})
