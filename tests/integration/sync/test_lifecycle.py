"""The blocking client's threads: many callers at once, a caller that runs an event loop, and a
clean end on close(), on garbage collection and at interpreter exit."""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
import textwrap
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from pydantic import JsonValue

from realtime_typed import BroadcastMessage, ChannelError
from realtime_typed.protocol.events import HeartbeatStatus
from realtime_typed.sync import ClientClosed, RealtimeClient
from realtime_typed.testing import LocalRealtimeServer

from .helpers import WAIT, Inbox, blocking, client_threads

THREADS = 8
SENDS = 25


async def test_many_threads_call_at_once(realtime_server: LocalRealtimeServer) -> None:
    def scenario() -> None:
        got: Inbox[JsonValue] = Inbox()
        with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:

            def worker(index: int) -> None:
                room = client.channel(f"room:{index % 3}", broadcast_self=True, broadcast_ack=True)
                room.on_broadcast("n", lambda message: got(message.payload))
                room.subscribe(timeout=WAIT)
                for n in range(SENDS):
                    room.send_broadcast("n", [index, n], timeout=WAIT)

            with ThreadPoolExecutor(THREADS) as pool:
                list(pool.map(worker, range(THREADS)))
            # every message reaches at least the listener of the thread that sent it
            wanted = {(index, n) for index in range(THREADS) for n in range(SENDS)}
            seen: set[tuple[int, int]] = set()
            while seen != wanted:
                payload = got.get()
                assert isinstance(payload, list)
                index, n = payload
                assert isinstance(index, int) and isinstance(n, int)
                seen.add((index, n))
            assert len(client.channels) == 3

    await blocking(scenario)


async def test_use_from_a_thread_that_runs_an_event_loop(
    realtime_server: LocalRealtimeServer,
) -> None:
    async def notebook_cell() -> JsonValue:
        assert asyncio.get_running_loop() is not None
        with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
            room = client.channel("cell", broadcast_self=True, broadcast_ack=True)
            messages = room.broadcasts("m", timeout=WAIT)
            room.subscribe(timeout=WAIT)
            room.send_broadcast("m", "from a running loop")
            message = next(messages)
            return message.payload

    def scenario() -> JsonValue:
        return asyncio.run(notebook_cell())

    assert await blocking(scenario) == "from a running loop"


async def test_close_leaves_no_thread_and_the_client_refuses_more(
    realtime_server: LocalRealtimeServer,
) -> None:
    def scenario() -> None:
        before = client_threads()
        client = RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key)
        room = client.channel("room", broadcast_self=True)
        stream = room.broadcasts()
        room.subscribe(timeout=WAIT)
        client.close()
        client.close()
        assert client_threads() == before
        assert list(stream) == []
        with pytest.raises(ClientClosed):
            room.send_broadcast("m", 1)
        with pytest.raises(ClientClosed):
            client.connect()

    await blocking(scenario)


async def test_a_callback_may_close_its_client(realtime_server: LocalRealtimeServer) -> None:
    def scenario() -> None:
        closed = threading.Event()
        client = RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key)
        room = client.channel("room", broadcast_self=True)

        def close(message: BroadcastMessage[JsonValue]) -> None:
            client.close()
            closed.set()

        room.on_broadcast("bye", close)
        room.subscribe(timeout=WAIT)
        room.send_broadcast("bye", None)
        assert closed.wait(WAIT)

    await blocking(scenario)
    await blocking(lambda: _wait_for_no_client_threads())


def _wait_for_no_client_threads() -> None:
    for thread in threading.enumerate():
        if thread.name in ("realtime-loop", "realtime-delivery"):
            thread.join(WAIT)
    assert client_threads() == []


async def test_a_forgotten_client_is_closed_by_the_garbage_collector(
    realtime_server: LocalRealtimeServer,
) -> None:
    def scenario() -> None:
        client = RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key)
        client.channel("room").subscribe(timeout=WAIT)
        del client
        gc.collect()
        assert client_threads() == []

    await blocking(scenario)


async def test_a_coroutine_callback_cannot_block_the_loop(
    realtime_server: LocalRealtimeServer,
) -> None:
    def scenario() -> None:
        errors: Inbox[Exception] = Inbox()
        with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
            client.on_error(errors)
            room = client.channel("room", broadcast_self=True)

            async def blocks(message: BroadcastMessage[JsonValue]) -> None:
                room.send_broadcast("again", None)

            room.on_broadcast("m", blocks)
            room.subscribe(timeout=WAIT)
            room.send_broadcast("m", None)
            error = errors.get()
            assert isinstance(error, RuntimeError)
            assert "event-loop thread" in str(error)

    await blocking(scenario)


async def test_a_closed_channel_refuses_to_join_again(
    realtime_server: LocalRealtimeServer,
) -> None:
    def scenario() -> None:
        with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
            room = client.channel("room").subscribe(timeout=WAIT)
            client.remove_channel(room, timeout=WAIT)
            assert client.channels == []
            with pytest.raises(ChannelError):
                room.subscribe(timeout=WAIT)

    await blocking(scenario)


EXIT_SCRIPT = """
import sys
from realtime_typed.sync import RealtimeClient

client = RealtimeClient(sys.argv[1], apikey=sys.argv[2])
room = client.channel("room", broadcast_self=True, broadcast_ack=True)
room.on_broadcast("m", print)
stream = room.broadcasts()
room.subscribe(timeout=20)
room.send_broadcast("m", "before exit")
print(next(stream).payload, flush=True)
{ending}
"""


@pytest.mark.parametrize(
    "ending",
    [
        "pass",
        "del client, room, stream",
        "import threading; threading.Thread(target=client.close).start()",
    ],
)
async def test_interpreter_exit_without_close_is_clean(
    realtime_server: LocalRealtimeServer, ending: str
) -> None:
    script = textwrap.dedent(EXIT_SCRIPT).format(ending=ending)

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                *("-X", "dev", "-W", "error", "-c", script),
                *(realtime_server.url, realtime_server.anon_key),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    result = await blocking(run)
    assert result.returncode == 0, result.stderr
    assert "before exit" in result.stdout
    assert result.stderr == ""


async def test_disconnect_keeps_the_channels_and_connect_rejoins(
    realtime_server: LocalRealtimeServer,
) -> None:
    def scenario() -> None:
        got: Inbox[JsonValue] = Inbox()
        with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
            assert client.connection_state == "open"
            assert client.endpoint_url.startswith(realtime_server.url)
            room = client.channel("room", broadcast_self=True, broadcast_ack=True)
            room.on_broadcast("m", lambda message: got(message.payload))
            room.subscribe(timeout=WAIT)
            client.send_heartbeat()
            client.disconnect(4000, "maintenance", timeout=WAIT)
            after: str = client.connection_state  # not narrowed by the assert above
            assert after == "closed"
            client.connect(timeout=WAIT)
            room.send_broadcast("m", "back", timeout=WAIT)
            assert got.get() == "back"
            assert client.remove_channel(room, timeout=WAIT) == "ok"

    await blocking(scenario)


async def test_send_heartbeat_is_answered(realtime_server: LocalRealtimeServer) -> None:
    def scenario() -> None:
        beats: Inbox[HeartbeatStatus] = Inbox()
        with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
            client.on_heartbeat(lambda status, latency: beats(status))
            client.send_heartbeat()
            assert (beats.get(), beats.get()) == ("sent", "ok")

    await blocking(scenario)


async def test_remove_all_channels_reports_each_leave(
    realtime_server: LocalRealtimeServer,
) -> None:
    def scenario() -> None:
        with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
            for name in ("one", "two"):
                client.channel(name).subscribe(timeout=WAIT)
            assert client.remove_all_channels(timeout=WAIT) == ["ok", "ok"]
            assert client.channels == []

    await blocking(scenario)
