"""The Realtime inspector: a live page at ``/inspector`` on the server's own port.

It shows the sockets (connected since, serializer, the token's role, never the token), the
channels each joined with their config, presence per topic, a live tail of the frames that
flow (with pause, filter and rates) and a form that sends a broadcast. The transport tells a
:class:`~realtime_typed.local.inspector.recorder.TrafficRecorder` of every socket and frame
through its ``SocketObserver`` hook; the page reads a server-sent event feed built from that
record and the server's state.

Safe by default: on a loopback address the page is open to the machine's users; on any other
address the page, its feed and its broadcast form require the server's service key.

Modules: ``recorder`` (the bounded record), ``redaction`` (no token leaves the server),
``views`` (records and state as the page's JSON), ``access`` (who may see it), ``routes``
(the HTTP side), and the page itself in ``static/``.
"""

from __future__ import annotations

from realtime_typed.local.inspector.recorder import TrafficRecorder
from realtime_typed.local.inspector.routes import add_inspector

__all__ = ["TrafficRecorder", "add_inspector"]
