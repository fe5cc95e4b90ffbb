"""Decimals travel as exact JSON numbers, both ways, and never through float."""

from __future__ import annotations

from decimal import Decimal

import pytest

from realtime_typed.errors import ProtocolError
from realtime_typed.protocol.frames import Frame, Vsn, decode_server_frame, encode_server_frame

DIGITS = Decimal("123456789012345678901234567890.000000000000001")


def _change(value: object) -> Frame:
    return Frame(None, None, "realtime:t", "postgres_changes", {"ids": [1], "data": {"v": value}})


@pytest.mark.parametrize("vsn", ["1.0.0", "2.0.0"])
@pytest.mark.parametrize("value", [DIGITS, Decimal("1.50"), Decimal("-1E+3"), Decimal("-0.0")])
def test_decimal_round_trips_with_every_digit(vsn: Vsn, value: Decimal) -> None:
    text = encode_server_frame(_change(value), vsn)
    assert f":{value}}}" in text
    decoded = decode_server_frame(text, vsn)
    assert str(decoded.payload["data"]["v"]) == str(value)


def test_a_string_that_looks_like_a_tag_stays_a_string() -> None:
    lookalike = "\x00decimal-0123456789abcdef:1.5"
    text = encode_server_frame(_change(lookalike))
    assert decode_server_frame(text).payload["data"]["v"] == lookalike


def test_non_finite_decimal_is_refused() -> None:
    with pytest.raises(ProtocolError, match="NaN is not a JSON number"):
        encode_server_frame(_change(Decimal("NaN")))


def test_other_objects_still_fail_loudly() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        encode_server_frame(_change(object()))
