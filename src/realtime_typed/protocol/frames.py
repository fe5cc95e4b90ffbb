"""Phoenix frames and their serializers, vsn 1.0.0 and 2.0.0, for both directions.

A :class:`Frame` is the five-field envelope every message shares. The serializers:

* vsn 1.0.0: a JSON object per text frame. The server writes no ``join_ref``.
* vsn 2.0.0: a JSON array ``[join_ref, ref, topic, event, payload]`` per text frame, plus
  binary frames whose first byte is the kind: 0 push, 1 reply, 2 broadcast (Phoenix),
  3 user broadcast push (client to server) and 4 user broadcast (server to client).

Every length field of a binary frame is one byte, so join_ref, ref, topic, user event and
metadata are limited to 255 UTF-8 bytes; a longer field raises :class:`ProtocolError`.

A decoded user broadcast (kind 4) becomes the event ``broadcast`` with the payload
``{"type": "broadcast", "event": E, "payload": P[, "meta": M]}``, where ``P`` is the parsed JSON
(encoding 1) or the raw ``bytes`` (encoding 0), exactly as the reference client yields it.

``postgres_changes`` payloads are decoded with :class:`decimal.Decimal` for JSON numbers with a
fraction or exponent, so a ``numeric`` keeps every digit; every other event decodes numbers to
``float`` as usual. The check costs a substring search, not a second parse.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final, Literal, NamedTuple, cast

from realtime_typed.errors import ProtocolError

__all__ = [
    "MAX_FIELD_BYTES",
    "Frame",
    "UserBroadcast",
    "Vsn",
    "decode_client_frame",
    "decode_server_frame",
    "encode_client_frame",
    "encode_server_frame",
    "encode_user_broadcast",
]

Vsn = Literal["1.0.0", "2.0.0"]

MAX_FIELD_BYTES: Final = 255

KIND_PUSH: Final = 0
KIND_REPLY: Final = 1
KIND_BROADCAST: Final = 2
KIND_USER_BROADCAST_PUSH: Final = 3
KIND_USER_BROADCAST: Final = 4

ENCODING_BINARY: Final = 0
ENCODING_JSON: Final = 1

_loads = json.loads
_decimal_loads = json.JSONDecoder(parse_float=Decimal).decode
# The decoders' C scanners, called directly on the hot path: a frame that starts with its JSON
# value (every server's does) skips json.loads' Python layers. Anything else, including every
# error, takes the full decoder, which gives the usual messages.
_Scanner = Callable[[str, int], tuple[Any, int]]
_scan = cast("_Scanner", vars(json.JSONDecoder())["scan_once"])
_decimal_scan = cast("_Scanner", vars(json.JSONDecoder(parse_float=Decimal))["scan_once"])
_JSON_WHITESPACE: Final = " \t\n\r"
# A Decimal is written as the exact JSON number it holds: the encoder emits it as a tagged
# string (the tag starts with a NUL, which JSON always escapes, and a per-process random part),
# and the tags are then unwrapped. Payloads without a Decimal pay one substring search.
_DECIMAL_TAG: Final = f"\x00decimal-{secrets.token_hex(8)}:"
_ESCAPED_TAG: Final = '"' + _DECIMAL_TAG.replace("\x00", "\\u0000")
_DECIMAL_NUMBER: Final = re.compile(re.escape(_ESCAPED_TAG) + r'([-+0-9.eE]+)"')


def _tag_decimal(value: object) -> str:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ProtocolError(f"{value} is not a JSON number")
        return _DECIMAL_TAG + str(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_json_encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=_tag_decimal)
# The same encoder's C core, built once and called directly on the hot path
# (json.JSONEncoder.encode builds one per call, through Python layers). Its circular-reference
# markers are empty after every complete encoding; a failed one clears them.
_markers: dict[int, Any] = {}
_c_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)
_c_encode_string: Any = getattr(json.encoder, "c_encode_basestring", None)
_c_encode: Callable[[Any, int], Any] | None = (
    _c_make_encoder(_markers, _tag_decimal, _c_encode_string, None, ":", ",", False, False, True)
    if _c_make_encoder is not None and _c_encode_string is not None
    else None
)


def _encode_json(value: Any) -> str:
    if _c_encode is None or type(value) is str:
        return _json_encoder.encode(value)
    try:
        return "".join(_c_encode(value, 0))
    except BaseException:
        _markers.clear()
        raise


def _dumps(value: Any) -> str:
    text = _encode_json(value)
    if _ESCAPED_TAG in text:
        return _DECIMAL_NUMBER.sub(r"\1", text)
    return text


_PG_MARK_V2: Final = '"postgres_changes",'
_PG_MARK_V1: Final = '"postgres_changes"'


class Frame(NamedTuple):
    """One Phoenix message: the envelope shared by every event."""

    join_ref: str | None
    ref: str | None
    topic: str
    event: str
    payload: Any


_new_frame = cast("Callable[[type[Frame], list[Any]], Frame]", vars(tuple)["__new__"])


class UserBroadcast(NamedTuple):
    """A client's binary user broadcast (kind 3) as the server reads it.

    ``payload`` is ``bytes`` when ``binary`` is true, else the parsed JSON value.
    """

    join_ref: str | None
    ref: str | None
    topic: str
    user_event: str
    metadata: dict[str, Any] | None
    payload: Any
    binary: bool

    def as_frame(self) -> Frame:
        """The same message as a ``broadcast`` frame, with the reference client's payload."""
        payload: dict[str, Any] = {
            "type": "broadcast",
            "event": self.user_event,
            "payload": self.payload,
        }
        if self.metadata:
            payload.update(self.metadata)
        return Frame(self.join_ref, self.ref, self.topic, "broadcast", payload)


# --------------------------------------------------------------------------- text frames


def _parse_json(text: str | bytes, mark: str) -> Any:
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    try:
        if mark in text:
            value = _fast_loads(_decimal_scan, text)
            if value is _FALLBACK:
                value = _decimal_loads(text)
            if _event_of(value) == "postgres_changes":
                return value
        value = _fast_loads(_scan, text)
        return _loads(text) if value is _FALLBACK else value
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ProtocolError(f"frame is not valid JSON: {exc}") from exc


_FALLBACK: Final = object()


def _fast_loads(scan: _Scanner, text: str) -> Any:
    """``text`` parsed by ``scan`` when it is one JSON value and whitespace, else ``_FALLBACK``."""
    try:
        value, end = scan(text, 0)
    except (StopIteration, ValueError):
        return _FALLBACK
    if end != len(text) and text[end:].strip(_JSON_WHITESPACE):
        return _FALLBACK
    return value


def _event_of(value: Any) -> Any:
    if type(value) is list:
        items: list[Any] = value  # pyright: ignore[reportUnknownVariableType]
        return items[3] if len(items) == 5 else None
    if type(value) is dict:
        message: dict[str, Any] = value  # pyright: ignore[reportUnknownVariableType]
        return message.get("event")
    return None


def _check_ref(name: str, value: Any) -> str | None:
    if value is None or type(value) is str:
        return value
    if type(value) is int:
        return str(value)
    raise ProtocolError(f"{name} must be a string or null, got {type(value).__name__}")


def _frame_from_array(value: Any) -> Frame:
    items: list[Any] = value if type(value) is list else []  # pyright: ignore[reportUnknownVariableType]
    if len(items) != 5:
        raise ProtocolError("a vsn 2.0.0 text frame must be a JSON array of 5 elements")
    join_ref, ref, topic, event, payload = items
    if type(topic) is not str or type(event) is not str:
        raise ProtocolError("topic and event must be strings")
    if (join_ref is None or type(join_ref) is str) and (ref is None or type(ref) is str):
        return _new_frame(Frame, items)
    return Frame(_check_ref("join_ref", join_ref), _check_ref("ref", ref), topic, event, payload)


def _frame_from_object(value: Any) -> Frame:
    if type(value) is not dict:
        raise ProtocolError("a vsn 1.0.0 frame must be a JSON object")
    message: dict[str, Any] = value  # pyright: ignore[reportUnknownVariableType]
    topic = message.get("topic")
    event = message.get("event")
    if type(topic) is not str or type(event) is not str:
        raise ProtocolError("topic and event must be strings")
    return Frame(
        _check_ref("join_ref", message.get("join_ref")),
        _check_ref("ref", message.get("ref")),
        topic,
        event,
        message.get("payload"),
    )


# --------------------------------------------------------------------------- binary frames


def _take(data: bytes, offset: int, size: int, name: str) -> tuple[str, int]:
    end = offset + size
    if end > len(data):
        raise ProtocolError(f"binary frame truncated in {name}")
    try:
        return data[offset:end].decode("utf-8"), end
    except UnicodeDecodeError as exc:
        raise ProtocolError(f"binary frame {name} is not UTF-8") from exc


def _header(data: bytes, size: int) -> bytes:
    if len(data) < size:
        raise ProtocolError(f"binary frame of kind {data[0]} shorter than its {size}-byte header")
    return data[1:size]


def _user_payload(raw: bytes, encoding: int) -> Any:
    if encoding == ENCODING_BINARY:
        return raw
    if encoding == ENCODING_JSON:
        try:
            return _loads(raw) if raw else None
        except (ValueError, RecursionError) as exc:
            raise ProtocolError(f"user broadcast payload is not valid JSON: {exc}") from exc
    raise ProtocolError(f"unknown user broadcast payload encoding {encoding}")


def _metadata(raw: str) -> dict[str, Any] | None:
    if not raw:
        return None
    try:
        meta = _loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"user broadcast metadata is not valid JSON: {exc}") from exc
    if type(meta) is not dict:
        raise ProtocolError("user broadcast metadata must be a JSON object")
    return meta  # pyright: ignore[reportUnknownVariableType]


def _exact_json(text: str) -> Any:
    """``text`` parsed by the C scanner when it is exactly one JSON value, else ``_FALLBACK``
    (whitespace around it, or anything the scanner refuses, is left to the checked path)."""
    try:
        value, stop = _scan(text, 0)
    except (StopIteration, ValueError, RecursionError):
        return _FALLBACK
    return value if stop == len(text) else _FALLBACK


def _user_broadcast_fast(data: bytes) -> Frame | None:
    """A well-formed kind-4 frame with a JSON payload and no metadata, decoded with the fewest
    steps (the common case of a busy channel); ``None`` sends anything else the checked way."""
    end = len(data)
    if end < 5 or data[3] or data[4] != ENCODING_JSON:
        return None
    event_start = 5 + data[1]
    payload_start = event_start + data[2]
    if payload_start >= end:
        return None
    try:
        topic = data[5:event_start].decode()
        value = _exact_json(data[payload_start:].decode())
        user_event = data[event_start:payload_start].decode()
    except UnicodeDecodeError:
        return None
    if value is _FALLBACK:
        return None
    return _new_frame(
        Frame,
        [
            None,
            None,
            topic,
            "broadcast",
            {"type": "broadcast", "event": user_event, "payload": value},
        ],
    )


_new_user_broadcast = cast(
    "Callable[[type[UserBroadcast], list[Any]], UserBroadcast]", vars(tuple)["__new__"]
)


def _user_broadcast_push_fast(data: bytes) -> UserBroadcast | None:
    """A well-formed kind-3 frame with a JSON payload and no metadata, decoded with the fewest
    steps (what a client sends for each broadcast); ``None`` sends anything else the checked
    way."""
    end = len(data)
    if end < 7 or data[5] or data[6] != ENCODING_JSON:
        return None
    ref_start = 7 + data[1]
    topic_start = ref_start + data[2]
    event_start = topic_start + data[3]
    payload_start = event_start + data[4]
    if payload_start >= end:
        return None
    try:
        value = _exact_json(data[payload_start:].decode())
        join_ref = data[7:ref_start].decode()
        ref = data[ref_start:topic_start].decode()
        topic = data[topic_start:event_start].decode()
        user_event = data[event_start:payload_start].decode()
    except UnicodeDecodeError:
        return None
    if value is _FALLBACK:
        return None
    fields = [join_ref or None, ref or None, topic, user_event, None, value, False]
    return _new_user_broadcast(UserBroadcast, fields)


def _decode_server_binary(data: bytes) -> Frame:
    if not data:
        raise ProtocolError("empty binary frame")
    kind = data[0]
    if kind == KIND_USER_BROADCAST:
        fast = _user_broadcast_fast(data)
        if fast is not None:
            return fast
        topic_len, event_len, meta_len, encoding = _header(data, 5)
        topic, pos = _take(data, 5, topic_len, "topic")
        user_event, pos = _take(data, pos, event_len, "user event")
        meta_text, pos = _take(data, pos, meta_len, "metadata")
        payload: dict[str, Any] = {
            "type": "broadcast",
            "event": user_event,
            "payload": _user_payload(data[pos:], encoding),
        }
        meta = _metadata(meta_text)
        if meta is not None:
            payload["meta"] = meta
        return Frame(None, None, topic, "broadcast", payload)
    if kind == KIND_PUSH:
        join_ref_len, topic_len, event_len = _header(data, 4)
        join_ref, pos = _take(data, 4, join_ref_len, "join_ref")
        topic, pos = _take(data, pos, topic_len, "topic")
        event, pos = _take(data, pos, event_len, "event")
        return Frame(join_ref or None, None, topic, event, data[pos:])
    if kind == KIND_REPLY:
        join_ref_len, ref_len, topic_len, status_len = _header(data, 5)
        join_ref, pos = _take(data, 5, join_ref_len, "join_ref")
        ref, pos = _take(data, pos, ref_len, "ref")
        topic, pos = _take(data, pos, topic_len, "topic")
        status, pos = _take(data, pos, status_len, "status")
        reply = {"status": status, "response": data[pos:]}
        return Frame(join_ref or None, ref or None, topic, "phx_reply", reply)
    if kind == KIND_BROADCAST:
        topic_len, event_len = _header(data, 3)
        topic, pos = _take(data, 3, topic_len, "topic")
        event, pos = _take(data, pos, event_len, "event")
        return Frame(None, None, topic, event, data[pos:])
    raise ProtocolError(f"unknown binary frame kind {kind} from the server")


def _field(value: str, name: str) -> bytes:
    raw = value.encode("utf-8")
    if len(raw) > MAX_FIELD_BYTES:
        raise ProtocolError(f"{name} length {len(raw)} exceeds maximum of {MAX_FIELD_BYTES}")
    return raw


def _encode_user_payload(payload: Any) -> tuple[int, bytes]:
    if isinstance(payload, bytes | bytearray | memoryview):
        return ENCODING_BINARY, bytes(cast("bytes", payload))
    return ENCODING_JSON, _dumps({} if payload is None else payload).encode("utf-8")


def _kind3(frame: Frame, metadata: dict[str, Any] | None) -> bytes:
    body = frame.payload
    join_ref = _field(frame.join_ref or "", "join_ref")
    ref = _field(frame.ref or "", "ref")
    topic = _field(frame.topic, "topic")
    user_event = _field(body["event"], "userEvent")
    meta = _field(_dumps(metadata), "metadata") if metadata else b""
    encoding, raw = _encode_user_payload(body.get("payload"))
    header = bytes(
        (KIND_USER_BROADCAST_PUSH, len(join_ref), len(ref), len(topic), len(user_event), len(meta))
    )
    return b"".join((header, bytes((encoding,)), join_ref, ref, topic, user_event, meta, raw))


def encode_user_broadcast(
    topic: str, user_event: str, payload: Any, metadata: dict[str, Any] | None = None
) -> bytes:
    """A server-to-client user broadcast (kind 4); ``bytes`` payloads use encoding 0."""
    topic_raw = _field(topic, "topic")
    event_raw = _field(user_event, "userEvent")
    meta = _field(_dumps(metadata), "metadata") if metadata else b""
    encoding, raw = _encode_user_payload(payload)
    header = bytes((KIND_USER_BROADCAST, len(topic_raw), len(event_raw), len(meta), encoding))
    return b"".join((header, topic_raw, event_raw, meta, raw))


# --------------------------------------------------------------------------- public codecs


def decode_server_frame(data: str | bytes, vsn: Vsn = "2.0.0") -> Frame:
    """Decode a frame the server sent. Raises :class:`ProtocolError` when it is not valid."""
    if vsn == "2.0.0":
        if isinstance(data, str):
            return _frame_from_array(_parse_json(data, _PG_MARK_V2))
        return _decode_server_binary(bytes(data))
    if vsn == "1.0.0":
        if type(data) is not str:
            raise ProtocolError("vsn 1.0.0 has no binary frames")
        return _frame_from_object(_parse_json(data, _PG_MARK_V1))
    raise ProtocolError(f"unsupported serializer version {vsn!r}")


def _allowed_metadata(payload: dict[str, Any], allowed: frozenset[str]) -> dict[str, Any] | None:
    picked = {key: payload[key] for key in allowed if key in payload}
    return picked or None


_DEFAULT_METADATA_KEYS: Final = frozenset({"persist"})


def encode_client_frame(
    frame: Frame,
    vsn: Vsn = "2.0.0",
    *,
    metadata_keys: frozenset[str] = _DEFAULT_METADATA_KEYS,
) -> str | bytes:
    """Encode a frame the client sends.

    In vsn 2.0.0 a ``broadcast`` whose payload is an object with a string ``event`` becomes a
    binary kind-3 frame, as the reference client does; ``metadata_keys`` names the payload keys
    carried as metadata. Everything else is a JSON text frame.
    """
    if vsn == "2.0.0":
        payload = frame.payload
        if (
            frame.event == "broadcast"
            and type(payload) is dict
            and type(cast("dict[str, Any]", payload).get("event")) is str
        ):
            meta = _allowed_metadata(cast("dict[str, Any]", payload), metadata_keys)
            return _kind3(frame, meta)
        return _dumps([frame.join_ref, frame.ref, frame.topic, frame.event, frame.payload])
    if vsn == "1.0.0":
        message: dict[str, Any] = {
            "topic": frame.topic,
            "event": frame.event,
            "payload": frame.payload,
            "ref": frame.ref,
        }
        if frame.join_ref is not None:
            message["join_ref"] = frame.join_ref
        return _dumps(message)
    raise ProtocolError(f"unsupported serializer version {vsn!r}")


def decode_client_frame(data: str | bytes, vsn: Vsn = "2.0.0") -> Frame | UserBroadcast:
    """Decode a frame a client sent (the server's side). Binary kind 3 gives a UserBroadcast."""
    if vsn == "1.0.0":
        if type(data) is not str:
            raise ProtocolError("vsn 1.0.0 has no binary frames")
        return _frame_from_object(_parse_json(data, _PG_MARK_V1))
    if vsn != "2.0.0":
        raise ProtocolError(f"unsupported serializer version {vsn!r}")
    if isinstance(data, str):
        return _frame_from_array(_parse_json(data, _PG_MARK_V2))
    raw = bytes(data)
    if not raw:
        raise ProtocolError("empty binary frame")
    if raw[0] == KIND_USER_BROADCAST_PUSH:
        fast = _user_broadcast_push_fast(raw)
        if fast is not None:
            return fast
        join_ref_len, ref_len, topic_len, event_len, meta_len, encoding = _header(raw, 7)
        join_ref, pos = _take(raw, 7, join_ref_len, "join_ref")
        ref, pos = _take(raw, pos, ref_len, "ref")
        topic, pos = _take(raw, pos, topic_len, "topic")
        user_event, pos = _take(raw, pos, event_len, "user event")
        meta_text, pos = _take(raw, pos, meta_len, "metadata")
        return UserBroadcast(
            join_ref or None,
            ref or None,
            topic,
            user_event,
            _metadata(meta_text),
            _user_payload(raw[pos:], encoding),
            encoding == ENCODING_BINARY,
        )
    if raw[0] == KIND_PUSH:
        join_ref_len, ref_len, topic_len, event_len = _header(raw, 5)
        join_ref, pos = _take(raw, 5, join_ref_len, "join_ref")
        ref, pos = _take(raw, pos, ref_len, "ref")
        topic, pos = _take(raw, pos, topic_len, "topic")
        event, pos = _take(raw, pos, event_len, "event")
        return Frame(join_ref or None, ref or None, topic, event, raw[pos:])
    raise ProtocolError(f"unknown binary frame kind {raw[0]} from a client")


def encode_server_frame(frame: Frame, vsn: Vsn = "2.0.0") -> str:
    """Encode a server frame as text: a JSON array (2.0.0) or object without join_ref (1.0.0)."""
    if vsn == "2.0.0":
        return _dumps([frame.join_ref, frame.ref, frame.topic, frame.event, frame.payload])
    if vsn == "1.0.0":
        return _dumps(
            {"topic": frame.topic, "event": frame.event, "payload": frame.payload, "ref": frame.ref}
        )
    raise ProtocolError(f"unsupported serializer version {vsn!r}")
