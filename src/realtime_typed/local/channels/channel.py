"""One joined channel on one socket: its topic, join config, token, presence and policies."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine
from json.encoder import encode_basestring
from typing import Any, Final, Protocol

from realtime_typed.local.auth.policies import Policies
from realtime_typed.local.channels.join_config import JoinConfig
from realtime_typed.local.channels.rate_limit import FixedWindowLimiter
from realtime_typed.local.channels.registry import TopicKey
from realtime_typed.local.channels.shared import SharedState
from realtime_typed.protocol.frames import Frame, Vsn

__all__ = ["TOPIC_PREFIX", "ChannelSocket", "ServerChannel"]

TOPIC_PREFIX: Final = "realtime:"
_REF_MARK: Final = "\x00ref\x00"
"""The ref an ``ok`` reply's template is encoded with, then split at."""
_OK: Final[dict[str, object]] = {"status": "ok", "response": {}}


class ChannelSocket(Protocol):
    """What channels need from the socket they were joined on (the transport's session)."""

    @property
    def vsn(self) -> Vsn:
        """The socket's serializer version."""
        ...

    @property
    def token(self) -> str:
        """The token the socket connected with."""
        ...

    @property
    def state(self) -> SharedState:
        """What every socket of the server shares."""
        ...

    @property
    def channels(self) -> dict[str, ServerChannel]:
        """The socket's joined channels by topic."""
        ...

    def encode(self, frame: Frame) -> str:
        """``frame`` as this socket's serializer writes it."""
        ...

    def send(self, data: str | bytes) -> None:
        """Queue a frame for this socket."""

    def close(self, code: int, reason: str = "") -> None:
        """Close the socket with ``code`` after the frames already queued."""

    def reply_unmatched(self, frame: Frame) -> None:
        """Phoenix's answer to a push on a topic this socket has not joined."""

    def close_channel(self, channel: ServerChannel, *, notify: bool = True) -> None:
        """End ``channel``: leave its topic and presence, unsubscribe, then ``phx_close``."""

    def shutdown_channel(self, channel: ServerChannel, message: str) -> None:
        """Close ``channel`` after a ``system`` error carrying ``message``."""

    def defer(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` now; the socket's next frame waits until it has finished."""


class ServerChannel:
    """A channel joined on a socket. Identity-hashed: each join is a new channel."""

    def __init__(
        self,
        session: ChannelSocket,
        topic: str,
        join_ref: str | None,
        config: JoinConfig,
        *,
        access_token: str,
        claims: dict[str, Any],
        presence_limiter: FixedWindowLimiter,
        bindings: list[tuple[int, dict[str, Any]]],
    ) -> None:
        self.id: str = uuid.uuid4().hex
        self.session = session
        self.topic = topic
        self.sub_topic: str = topic[len(TOPIC_PREFIX) :]
        self.key: TopicKey = TopicKey(config.private, self.sub_topic)
        self.join_ref = join_ref
        self.config = config
        self.access_token = access_token
        self.claims = claims
        self.presence_key: str = config.presence_key or str(uuid.uuid1())
        self.presence_limiter = presence_limiter
        self.bindings = bindings
        self.token_timer: asyncio.TimerHandle | None = None
        self.postgres_task: asyncio.Task[None] | None = None
        self.closed = False
        self.policies: Policies | None = None
        """RLS permissions of a private channel; ``None`` on public channels."""
        self.replayed_ids: frozenset[str] = frozenset()
        """Ids of stored broadcasts replayed at the join, whose live copies are skipped."""
        self._ok_reply: tuple[str, str] | None = None

    def push(self, event: str, payload: Any) -> None:
        """A push from the channel: join_ref set, ref null."""
        session = self.session
        session.send(session.encode(Frame(self.join_ref, None, self.topic, event, payload)))

    def reply(self, ref: str | None, status: str, response: Any) -> None:
        """A ``phx_reply`` to the push ``ref``."""
        payload = {"status": status, "response": response}
        session = self.session
        session.send(session.encode(Frame(self.join_ref, ref, self.topic, "phx_reply", payload)))

    def reply_ok(self, ref: str | None) -> None:
        """``reply(ref, "ok", {})``, the answer to most pushes: the encoded reply is made once
        per channel and each one only puts its ``ref`` in."""
        template = self._ok_reply or self._ok_template()
        if template is None:
            self.reply(ref, "ok", {})
            return
        head, tail = template
        self.session.send(head + ("null" if ref is None else encode_basestring(ref)) + tail)

    def _ok_template(self) -> tuple[str, str] | None:
        """The encoded ``ok`` reply around its ref; ``None`` when the topic or join_ref holds
        the mark it is split at."""
        frame = Frame(self.join_ref, _REF_MARK, self.topic, "phx_reply", _OK)
        text = self.session.encode(frame)
        mark = encode_basestring(_REF_MARK)
        if text.count(mark) != 1:
            return None
        head, _, tail = text.partition(mark)
        self._ok_reply = (head, tail)
        return self._ok_reply

    def push_system(self, extension: str, status: str, message: str) -> None:
        """A ``system`` message naming this channel's sub-topic."""
        self.push(
            "system",
            {
                "extension": extension,
                "status": status,
                "message": message,
                "channel": self.sub_topic,
            },
        )
