"""Hypothesis strategies for Phoenix frames: valid ones, and every way a frame can be wrong.

Valid frames come as :class:`Frame` values (encoded by the code under test) or as hand-built
binary frames with the frame they must decode to. Invalid inputs are raw ``str``/``bytes``:
garbage, truncations of valid frames, wrong types in each position, huge or deeply nested
fields, binary kinds with wrong lengths. ``vsns`` includes versions that do not exist.
"""

from __future__ import annotations

import json
from typing import Any, cast

from hypothesis import strategies as st

from realtime_typed.protocol.frames import (
    Frame,
    Vsn,
    encode_client_frame,
    encode_server_frame,
    encode_user_broadcast,
)

VALID_VSNS: tuple[Vsn, ...] = ("1.0.0", "2.0.0")

json_scalars: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
json_values: st.SearchStrategy[Any] = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
json_objects: st.SearchStrategy[dict[str, Any]] = st.dictionaries(
    st.text(max_size=8), json_values, max_size=4
)

short_text = st.text(max_size=40)
"""At most 160 UTF-8 bytes: always fits a binary length field."""
refs: st.SearchStrategy[str | None] = st.none() | st.text(min_size=1, max_size=12)
"""Binary frames carry an absent ref as an empty field, so a present ref is never empty."""
events = short_text.filter(lambda event: event not in {"broadcast", "postgres_changes"})
"""Events whose text frames round-trip as they are (postgres_changes reads numbers as Decimal,
a client broadcast may become binary)."""

WRONG_VSNS: tuple[Vsn, ...] = tuple(
    cast("Vsn", vsn) for vsn in ("1.0", "2.0", "3.0.0", "", "2.0.0 ", "1.0.0\x00")
)
"""Serializer versions that do not exist, typed as if they did."""
vsns: st.SearchStrategy[Vsn] = st.sampled_from(VALID_VSNS) | st.sampled_from(WRONG_VSNS)


@st.composite
def plain_frames(draw: st.DrawFn) -> Frame:
    """A frame that every text serializer round-trips unchanged."""
    return Frame(draw(refs), draw(refs), draw(short_text), draw(events), draw(json_values))


user_payloads: st.SearchStrategy[Any] = st.one_of(
    json_values.filter(lambda value: value is not None), st.binary(max_size=64)
)
"""A user broadcast's payload: JSON (None is sent as {}), or bytes."""


@st.composite
def client_user_broadcasts(draw: st.DrawFn) -> Frame:
    """A client ``broadcast`` push that vsn 2.0.0 sends as binary kind 3."""
    payload: dict[str, Any] = {
        "type": "broadcast",
        "event": draw(short_text),
        "payload": draw(user_payloads),
    }
    if draw(st.booleans()):
        payload["persist"] = draw(st.booleans())
    return Frame(draw(refs), draw(refs), draw(short_text), "broadcast", payload)


@st.composite
def server_user_broadcasts(draw: st.DrawFn) -> tuple[bytes, Frame]:
    """A kind-4 user broadcast and the frame it decodes to."""
    topic, event, body = draw(short_text), draw(short_text), draw(user_payloads)
    meta = draw(st.none() | st.dictionaries(st.text(max_size=8), json_scalars, max_size=3))
    payload: dict[str, Any] = {"type": "broadcast", "event": event, "payload": body}
    if meta:
        payload["meta"] = meta
    return encode_user_broadcast(topic, event, body, meta), Frame(
        None, None, topic, "broadcast", payload
    )


def _field(text: str | None) -> bytes:
    return (text or "").encode()


@st.composite
def phoenix_binary_frames(draw: st.DrawFn) -> tuple[bytes, Frame]:
    """A server push (0), reply (1) or broadcast (2) in the binary serializer, and its frame."""
    kind = draw(st.sampled_from([0, 1, 2]))
    join_ref, ref = draw(refs), draw(refs)
    topic, event = draw(short_text), draw(short_text)
    body = draw(st.binary(max_size=64))
    if kind == 0:
        fields = [_field(join_ref), _field(topic), _field(event)]
        frame = Frame(join_ref, None, topic, event, body)
    elif kind == 1:
        fields = [_field(join_ref), _field(ref), _field(topic), _field(event)]
        frame = Frame(join_ref, ref, topic, "phx_reply", {"status": event, "response": body})
    else:
        fields = [_field(topic), _field(event)]
        frame = Frame(None, None, topic, event, body)
    header = bytes([kind, *(len(field) for field in fields)])
    return header + b"".join(fields) + body, frame


def _encodings(frame: Frame) -> list[str | bytes]:
    return [
        *(encode_server_frame(frame, vsn) for vsn in VALID_VSNS),
        *(encode_client_frame(frame, vsn) for vsn in VALID_VSNS),
    ]


valid_encodings: st.SearchStrategy[str | bytes] = st.one_of(
    plain_frames().map(_encodings).flatmap(st.sampled_from),
    client_user_broadcasts().map(encode_client_frame),
    server_user_broadcasts().map(lambda pair: pair[0]),
    phoenix_binary_frames().map(lambda pair: pair[0]),
)


@st.composite
def truncated(draw: st.DrawFn) -> str | bytes:
    """A valid frame cut short."""
    data = draw(valid_encodings)
    return data[: draw(st.integers(0, max(0, len(data) - 1)))]


@st.composite
def wrong_types(draw: st.DrawFn) -> str:
    """A vsn 2.0.0 array or vsn 1.0.0 object with any JSON value in one of its positions."""
    frame = list(draw(plain_frames()))
    position = draw(st.integers(0, 4))
    frame[position] = draw(json_values)
    if draw(st.booleans()):
        return json.dumps(frame)
    keys = ("join_ref", "ref", "topic", "event", "payload")
    message = dict(zip(keys, frame, strict=True))
    if draw(st.booleans()):
        del message[draw(st.sampled_from(keys))]
    return json.dumps(message)


@st.composite
def huge(draw: st.DrawFn) -> str | bytes:
    """Deep nesting, long numbers and long strings, in text and binary frames."""
    depth = draw(st.sampled_from([1, 900, 1100, 100_000]) | st.integers(1, 3000))
    size = draw(st.integers(256, 200_000))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
    nested = opener * depth + "0" + closer * depth
    choices: list[str | bytes] = [
        f'[null,null,"t","e",{nested}]',
        f'[null,null,"t","postgres_changes",{nested.replace("0", "0.5")}]',
        f'{{"topic":"t","event":"e","payload":{nested}}}',
        f'[null,null,"t","e",{"9" * size}]',
        f'[null,null,"t","e",1e{size}]',
        f'[null,null,"{"t" * size}","{"e" * size}",{{}}]',
        bytes([4, 1, 1, 0, 1]) + b"te" + nested.encode(),
        bytes([4, 1, 1, 255, 1]) + b"te" + b"[" * size,
        bytes([2, 255, 255]) + b"x" * size,
    ]
    return draw(st.sampled_from(choices))


@st.composite
def binary_with_wrong_lengths(draw: st.DrawFn) -> bytes:
    """A binary frame of any kind whose length fields need not match its body."""
    kind = draw(st.one_of(st.integers(0, 4), st.integers(5, 255)))
    header = draw(st.binary(max_size=8))
    body = draw(st.binary(max_size=64) | st.text(max_size=32).map(str.encode))
    return bytes([kind]) + header + body


invalid_inputs: st.SearchStrategy[str | bytes] = st.one_of(
    st.text(),
    st.binary(),
    json_values.map(json.dumps),
    truncated(),
    wrong_types(),
    huge(),
    binary_with_wrong_lengths(),
)
"""Inputs that are mostly not valid frames (some happen to be; decoders may accept those)."""

any_inputs: st.SearchStrategy[str | bytes] = st.one_of(valid_encodings, invalid_inputs)
