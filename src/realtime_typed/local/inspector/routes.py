"""The inspector's HTTP side, on the server's own port.

* ``GET /inspector``: the page (``static/inspector.html``; its CSS and JavaScript under
  ``/inspector/static/``).
* ``GET /inspector/feed``: server-sent events: ``snapshot`` (sockets, channels, presence,
  counters) whenever something changed, ``messages`` (new tail entries, and how many were
  ``skipped`` because the feed fell behind the ring), at most ``BATCHES_PER_SECOND`` times a
  second. A feed writes at its reader's pace and never holds the server back: what it has not
  read yet waits in the recorder's bounded ring, and falls out of it. At most ``MAX_FEEDS``
  feeds at once.
* ``POST /inspector/broadcast`` with JSON ``{topic, event, payload, private}``: a broadcast
  to the members of ``topic`` as the REST API delivers one; answers ``{"delivered": n}``; a
  body over aiohttp's request size limit (1 MiB) is refused with 413. It
  takes only ``application/json``, which a page of another site cannot send without asking
  (CORS), so other sites cannot post through a browser on this machine.

When the server is bound to a non-loopback address every route but the static files needs the
service key (see ``access``); a refusal is 401, with a page explaining how to get in.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from importlib import resources
from typing import Any, Final

from aiohttp import web

from realtime_typed.local.channels.outgoing import JsonFanOut
from realtime_typed.local.channels.registry import TopicKey
from realtime_typed.local.inspector.access import InspectorAccess
from realtime_typed.local.inspector.recorder import TrafficRecorder
from realtime_typed.local.inspector.views import message_entry, snapshot
from realtime_typed.local.transport.state import ServerState

__all__ = ["BATCHES_PER_SECOND", "BATCH_LIMIT", "MAX_FEEDS", "add_inspector"]

MAX_FEEDS: Final = 8
BATCHES_PER_SECOND: Final = 5
BATCH_LIMIT: Final = 200
"""Tail entries per ``messages`` event at most; a feed further behind skips the rest."""
BACKLOG: Final = 200
"""Entries a new feed starts with."""
KEEPALIVE_SECONDS: Final = 15.0
_STATIC: Final = {
    "inspector.css": "text/css",
    "inspector.js": "text/javascript",
}
_HEADERS: Final = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
_UNAUTHORIZED_PAGE: Final = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Realtime inspector: key required</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<h1>401: the inspector needs the service key</h1>
<p>This server listens on a network address, so its inspector is not open to everyone who can
reach it. Open it with the server's service key (the <code>REALTIME_SERVICE_KEY</code> line
<code>realtime-local</code> prints at start):</p>
<pre>/inspector?apikey=&lt;service key&gt;</pre>
<p>or bind the server to a loopback address (<code>--host 127.0.0.1</code>).</p>
</body></html>
"""


def _static(name: str) -> bytes:
    return resources.files("realtime_typed.local.inspector").joinpath("static", name).read_bytes()


def add_inspector(
    app: web.Application, state: ServerState, recorder: TrafficRecorder, access: InspectorAccess
) -> None:
    """Serve the inspector of ``state`` and ``recorder`` on ``app``, behind ``access``."""
    page = _static("inspector.html")
    assets = {name: (_static(name), media) for name, media in _STATIC.items()}

    async def inspector(request: web.Request) -> web.StreamResponse:
        if not access.allows(request):
            return web.Response(
                status=401, text=_UNAUTHORIZED_PAGE, content_type="text/html", headers=_HEADERS
            )
        return web.Response(body=page, content_type="text/html", headers=_HEADERS)

    async def asset(request: web.Request) -> web.StreamResponse:
        found = assets.get(request.match_info["name"])
        if found is None:
            raise web.HTTPNotFound()
        body, media = found
        return web.Response(body=body, content_type=media, headers=_HEADERS)

    async def feed(request: web.Request) -> web.StreamResponse:
        if not access.allows(request):
            return web.json_response({"message": "Unauthorized"}, status=401)
        if recorder.feeds >= MAX_FEEDS:
            return web.json_response({"message": "Too many inspectors"}, status=503)
        return await _feed(request, state, recorder)

    async def broadcast(request: web.Request) -> web.StreamResponse:
        if not access.allows(request):
            return web.json_response({"message": "Unauthorized"}, status=401)
        return await _broadcast(request, state)

    async def stopping(_: web.Application) -> None:
        recorder.stop()

    app.on_shutdown.append(stopping)
    app.router.add_get("/inspector", inspector)
    app.router.add_get("/inspector/static/{name}", asset)
    app.router.add_get("/inspector/feed", feed)
    app.router.add_post("/inspector/broadcast", broadcast)


async def _feed(
    request: web.Request, state: ServerState, recorder: TrafficRecorder
) -> web.StreamResponse:
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",
        }
    )
    await response.prepare(request)
    wake = recorder.subscribe()
    cursor = max(0, recorder.next_seq - BACKLOG)
    try:
        while not recorder.stopped:
            wake.clear()
            records, skipped = recorder.since(cursor, BATCH_LIMIT)
            await _event(response, "snapshot", snapshot(state, recorder))
            if records or skipped:
                cursor = records[-1].seq + 1 if records else cursor + skipped
                entries = [entry for entry in map(message_entry, records) if entry is not None]
                await _event(response, "messages", {"entries": entries, "skipped": skipped})
            if cursor == recorder.next_seq:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), KEEPALIVE_SECONDS)
                if not wake.is_set():
                    await response.write(b": keepalive\n\n")
            # Coalesce what arrives meanwhile into the next batch.
            await asyncio.sleep(1 / BATCHES_PER_SECOND)
    except ConnectionError:
        pass  # the inspector went away
    finally:
        recorder.unsubscribe(wake)
    return response


async def _event(response: web.StreamResponse, name: str, data: dict[str, Any]) -> None:
    text = json.dumps(data, separators=(",", ":"), default=str)
    await response.write(f"event: {name}\ndata: {text}\n\n".encode())


def _refused(message: str, status: int = 422) -> web.Response:
    return web.json_response({"message": message}, status=status)


async def _broadcast(request: web.Request, state: ServerState) -> web.StreamResponse:
    if request.content_type != "application/json":
        return _refused("Send application/json", 415)
    try:
        body: Any = json.loads(await request.read())
    except web.HTTPRequestEntityTooLarge:
        return _refused("The body is over the size limit", 413)
    except ValueError:
        return _refused("The body is not JSON", 400)
    if not isinstance(body, dict):
        return _refused("Expected a JSON object")
    fields: dict[str, Any] = body  # pyright: ignore[reportUnknownVariableType]
    topic, event, payload = fields.get("topic"), fields.get("event"), fields.get("payload")
    private = fields.get("private", False)
    if not isinstance(topic, str) or not topic.strip():
        return _refused("topic: a non-empty string")
    if not isinstance(event, str) or not event.strip():
        return _refused("event: a non-empty string")
    if not isinstance(payload, dict):
        return _refused("payload: a JSON object")
    if not isinstance(private, bool):
        return _refused("private: true or false")
    sub_topic = topic.removeprefix("realtime:")
    message = JsonFanOut(
        "realtime:" + sub_topic,
        "broadcast",
        {"type": "broadcast", "event": event, "payload": payload},
    )
    delivered = state.registry.fan_out(TopicKey(private, sub_topic), message)
    return web.json_response({"delivered": delivered})
