"""Which channels receive a change row, and with which binding ids (pure)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

__all__ = ["ChannelSubscription", "Deliver", "route"]

Deliver = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass
class ChannelSubscription:
    """One channel's bindings: ``subscriptions`` pairs each binding id with its subscription
    UUID, in the order the client sent the bindings."""

    channel_id: str
    claims: dict[str, Any]
    deliver: Deliver
    subscriptions: list[tuple[int, UUID]] = field(default_factory=list[tuple[int, UUID]])


def route(
    visible: Iterable[UUID], owners: Mapping[UUID, ChannelSubscription]
) -> list[tuple[ChannelSubscription, list[int]]]:
    """The channels owning any of the ``visible`` subscriptions, each with the binding ids
    that match, listed last binding first as the real dispatcher lists them."""
    seen = set(visible)
    channels: dict[str, ChannelSubscription] = {}
    for subscription_id in seen:
        owner = owners.get(subscription_id)
        if owner is not None:
            channels[owner.channel_id] = owner
    routed: list[tuple[ChannelSubscription, list[int]]] = []
    for channel in channels.values():
        ids = [binding for binding, sub in reversed(channel.subscriptions) if sub in seen]
        routed.append((channel, ids))
    return routed
