"""``subscribe(retry=True)`` on the blocking client: the first join retried until it succeeds,
and ``unsubscribe()`` from another thread ending the retries."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from realtime_typed import ChannelError, JoinError, JoinTimeout, SubscribeState
from realtime_typed.sync import RealtimeClient
from realtime_typed.testing import LocalRealtimeServer

from .helpers import WAIT, Inbox, ServerControl, blocking

State = tuple[SubscribeState, Exception | None]


async def test_a_timed_out_first_join_is_retried_until_joined(
    realtime_server: LocalRealtimeServer,
) -> None:
    control = ServerControl()
    faults = realtime_server.faults

    def scenario() -> None:
        states: Inbox[State] = Inbox()
        with RealtimeClient(
            realtime_server.url,
            apikey=realtime_server.anon_key,
            timeout=0.2,
            rejoin_after=lambda tries: 0.05,
        ) as client:
            control.call(lambda: faults.drop_replies("phx_join"))
            room = client.channel("room")
            with ThreadPoolExecutor(1) as pool:
                joining = pool.submit(
                    room.subscribe, lambda state, error: states((state, error)), retry=True
                )
                state, error = states.get()
                assert state is SubscribeState.TIMED_OUT and isinstance(error, JoinTimeout)
                assert not joining.done()
                control.call(faults.restore_replies)
                assert joining.result(WAIT) is room
            while states.get() != (SubscribeState.SUBSCRIBED, None):
                pass

    await blocking(scenario)


async def test_unsubscribe_from_another_thread_ends_the_retries(
    realtime_server: LocalRealtimeServer,
) -> None:
    def scenario() -> None:
        refused = threading.Event()
        with RealtimeClient(realtime_server.url, apikey=realtime_server.anon_key) as client:
            channel = client.channel("realtime:")  # an empty topic: the server refuses it

            def on_state(state: SubscribeState, error: Exception | None) -> None:
                if state is SubscribeState.CHANNEL_ERROR and isinstance(error, JoinError):
                    refused.set()

            with ThreadPoolExecutor(1) as pool:
                joining = pool.submit(channel.subscribe, on_state, retry=True)
                assert refused.wait(WAIT)
                assert channel.unsubscribe(timeout=WAIT) == "ok"
                with pytest.raises(ChannelError):
                    joining.result(WAIT)

    await blocking(scenario)
