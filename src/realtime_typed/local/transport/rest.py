"""REST broadcast on the socket's port: the batch and the single-message endpoints.

Both live under ``/api`` and under the gateway's ``/realtime/v1/api``.

* ``POST /api/broadcast`` with ``{"messages": [{topic, event, payload, private?, id?}]}``
  (``topic`` is the sub-topic, without ``realtime:``). Every message must be valid or the call
  answers 422 with one error map per message under ``errors.messages``. Each message reaches
  its namespace as event ``broadcast`` with ``{type, event, payload}`` (plus ``meta: {id}``
  when it has an ``id``). Private topics need an RLS insert permission for the caller's role,
  checked once per topic; the messages of a topic without it are skipped silently. 202, empty.
* ``POST /api/broadcast/{topic}/events/{event}?private=true|false`` with a JSON body (a
  non-object body is wrapped as ``{"_json": body}``, as Phoenix does) or
  ``application/octet-stream`` bytes; delivered as a user broadcast (kind 4 on vsn 2.0.0
  sockets; binary reaches those only). Another media type is 415 (checked first); a private
  topic without write permission is 403 ``{"message": "Unauthorized"}``. 202, empty.

The token is the ``Authorization: Bearer`` header, else the ``apikey`` header, verified like a
socket token before the body is read; a missing or refused token is 401 ``{"message":
"Unauthorized"}``. A body that is not JSON, or holds ``NaN``, ``Infinity``, a lone surrogate or
nesting the server cannot relay, is 400 ``{"message": "Bad Request"}``. Responses carry
``Access-Control-Allow-Origin: *``.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any, Final

from aiohttp import web

from realtime_typed.local.auth.authorization import DatabaseUnavailable, PolicyError
from realtime_typed.local.auth.policies import Policies
from realtime_typed.local.auth.tokens import TokenRejected
from realtime_typed.local.channels.broadcast import json_size
from realtime_typed.local.channels.outgoing import JsonFanOut, UserBroadcastFanOut
from realtime_typed.local.channels.registry import TopicKey
from realtime_typed.local.transport.state import ServerState
from realtime_typed.local.untrusted_json import json_problem
from realtime_typed.protocol.frames import UserBroadcast

__all__ = ["REST_PREFIXES", "rest_routes", "validate_batch"]

_log = logging.getLogger(__name__)

REST_PREFIXES: Final = ("/api", "/realtime/v1/api")
CORS: Final = {"Access-Control-Allow-Origin": "*"}
UNSUPPORTED_MEDIA: Final = (
    "Unsupported Media Type. Use application/json or application/octet-stream"
)
TOO_BIG: Final = "Payload size exceeds tenant limit"
BLANK: Final = "can't be blank"
INVALID: Final = "is invalid"
_MEDIA_TYPES: Final = frozenset({"application/json", "application/octet-stream"})
_BOOLEAN_TEXTS: Final = {"true": True, "false": False, "1": True, "0": False}


def rest_routes(state: ServerState) -> list[web.RouteDef]:
    """The REST broadcast routes of a server with ``state``."""

    async def batch(request: web.Request) -> web.StreamResponse:
        return await _batch(state, request)

    async def single(request: web.Request) -> web.StreamResponse:
        return await _single(state, request)

    routes: list[web.RouteDef] = []
    for prefix in REST_PREFIXES:
        routes.append(web.post(f"{prefix}/broadcast", batch))
        routes.append(web.post(f"{prefix}/broadcast/{{topic}}/events/{{event}}", single))
    return routes


def _json(body: Any, status: int) -> web.Response:
    return web.json_response(body, status=status, headers=CORS)


def _accepted() -> web.Response:
    return web.Response(status=202, headers=CORS)


def _unauthorized() -> web.Response:
    return _json({"message": "Unauthorized"}, 401)


def _bad_request() -> web.Response:
    return _json({"message": "Bad Request"}, 400)


def _token(request: web.Request) -> str | None:
    authorization = request.headers.get("Authorization", "")
    parts = authorization.split(" ")
    if len(parts) == 2 and parts[0].lower() == "bearer" and parts[1]:
        return parts[1]
    return request.headers.get("apikey")


def _claims(state: ServerState, request: web.Request) -> dict[str, Any] | None:
    token = _token(request)
    if token is None:
        _log.info("REST broadcast refused: no token")
        return None
    try:
        return state.verifier.verify(token, state.clock())
    except TokenRejected as rejected:
        _log.info("REST broadcast refused: %s", rejected.connect_refusal()[1])
        return None


async def _may_write(state: ServerState, topic: str, claims: dict[str, Any]) -> bool | str:
    """The caller's broadcast write permission on a private topic, or why it is unknown."""
    authorizer = state.authorizer
    if authorizer is None:
        return "Tenant database unavailable"
    policies = Policies()
    try:
        await authorizer.check_write(topic, claims, policies)
    except PolicyError as exc:
        _log.warning("RlsPolicyError on REST broadcast to %s: %s", topic, exc)
        return "RLS policy error"
    except DatabaseUnavailable as exc:
        _log.error("UnableToConnectToProject on REST broadcast to %s: %s", topic, exc)
        return "Tenant database unavailable"
    return policies.can_write("broadcast")


_UNPARSEABLE: Final = object()


def _parsed(raw: bytes) -> Any:
    """The JSON body, or ``_UNPARSEABLE`` (a 400): invalid JSON, or JSON the real server's
    decoder refuses or this one cannot relay (see ``untrusted_json``)."""
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        return _UNPARSEABLE
    problem = json_problem(body, raw)
    if problem is not None:
        _log.info("REST broadcast refused: %s", problem)
        return _UNPARSEABLE
    return body


def _over_events_limit(state: ServerState, batch: int) -> str | None:
    """Why a REST broadcast of ``batch`` messages (0: a single one) is refused for the
    events-per-second limit (429), as the real server words it; ``None`` within it."""
    events = state.events
    events.over_limit()
    average, limit = events.rate.average, state.options.max_events_per_second
    if average >= limit if batch == 0 else average > limit:
        return "You have exceeded your rate limit"
    if batch and batch + average > limit:
        return "Too many messages to broadcast, please reduce the batch size"
    return None


# ---------------------------------------------------------------------- batch


def _string_field(message: dict[str, Any], name: str, errors: dict[str, list[str]]) -> str | None:
    value = message.get(name)
    if value is not None and not isinstance(value, str):
        errors[name] = [INVALID]
        return None
    if value is None or not value.strip():
        errors[name] = [BLANK]
        return None
    return value


def _boolean(value: object) -> bool | None:
    """Ecto's boolean cast (absent: false); ``None`` when invalid."""
    if value is None or isinstance(value, bool):
        return bool(value)
    return _BOOLEAN_TEXTS.get(value) if isinstance(value, str) else None


def _validate_message(
    raw: dict[str, Any], max_payload: int
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    topic = _string_field(raw, "topic", errors)
    event = _string_field(raw, "event", errors)
    payload = raw.get("payload")
    if payload is None:
        errors["payload"] = [BLANK]
    elif not isinstance(payload, dict):
        errors["payload"] = [INVALID]
    elif json_size(payload) > max_payload:
        errors["payload"] = [TOO_BIG]
    private = _boolean(raw.get("private"))
    if private is None:
        errors["private"] = [INVALID]
    message_id = raw.get("id")
    if message_id is not None:
        try:
            message_id = str(uuid.UUID(message_id)) if isinstance(message_id, str) else None
        except ValueError:
            message_id = None
        if message_id is None:
            errors["id"] = [INVALID]
    message: dict[str, Any] = {
        "topic": topic,
        "event": event,
        "payload": payload,
        "private": private,
    }
    if message_id is not None:
        message["id"] = message_id
    return message, errors


def validate_batch(body: object, max_payload: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The messages of a batch body, and the 422 ``errors`` map (empty when valid)."""
    raw = body.get("messages") if isinstance(body, dict) else None  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    if raw is None or raw == []:
        return [], {"messages": [BLANK]}
    if not isinstance(raw, list) or not all(isinstance(entry, dict) for entry in raw):  # pyright: ignore[reportUnknownVariableType]
        return [], {"messages": [INVALID]}
    entries: list[dict[str, Any]] = raw  # pyright: ignore[reportUnknownVariableType]
    checked = [_validate_message(entry, max_payload) for entry in entries]
    if any(errors for _, errors in checked):
        return [], {"messages": [errors for _, errors in checked]}
    return [message for message, _ in checked], {}


def _batch_fan_out(message: dict[str, Any]) -> JsonFanOut:
    payload: dict[str, Any] = {
        "payload": message["payload"],
        "event": message["event"],
        "type": "broadcast",
    }
    if "id" in message:
        payload["meta"] = {"id": message["id"]}
    return JsonFanOut("realtime:" + message["topic"], "broadcast", payload)


async def _batch(state: ServerState, request: web.Request) -> web.StreamResponse:
    claims = _claims(state, request)
    if claims is None:
        return _unauthorized()
    body = _parsed(await request.read() or b"{}")
    if body is _UNPARSEABLE:
        return _bad_request()
    messages, errors = validate_batch(body, state.options.max_payload_bytes)
    if errors:
        _log.info("REST broadcast refused: invalid messages")
        return _json({"errors": errors}, 422)
    limited = _over_events_limit(state, len(messages))
    if limited is not None:
        return _json({"message": limited}, 429)
    state.events.sent(len(messages))
    private_topics: dict[str, list[dict[str, Any]]] = {}
    for message in messages:
        if message["private"]:
            private_topics.setdefault(message["topic"], []).append(message)
        else:
            state.registry.fan_out(TopicKey(False, message["topic"]), _batch_fan_out(message))
    for topic, topic_messages in private_topics.items():
        allowed = await _may_write(state, topic, claims)
        if allowed is not True:
            _log.info("REST broadcast to private %s skipped: no write permission", topic)
            continue
        for message in topic_messages:
            state.registry.fan_out(TopicKey(True, topic), _batch_fan_out(message))
    return _accepted()


# ---------------------------------------------------------------------- single


async def _single(state: ServerState, request: web.Request) -> web.StreamResponse:
    content_type = request.headers.get("Content-Type")
    binary = request.content_type == "application/octet-stream"
    if content_type is not None and request.content_type not in _MEDIA_TYPES:
        return _json({"error": UNSUPPORTED_MEDIA}, 415)
    claims = _claims(state, request)
    if claims is None:
        return _unauthorized()
    raw = await request.read()
    payload: Any
    if binary:
        payload = raw
    elif content_type is None or not raw:
        payload = {}
    else:
        payload = _parsed(raw)
        if payload is _UNPARSEABLE:
            return _bad_request()
        if not isinstance(payload, dict):
            payload = {"_json": payload}
    topic = request.match_info["topic"]
    event = request.match_info["event"]
    private = request.query.get("private") == "true"
    limited = _over_events_limit(state, 0)
    if limited is not None:
        return _json({"message": limited}, 429)
    if json_size(payload) > state.options.max_payload_bytes:
        return _json({"errors": {"payload": [TOO_BIG]}}, 422)
    if private:
        allowed = await _may_write(state, topic, claims)
        if isinstance(allowed, str):
            return _json({"message": allowed}, 422)
        if not allowed:
            _log.info("REST broadcast to private %s refused: no write permission", topic)
            return _json({"message": "Unauthorized"}, 403)
    state.events.sent()
    broadcast = UserBroadcast(None, None, topic, event, None, payload, binary)
    state.registry.fan_out(
        TopicKey(private, topic), UserBroadcastFanOut("realtime:" + topic, broadcast)
    )
    return _accepted()
