"""REST broadcasts against a hostile server: one overall deadline, bounded error bodies."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from realtime_typed import RealtimeClient
from realtime_typed.client.rest import MAX_ERROR_BODY, MAX_ERROR_TEXT
from realtime_typed.errors import PushError, PushTimeout

from .hostile import RestReply, error_body, hostile_server, json_chunks

MEGABYTE = 1024 * 1024
HUGE = 200 * MEGABYTE


async def test_a_trickled_answer_times_out_at_the_overall_deadline() -> None:
    def slowly() -> Iterator[bytes]:
        while True:
            yield b" "

    async with hostile_server() as server:
        server.rest = RestReply(status=400, chunks=slowly, trickle=0.05)
        client = RealtimeClient(server.url, apikey="anon")
        with pytest.raises(PushTimeout, match=r"within 0\.5 s"):
            await client.channel("room").http_send("event", {"n": 1}, timeout=0.5)
        assert server.rest_bytes_sent > 1  # it was answering, a byte at a time
        await client.close()


async def test_an_error_body_nested_100000_deep_gives_a_push_error() -> None:
    def nested(depth: int) -> str:
        return '{"error": ' + "[" * depth + "]" * depth + "}"

    async with hostile_server() as server:
        client = RealtimeClient(server.url, apikey="anon")
        for body in (nested(100_000), nested(30_000)):  # over and under the read cap
            server.rest = RestReply(status=400, chunks=json_chunks(body))
            with pytest.raises(PushError) as raised:
                await client.channel("room").http_send("event", {"n": 1})
            assert raised.value.response == "Bad Request"
        await client.close()


async def test_a_200_mb_error_body_is_neither_read_nor_kept_whole() -> None:
    def huge() -> Iterator[bytes]:
        yield b'{"error": "'
        chunk = b"x" * MEGABYTE
        for _ in range(HUGE // MEGABYTE):
            yield chunk

    async with hostile_server() as server:
        server.rest = RestReply(status=500, chunks=huge, length=HUGE + 11)
        client = RealtimeClient(server.url, apikey="anon")
        with pytest.raises(PushError) as raised:
            await client.channel("room").http_send("event", {"n": 1})
        assert len(str(raised.value)) < MAX_ERROR_BODY
        assert server.rest_bytes_sent < HUGE // 10
        await client.close()


async def test_a_long_error_message_is_kept_up_to_its_cap() -> None:
    async with hostile_server() as server:
        server.rest = RestReply(status=403, chunks=json_chunks(error_body("no " * 10_000)))
        client = RealtimeClient(server.url, apikey="anon")
        with pytest.raises(PushError) as raised:
            await client.channel("room").http_send("event", {"n": 1})
        assert raised.value.response == ("no " * 10_000)[:MAX_ERROR_TEXT]
        await client.close()
