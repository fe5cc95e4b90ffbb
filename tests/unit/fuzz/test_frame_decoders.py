"""Fuzz: every decoder answers any input with a frame or a ProtocolError, nothing else."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

from realtime_typed.errors import ProtocolError
from realtime_typed.protocol.frames import (
    Frame,
    UserBroadcast,
    Vsn,
    decode_client_frame,
    decode_server_frame,
)

from .strategies import any_inputs, vsns

fuzz = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_well_formed(frame: Frame | UserBroadcast) -> None:
    assert frame.join_ref is None or type(frame.join_ref) is str
    assert frame.ref is None or type(frame.ref) is str
    assert type(frame.topic) is str
    if isinstance(frame, UserBroadcast):
        assert type(frame.user_event) is str
        assert frame.metadata is None or type(frame.metadata) is dict
        assert frame.binary == (type(frame.payload) is bytes)
    else:
        assert type(frame.event) is str


@fuzz
@given(data=any_inputs, vsn=vsns)
def test_decode_server_frame_raises_only_protocol_error(data: str | bytes, vsn: Vsn) -> None:
    try:
        frame = decode_server_frame(data, vsn)
    except ProtocolError:
        return
    assert isinstance(frame, Frame)
    assert_well_formed(frame)


@fuzz
@given(data=any_inputs, vsn=vsns)
def test_decode_client_frame_raises_only_protocol_error(data: str | bytes, vsn: Vsn) -> None:
    try:
        frame: Any = decode_client_frame(data, vsn)
    except ProtocolError:
        return
    assert isinstance(frame, Frame | UserBroadcast)
    assert_well_formed(frame)
