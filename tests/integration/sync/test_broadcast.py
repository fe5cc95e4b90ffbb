"""Broadcast through the blocking client: callbacks on the delivery thread, iterators, acks,
typed payloads, REST, and a callback that raises."""

from __future__ import annotations

import threading

import pytest
from pydantic import BaseModel, JsonValue

from realtime_typed import BroadcastMessage, BroadcastSpec, PushTimeout
from realtime_typed.sync import RealtimeClient
from realtime_typed.sync.delivery import DELIVERY_QUEUE_SIZE
from realtime_typed.testing import LocalRealtimeServer

from .helpers import WAIT, Inbox, ServerControl, blocking


class Cursor(BaseModel):
    x: float
    y: float


CURSOR = BroadcastSpec("cursor", Cursor)


async def test_callbacks_run_on_the_delivery_thread(realtime_server: LocalRealtimeServer) -> None:
    def scenario() -> None:
        inbox: Inbox[BroadcastMessage[JsonValue]] = Inbox()
        with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
            room = client.channel("room:1", broadcast_self=True, broadcast_ack=True)
            remove = room.on_broadcast("hello", inbox)
            assert room.subscribe(timeout=WAIT) is room
            room.send_broadcast("hello", {"n": 1})
            message = inbox.get()
            assert (message.event, message.payload) == ("hello", {"n": 1})
            assert inbox.threads == {"realtime-delivery"}
            remove()
            room.send_broadcast("hello", {"n": 2})
            assert inbox.empty()

    await blocking(scenario)


async def test_iterators_typed_payloads_and_rest(realtime_server: LocalRealtimeServer) -> None:
    def scenario() -> None:
        with (
            RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as sender,
            RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as receiver,
        ):
            inbound = receiver.channel("room:2")
            cursors = inbound.broadcasts(CURSOR, timeout=WAIT)
            everything = inbound.broadcasts(timeout=WAIT)
            inbound.subscribe(timeout=WAIT)
            outbound = sender.channel("room:2", broadcast_ack=True).subscribe(timeout=WAIT)
            outbound.send_broadcast(CURSOR, Cursor(x=1.0, y=2.0))
            outbound.http_send("note", {"text": "over REST"}, timeout=WAIT)
            first = next(cursors)
            assert first.payload == Cursor(x=1.0, y=2.0)
            assert [message.event for message in (next(everything), next(everything))] == [
                "cursor",
                "note",
            ]
            cursors.close()
            assert list(cursors) == []
            assert cursors.dropped == 0

    await blocking(scenario)


async def test_an_iterator_ends_after_its_timeout_and_when_the_channel_closes(
    realtime_server: LocalRealtimeServer,
) -> None:
    def scenario() -> None:
        with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
            room = client.channel("room:3", broadcast_self=True)
            quiet = room.broadcasts("nothing", timeout=0.05)
            endless = room.broadcasts()
            room.subscribe(timeout=WAIT)
            assert list(quiet) == []
            room.unsubscribe(timeout=WAIT)
            assert list(endless) == []

    await blocking(scenario)


async def test_an_iterator_is_bounded(realtime_server: LocalRealtimeServer) -> None:
    def scenario() -> None:
        with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
            room = client.channel("room:4", broadcast_self=True, broadcast_ack=True)
            stream = room.broadcasts("n", maxsize=3, timeout=0.2)
            room.subscribe(timeout=WAIT)
            for n in range(10):
                room.send_broadcast("n", n)
            with stream:
                assert [message.payload for message in stream] == [7, 8, 9]
            assert stream.dropped == 7

    await blocking(scenario)


async def test_a_raising_callback_is_reported_and_delivery_goes_on(
    realtime_server: LocalRealtimeServer,
) -> None:
    def scenario() -> None:
        errors: Inbox[Exception] = Inbox()
        seen: Inbox[JsonValue] = Inbox()

        def fragile(message: BroadcastMessage[JsonValue]) -> None:
            if message.payload == "boom":
                raise ValueError("boom")
            seen(message.payload)

        with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
            client.on_error(errors)
            room = client.channel("room:5", broadcast_self=True, broadcast_ack=True)
            room.on_broadcast("m", fragile)
            room.subscribe(timeout=WAIT)
            room.send_broadcast("m", "boom")
            room.send_broadcast("m", "after")
            assert seen.get() == "after"
            error = errors.get()
            assert isinstance(error, ValueError)
            assert errors.threads == {"realtime-delivery"}

    await blocking(scenario)


async def test_an_unanswered_acked_send_times_out(realtime_server: LocalRealtimeServer) -> None:
    control = ServerControl()

    def scenario() -> None:
        with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
            room = client.channel("room:6", broadcast_ack=True).subscribe(timeout=WAIT)
            control.call(lambda: realtime_server.faults.drop_replies("broadcast"))
            with pytest.raises(PushTimeout):
                room.send_broadcast("m", "lost", timeout=0.2)
            control.call(realtime_server.faults.restore_replies)
            room.send_broadcast("m", "answered", timeout=WAIT)

    await blocking(scenario)


async def test_a_callback_may_call_the_client(realtime_server: LocalRealtimeServer) -> None:
    def scenario() -> None:
        replies: Inbox[JsonValue] = Inbox()
        with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
            room = client.channel("room:7", broadcast_self=True, broadcast_ack=True)

            def echo(message: BroadcastMessage[JsonValue]) -> None:
                room.send_broadcast("pong", message.payload, timeout=WAIT)

            room.on_broadcast("ping", echo)
            room.on_broadcast("pong", lambda message: replies(message.payload))
            room.subscribe(timeout=WAIT)
            room.send_broadcast("ping", 1)
            assert replies.get() == 1
        assert threading.current_thread().name != "realtime-delivery"

    await blocking(scenario)


async def test_send_broadcasts_returns_each_outcome(realtime_server: LocalRealtimeServer) -> None:
    def scenario() -> None:
        with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
            room = client.channel("room:batch", broadcast_self=True, broadcast_ack=True)
            cursors = room.broadcasts(CURSOR, timeout=WAIT)
            room.subscribe(timeout=WAIT)
            moves = [Cursor(x=float(n), y=0.0) for n in range(20)]
            assert room.send_broadcasts(CURSOR, moves, timeout=WAIT) == [None] * 20
            assert [next(cursors).payload for _ in moves] == moves

    await blocking(scenario)


async def test_callbacks_that_fall_behind_lose_the_oldest_calls(
    realtime_server: LocalRealtimeServer,
) -> None:
    extra = 5
    last = DELIVERY_QUEUE_SIZE + extra

    def scenario() -> None:
        entered, release, finished = threading.Event(), threading.Event(), threading.Event()
        seen: list[JsonValue] = []

        def slow(message: BroadcastMessage[JsonValue]) -> None:
            if message.payload == 0:
                entered.set()
                release.wait(WAIT)
            seen.append(message.payload)
            if message.payload == last:
                finished.set()

        with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
            room = client.channel("room:slow", broadcast_self=True)
            room.on_broadcast("n", slow)
            marks = room.broadcasts("mark", timeout=WAIT)
            room.subscribe(timeout=WAIT)
            room.send_broadcast("n", 0)
            assert entered.wait(WAIT)  # the delivery thread is held in the call for 0
            for n in range(1, last + 1):
                room.send_broadcast("n", n)
            room.send_broadcast("mark", "sent")
            assert next(marks).payload == "sent"  # every call before it is queued or dropped
            assert client.dropped["slow callbacks"] == extra
            release.set()
            assert finished.wait(WAIT)
            assert seen == [0, *range(extra + 1, last + 1)]

    await blocking(scenario)
