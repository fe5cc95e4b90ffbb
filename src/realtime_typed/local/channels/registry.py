"""Which channels are joined to which topic, and fan-out to them.

Topics are keyed by ``(private, sub_topic)``: public and private channels of the same name live
in separate namespaces and never see each other's messages. A fan-out message is encoded at
most once per serializer version, however many members receive it.
"""

from __future__ import annotations

import logging
from typing import NamedTuple, Protocol

from realtime_typed.local.auth.policies import Extension, Policies
from realtime_typed.protocol.frames import Vsn

__all__ = ["ChannelRegistry", "DeliveryMeter", "FanOut", "Member", "MemberSocket", "TopicKey"]

_log = logging.getLogger(__name__)


class TopicKey(NamedTuple):
    """The namespace of a channel: private or public, and its sub-topic."""

    private: bool
    sub_topic: str

    def tracker_topic(self) -> str:
        """The topic name under which presences of this namespace are tracked."""
        return ("private:" if self.private else "public:") + self.sub_topic


class FanOut(Protocol):
    """A message for every member of a topic, encoded per serializer version on demand."""

    def encoded(self, vsn: Vsn) -> str | bytes | None:
        """The frame for a socket of this version; ``None`` when it cannot receive it."""
        ...


class MemberSocket(Protocol):
    """The socket of a member, as fan-out uses it."""

    @property
    def vsn(self) -> Vsn:
        """The socket's serializer version."""
        ...

    def send(self, data: str | bytes) -> None:
        """Queue a frame for the socket."""


class Member(Protocol):
    """A joined channel, as the registry sees it (a ``ServerChannel``)."""

    @property
    def key(self) -> TopicKey:
        """The channel's topic namespace."""
        ...

    @property
    def policies(self) -> Policies | None:
        """RLS permissions of a private channel; ``None`` on public channels."""
        ...

    @property
    def replayed_ids(self) -> frozenset[str]:
        """Ids of stored broadcasts replayed at the join."""
        ...

    @property
    def session(self) -> MemberSocket:
        """The socket the channel was joined on."""
        ...


class DeliveryMeter(Protocol):
    """Told of each broadcast delivered (the events-per-second limit)."""

    def delivered(self, member: Member) -> None:
        """``member`` received a broadcast."""


class ChannelRegistry:
    """Members of each topic, in join order, plus counts of messages a socket could not take
    and of messages that could not be encoded (dropped for every member)."""

    def __init__(self) -> None:
        self._members: dict[TopicKey, dict[Member, None]] = {}
        self.undeliverable: int = 0
        self.unencodable: int = 0
        self.meter: DeliveryMeter | None = None

    def add(self, channel: Member) -> None:
        """Make ``channel`` a member of its topic."""
        self._members.setdefault(channel.key, {})[channel] = None

    def remove(self, channel: Member) -> None:
        """Remove ``channel`` from its topic (no-op when it is not a member)."""
        members = self._members.get(channel.key)
        if members is None:
            return
        members.pop(channel, None)
        if not members:
            del self._members[channel.key]

    def members_count(self) -> int:
        """How many channels are joined, over every topic."""
        return sum(len(members) for members in self._members.values())

    def fan_out(
        self,
        key: TopicKey,
        message: FanOut,
        exclude: Member | None = None,
        *,
        extension: Extension = "broadcast",
        message_id: str | None = None,
    ) -> int:
        """Send ``message`` to every member of ``key`` but ``exclude``; returns how many got it.

        Private members need read permission for ``extension``; members that replayed the
        stored message ``message_id`` at their join are skipped.
        """
        members = self._members.get(key)
        if not members:
            return 0
        sent = 0
        for channel in members:
            if channel is exclude:
                continue
            policies = channel.policies
            if policies is not None and not policies.can_read(extension):
                continue
            if message_id is not None and message_id in channel.replayed_ids:
                continue
            session = channel.session
            try:
                data = message.encoded(session.vsn)
            except Exception as exc:
                self.unencodable += 1
                _log.error("a message on %s could not be encoded and was dropped: %s", key, exc)
                return sent
            if data is None:
                self.undeliverable += 1
                _log.debug("dropped a message vsn %s cannot carry on %s", session.vsn, key)
                continue
            session.send(data)
            sent += 1
            if extension == "broadcast" and self.meter is not None:
                self.meter.delivered(channel)
        return sent
