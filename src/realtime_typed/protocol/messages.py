"""Typed protocol messages: decode a server frame into a model, encode a client message.

:func:`decode_frame` turns a frame the server sent into a :data:`ServerMessage`: one of the
models generated from ``schema/`` (chosen by the frame's ``event``), or an
:class:`UnknownMessage` for an event the schema does not know. :func:`encode_frame` is the
inverse for what the client sends. Both sit on :mod:`realtime_typed.protocol.frames`, which
does the byte-level work; a frame that is not valid raises :class:`ProtocolError`.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from pydantic import JsonValue, ValidationError

from realtime_typed._generated.client import ClientMessage
from realtime_typed._generated.events import SERVER_MESSAGE_MODELS
from realtime_typed._generated.server import KnownServerMessage, ServerEnvelope
from realtime_typed.errors import ProtocolError
from realtime_typed.protocol.frames import (
    Frame,
    Vsn,
    decode_server_frame,
    encode_client_frame,
)

__all__ = ["ServerMessage", "UnknownMessage", "decode_frame", "encode_frame"]

_MAX_REPORTED_ERRORS = 3


class UnknownMessage(ServerEnvelope):
    """A message whose event the schema does not know; ``payload`` is kept as decoded.

    The payload is JSON, or ``bytes`` for a binary Phoenix push or broadcast.
    """

    event: str
    payload: JsonValue | bytes


ServerMessage: TypeAlias = KnownServerMessage | UnknownMessage
"""Every message :func:`decode_frame` returns, discriminated by ``event``."""


def _describe(error: ValidationError) -> str:
    details = error.errors(include_input=False, include_url=False)
    parts = [
        f"{'.'.join(str(part) for part in detail['loc']) or '(payload)'}: {detail['msg']}"
        for detail in details[:_MAX_REPORTED_ERRORS]
    ]
    more = len(details) - _MAX_REPORTED_ERRORS
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


def decode_frame(frame: str | bytes, vsn: Vsn = "2.0.0") -> ServerMessage:
    """Decode a frame the server sent into its typed message.

    Args:
        frame: a text frame (``str``) or, in vsn 2.0.0, a binary frame (``bytes``).
        vsn: the serializer version the socket was opened with.

    Returns:
        The model of the frame's event, or :class:`UnknownMessage` for an event the schema
        does not know.

    Raises:
        ProtocolError: the frame is not valid for ``vsn``, or its payload does not fit its
            event's model (the pydantic ``ValidationError`` is the ``__cause__``). The message
            names what was wrong but never repeats payload values.
    """
    decoded = decode_server_frame(frame, vsn)
    fields: dict[str, Any] = {
        "join_ref": decoded.join_ref,
        "ref": decoded.ref,
        "topic": decoded.topic,
        "event": decoded.event,
        "payload": decoded.payload,
    }
    model = SERVER_MESSAGE_MODELS.get(decoded.event)
    try:
        if model is None:
            return UnknownMessage.model_validate(fields)
        return model.model_validate(fields)
    except ValidationError as exc:
        raise ProtocolError(
            f"{decoded.event} message on {decoded.topic!r} does not fit its model: {_describe(exc)}"
        ) from exc


def encode_frame(message: ClientMessage | Frame, vsn: Vsn = "2.0.0") -> str | bytes:
    """Encode a message for the client to send, exactly as the reference client does.

    A generated client message sends the payload fields that were set (a field set to None is
    sent as null; a field left unset is left out). In vsn 2.0.0 a broadcast becomes a binary
    user-broadcast frame (kind 3), byte for byte; everything else is a text frame.

    Raises:
        ProtocolError: the message cannot be framed for ``vsn`` (a field longer than 255 bytes
            in a binary frame, a binary payload in vsn 1.0.0, an unsupported ``vsn``).
    """
    if isinstance(message, Frame):
        frame = message
    else:
        payload = message.payload.model_dump(by_alias=True, exclude_unset=True)
        frame = Frame(message.join_ref, message.ref, message.topic, message.event, payload)
    try:
        return encode_client_frame(frame, vsn)
    except (TypeError, ValueError) as exc:
        raise ProtocolError(f"cannot encode a {frame.event} frame for vsn {vsn}: {exc}") from exc
