"""Fuzz: valid frames come back unchanged through encode then decode, in both directions."""

from __future__ import annotations

from hypothesis import given, settings

from realtime_typed.protocol.frames import (
    Frame,
    UserBroadcast,
    Vsn,
    decode_client_frame,
    decode_server_frame,
    encode_client_frame,
    encode_server_frame,
)

from .strategies import (
    VALID_VSNS,
    client_user_broadcasts,
    phoenix_binary_frames,
    plain_frames,
    server_user_broadcasts,
)

round_trips = settings(max_examples=200, deadline=None)


@round_trips
@given(frame=plain_frames())
def test_server_text_frames_round_trip(frame: Frame) -> None:
    assert decode_server_frame(encode_server_frame(frame, "2.0.0"), "2.0.0") == frame
    v1 = decode_server_frame(encode_server_frame(frame, "1.0.0"), "1.0.0")
    assert v1 == frame._replace(join_ref=None), "vsn 1.0.0 servers write no join_ref"


@round_trips
@given(frame=plain_frames())
def test_client_text_frames_round_trip(frame: Frame) -> None:
    vsn: Vsn
    for vsn in VALID_VSNS:
        assert decode_client_frame(encode_client_frame(frame, vsn), vsn) == frame


@round_trips
@given(frame=client_user_broadcasts())
def test_client_user_broadcasts_round_trip_as_binary(frame: Frame) -> None:
    encoded = encode_client_frame(frame)
    assert type(encoded) is bytes
    decoded = decode_client_frame(encoded)
    assert isinstance(decoded, UserBroadcast)
    assert decoded.binary == (type(frame.payload["payload"]) is bytes)
    assert decoded.as_frame() == frame


@round_trips
@given(pair=server_user_broadcasts())
def test_server_user_broadcasts_decode_to_the_broadcast_frame(pair: tuple[bytes, Frame]) -> None:
    encoded, frame = pair
    assert decode_server_frame(encoded) == frame


@round_trips
@given(pair=phoenix_binary_frames())
def test_phoenix_binary_frames_decode(pair: tuple[bytes, Frame]) -> None:
    encoded, frame = pair
    assert decode_server_frame(encoded) == frame
