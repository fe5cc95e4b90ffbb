"""Broadcasts without ack from the blocking client: handed to the event loop without waiting for
it, written in order, and every error a caller must see still raised (see ``sync/sender.py``).

The loop is held still by a callback of the test's own (``hold``) to show what a send does
while the loop is busy.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from pydantic import JsonValue

from realtime_typed import BroadcastMessage, ChannelError
from realtime_typed.sync import RealtimeClient
from realtime_typed.sync.sender import MAX_QUEUED
from realtime_typed.testing import LocalRealtimeServer

from .helpers import WAIT, Inbox, ServerControl, blocking


class Hold:
    """Holds a client's event loop in a callback until :meth:`release`; ``before`` runs on the
    loop first."""

    def __init__(self, client: RealtimeClient, before: Callable[[], object] = lambda: None):
        self._entered = threading.Event()
        self._released = threading.Event()
        self.released_in_time: bool | None = None
        self._before = before
        client.loop.call_soon_threadsafe(self._hold)
        assert self._entered.wait(WAIT)

    def _hold(self) -> None:
        self._before()
        self._entered.set()
        self.released_in_time = self._released.wait(WAIT)

    def release(self) -> None:
        self._released.set()


async def test_sends_return_while_the_loop_is_busy_and_arrive_in_order(
    realtime_server: LocalRealtimeServer,
) -> None:
    total = MAX_QUEUED + 50

    def scenario() -> None:
        with (
            RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as sender,
            RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as receiver,
        ):
            inbound = receiver.channel("room:fast")
            numbers = inbound.broadcasts("n", maxsize=total, timeout=WAIT)
            inbound.subscribe(timeout=WAIT)
            room = sender.channel("room:fast").subscribe(timeout=WAIT)
            hold = Hold(sender)
            for n in range(MAX_QUEUED):  # none of these waits for the held loop
                room.send_broadcast("n", n)
            hold.release()
            for n in range(MAX_QUEUED, total):  # the first waits for the loop to catch up
                room.send_broadcast("n", n)
            room.unsubscribe(timeout=WAIT)  # after the sends: every one was written
            assert hold.released_in_time
            assert [next(numbers).payload for _ in range(total)] == list(range(total))

    await blocking(scenario)


async def test_a_bad_message_or_a_closed_channel_raises_at_once(
    realtime_server: LocalRealtimeServer,
) -> None:
    def scenario() -> None:
        with RealtimeClient(
            realtime_server.url, apikey=realtime_server.anon_key, vsn="1.0.0"
        ) as client:
            room = client.channel("room:checks").subscribe(timeout=WAIT)
            with pytest.raises(ValueError, match=r"2\.0\.0 serializer"):
                room.send_broadcast("blob", b"\x00")
            with pytest.raises(ValueError, match="private channel"):
                room.send_broadcast("m", 1, persist=True)
            room.unsubscribe(timeout=WAIT)
            with pytest.raises(ChannelError, match="closed"):
                room.send_broadcast("m", 1)

    await blocking(scenario)


async def test_a_broadcast_queued_as_its_channel_closes_is_reported(
    realtime_server: LocalRealtimeServer,
) -> None:
    def scenario() -> None:
        errors: Inbox[Exception] = Inbox()
        with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
            client.on_error(errors)
            room = client.channel("room:closing")  # not joined: leaving closes it at once

            def leave() -> None:
                client.loop.create_task(room.async_channel.unsubscribe())

            hold = Hold(client, before=leave)  # the leave runs before the queued send
            room.send_broadcast("m", 1)  # the channel is still open: queued
            hold.release()
            error = errors.get()
            assert isinstance(error, ChannelError)
            assert "closed" in str(error)
            assert hold.released_in_time

    await blocking(scenario)


async def test_an_acked_send_waiting_for_its_reply_ends_when_the_client_closes(
    realtime_server: LocalRealtimeServer,
) -> None:
    control = ServerControl()

    def scenario() -> None:
        relayed: Inbox[BroadcastMessage[JsonValue]] = Inbox()
        failures: Inbox[Exception] = Inbox()
        with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as receiver:
            inbound = receiver.channel("room:acked")
            inbound.on_broadcast("m", relayed)
            inbound.subscribe(timeout=WAIT)
            client = RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key)
            room = client.channel("room:acked", broadcast_ack=True).subscribe(timeout=WAIT)
            assert room.broadcast_ack
            assert not room.broadcast_rest_fallback
            control.call(lambda: realtime_server.faults.drop_replies("broadcast"))

            def send() -> None:
                try:
                    room.send_broadcast("m", "unanswered")
                except Exception as exc:
                    failures(exc)

            sender = threading.Thread(target=send)
            sender.start()
            assert relayed.get().payload == "unanswered"  # written: its reply is awaited
            client.close()
            sender.join(WAIT)
            error = failures.get()
            assert isinstance(error, ChannelError)
            assert "closed before the reply" in str(error)
            control.call(realtime_server.faults.restore_replies)

    await blocking(scenario)
