"""A callback that raises, a slow async callback and a slow ``async for`` consumer on one channel.

None of them may hold up the others: a plain callback sees every message at once, the raising
one is reported through ``client.on_error`` each time, the slow async callback gets every
message once it catches up, and the stream keeps only its newest ``maxsize`` messages, counting
the ones it dropped (its documented drop-oldest policy).
"""

from __future__ import annotations

import asyncio

from pydantic import JsonValue

from realtime_typed import BroadcastMessage, RealtimeClient
from realtime_typed.testing import LocalRealtimeServer

from .waiting import WAIT, Tally

MESSAGES = 20
STREAM_SIZE = 5


class Boom(Exception):
    """What the faulty callback raises."""


async def test_faulty_and_slow_consumers_do_not_stop_delivery(
    realtime_server: LocalRealtimeServer,
) -> None:
    errors: Tally[str] = Tally()
    prompt: Tally[object] = Tally()
    late: list[JsonValue] = []
    late_done = asyncio.Event()
    gate = asyncio.Event()

    def raising(message: BroadcastMessage[JsonValue]) -> None:
        raise Boom(f"cannot take {message.payload}")

    async def slow(message: BroadcastMessage[JsonValue]) -> None:
        await gate.wait()
        late.append(message.payload)
        if len(late) == MESSAGES:
            late_done.set()

    def on_message(message: BroadcastMessage[JsonValue]) -> None:
        prompt.add(message.payload)

    async with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
        client.on_error(lambda error: errors.add(type(error).__name__))
        room = client.channel("room", broadcast_self=True, broadcast_ack=True)
        room.on_broadcast("n", raising)
        room.on_broadcast("n", slow)
        room.on_broadcast("n", on_message)
        stream = room.broadcasts("n", maxsize=STREAM_SIZE)
        await room.subscribe()

        for number in range(MESSAGES):
            await room.send_broadcast("n", number)
        await prompt.seen(range(MESSAGES))
        await errors.seen(["Boom"], times=MESSAGES)
        assert prompt.duplicates() == {}
        assert dict(errors.counts) == {"Boom": MESSAGES}

        assert stream.dropped == MESSAGES - STREAM_SIZE
        kept = [(await anext(stream)).payload for _ in range(STREAM_SIZE)]
        assert kept == list(range(MESSAGES - STREAM_SIZE, MESSAGES))

        assert late == []
        gate.set()
        await asyncio.wait_for(late_done.wait(), WAIT)
        assert late == list(range(MESSAGES))

        await room.send_broadcast("n", "after")
        await prompt.seen(["after"])
        assert (await asyncio.wait_for(anext(stream), WAIT)).payload == "after"
        assert stream.dropped == MESSAGES - STREAM_SIZE


async def test_a_slow_async_for_consumer_keeps_only_the_newest(
    realtime_server: LocalRealtimeServer,
) -> None:
    prompt: Tally[object] = Tally()
    async with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
        room = client.channel("room", broadcast_self=True, broadcast_ack=True)
        room.on_broadcast("n", lambda message: prompt.add(message.payload))
        consumed: list[JsonValue] = []
        first_taken = asyncio.Event()
        release = asyncio.Event()

        stream = room.broadcasts("n", maxsize=STREAM_SIZE)

        async def consume() -> None:
            async with stream:
                async for message in stream:
                    consumed.append(message.payload)
                    if len(consumed) == 1:
                        first_taken.set()
                        await release.wait()
                    if message.payload == MESSAGES - 1:
                        assert stream.dropped == MESSAGES - 1 - STREAM_SIZE
                        return

        await room.subscribe()
        consumer = asyncio.create_task(consume())
        await room.send_broadcast("n", 0)
        await asyncio.wait_for(first_taken.wait(), WAIT)
        for number in range(1, MESSAGES):
            await room.send_broadcast("n", number)
        await prompt.seen(range(MESSAGES))
        release.set()
        await asyncio.wait_for(consumer, WAIT)
        assert consumed == [0, *range(MESSAGES - STREAM_SIZE, MESSAGES)]
