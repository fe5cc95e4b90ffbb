"""Fuzz the typed decoder: a model, an UnknownMessage for unknown events, or a ProtocolError."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realtime_typed._generated.events import SERVER_MESSAGE_MODELS
from realtime_typed.errors import ProtocolError
from realtime_typed.protocol import UnknownMessage, decode_frame
from realtime_typed.protocol.frames import Frame, Vsn, decode_server_frame, encode_server_frame

from .strategies import VALID_VSNS, any_inputs, json_objects, plain_frames, refs, short_text, vsns

fuzz = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fuzz
@given(data=any_inputs, vsn=vsns)
def test_decode_frame_raises_only_protocol_error(data: str | bytes, vsn: Vsn) -> None:
    try:
        message = decode_frame(data, vsn)
    except ProtocolError:
        return
    event = decode_server_frame(data, vsn).event
    assert message.event == event
    assert isinstance(message, UnknownMessage) == (event not in SERVER_MESSAGE_MODELS)


@fuzz
@given(frame=plain_frames().filter(lambda frame: frame.event not in SERVER_MESSAGE_MODELS))
def test_unknown_events_decode_to_unknown_message(frame: Frame) -> None:
    vsn: Vsn
    for vsn in VALID_VSNS:
        message = decode_frame(encode_server_frame(frame, vsn), vsn)
        assert isinstance(message, UnknownMessage)
        assert (message.topic, message.event, message.payload) == (
            frame.topic,
            frame.event,
            frame.payload,
        )


@fuzz
@given(
    join_ref=refs,
    ref=refs,
    topic=short_text,
    event=st.sampled_from(sorted(SERVER_MESSAGE_MODELS)),
    payload=json_objects,
)
def test_known_events_with_any_payload_decode_or_raise_protocol_error(
    join_ref: str | None, ref: str | None, topic: str, event: str, payload: dict[str, object]
) -> None:
    text = encode_server_frame(Frame(join_ref, ref, topic, event, payload))
    try:
        message = decode_frame(text)
    except ProtocolError:
        return
    assert not isinstance(message, UnknownMessage)
    assert (message.topic, message.event) == (topic, event)
