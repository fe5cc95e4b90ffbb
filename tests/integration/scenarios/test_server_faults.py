"""The other server faults against a client: a close with a code, refusals for a while (HTTP 503
and a bare TCP close), late join replies, late and lost acks, and the ``realtime-local`` fault
flags.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import connect

from realtime_typed import (
    ConnectionClosed,
    ConnectionError,
    ConnectionRefused,
    JoinTimeout,
    PushTimeout,
    RealtimeClient,
    SubscribeState,
)
from realtime_typed.local.cli import parse_args
from realtime_typed.testing import LocalRealtimeServer, RefusalMode, ReplyRule, injected_faults

from .waiting import StateLog, Tally


def retry_at_once(tries: int) -> float:
    return 0.05


def _client(server: LocalRealtimeServer, timeout: float = 5.0) -> RealtimeClient:
    return RealtimeClient(
        server.url,
        apikey=server.anon_key,
        timeout=timeout,
        reconnect_after=retry_at_once,
        rejoin_after=retry_at_once,
    )


async def test_a_close_with_a_code_reaches_the_channel_and_the_client_reconnects(
    realtime_server: LocalRealtimeServer,
) -> None:
    states = StateLog()
    async with _client(realtime_server) as client:
        room = client.channel("room")
        await room.subscribe(states.callback(room.topic))
        assert await realtime_server.faults.close_all(4001, "going away for a test") == 1
        await states.reached(SubscribeState.CHANNEL_ERROR, 1, [room.topic])
        error = states.errors[room.topic][-1]
        assert isinstance(error, ConnectionClosed)
        assert (error.code, error.reason) == (4001, "going away for a test")
        await states.reached(SubscribeState.SUBSCRIBED, 2, [room.topic])


@pytest.mark.parametrize(
    ("mode", "refusal"), [("http", ConnectionRefused), ("tcp", ConnectionError)]
)
async def test_refused_reconnects_are_reported_until_the_server_accepts_again(
    realtime_server: LocalRealtimeServer, mode: RefusalMode, refusal: type[Exception]
) -> None:
    faults = realtime_server.faults
    states = StateLog()
    errors: Tally[str] = Tally()
    async with _client(realtime_server) as client:
        client.on_error(lambda error: errors.add(type(error).__name__))
        room = client.channel("room")
        await room.subscribe(states.callback(room.topic))
        faults.refuse(mode=mode, status=503)
        await faults.drop_all()
        await errors.seen([refusal.__name__], times=2)
        assert faults.rules.refused_connections >= 2
        faults.accept()
        await states.reached(SubscribeState.SUBSCRIBED, 2, [room.topic])


async def test_a_refusal_for_a_while_ends_by_itself(realtime_server: LocalRealtimeServer) -> None:
    states = StateLog()
    async with _client(realtime_server) as client:
        room = client.channel("room")
        await room.subscribe(states.callback(room.topic))
        realtime_server.faults.refuse(seconds=0.3)
        await realtime_server.faults.drop_all()
        await states.reached(SubscribeState.SUBSCRIBED, 2, [room.topic])
        assert realtime_server.faults.rules.refused_connections >= 1


async def test_a_join_reply_later_than_the_timeout_raises_join_timeout(
    realtime_server: LocalRealtimeServer,
) -> None:
    states = StateLog()
    realtime_server.faults.delay_replies("phx_join", 0.5)
    async with _client(realtime_server, timeout=0.2) as client:
        room = client.channel("room")
        with pytest.raises(JoinTimeout):
            await room.subscribe(states.callback(room.topic))
        realtime_server.faults.restore_replies()
        again = client.channel("room-again")
        await again.subscribe(states.callback(again.topic))
        assert realtime_server.faults.rules.delayed_replies >= 1


async def test_late_acks_within_the_timeout_are_waited_for(
    realtime_server: LocalRealtimeServer,
) -> None:
    async with _client(realtime_server, timeout=5.0) as client:
        room = await client.channel("room", broadcast_ack=True).subscribe()
        realtime_server.faults.delay_replies("broadcast", 0.2)
        await asyncio.gather(*(room.send_broadcast("e", {"n": n}) for n in range(3)))
        assert realtime_server.faults.rules.delayed_replies == 3


async def test_lost_acks_fail_the_push_and_later_ones_succeed(
    realtime_server: LocalRealtimeServer,
) -> None:
    async with _client(realtime_server, timeout=0.3) as client:
        room = await client.channel("room", broadcast_ack=True).subscribe()
        realtime_server.faults.drop_replies("broadcast")
        with pytest.raises(PushTimeout):
            await room.send_broadcast("e", {"lost": True})
        realtime_server.faults.restore_replies("broadcast")
        await room.send_broadcast("e", {"lost": False})
        assert realtime_server.faults.rules.dropped_replies == 1


def test_realtime_local_fault_flags() -> None:
    args = parse_args(
        [
            "--no-db",
            "--fault-drop-every",
            "30",
            "--fault-restart-every",
            "60",
            "--fault-no-heartbeat-replies",
            "--fault-drop-replies",
            "broadcast",
            "--fault-delay-replies",
            "phx_join=0.5",
        ]
    )
    assert (args.fault_drop_every, args.fault_restart_every) == (30.0, 60.0)
    assert args.fault_no_heartbeat_replies
    assert args.fault_drop_replies == ["broadcast"]
    assert args.fault_delay_replies == [("phx_join", 0.5)]
    with pytest.raises(SystemExit):
        parse_args(["--fault-delay-replies", "phx_join"])


async def test_realtime_local_fault_flags_apply_to_the_server() -> None:
    args = parse_args(
        ["--no-db", "--fault-no-heartbeat-replies", "--fault-delay-replies", "phx_join=0.5"]
    )
    async with LocalRealtimeServer() as server, injected_faults(server, args):
        assert server.faults.rules.replies == {
            "heartbeat": ReplyRule(drop=True),
            "phx_join": ReplyRule(drop=False, delay=0.5),
        }


async def test_paused_heartbeats_silence_heartbeats_without_ref(
    realtime_server: LocalRealtimeServer,
) -> None:
    """Some clients send heartbeats with ``ref: null``; the half-open fault silences those too.

    While paused, a heartbeat without ref and one with ref "during" get no reply; a join sent
    after them is answered, which proves the server read both; after resuming, the next
    heartbeat is answered again.
    """
    url = f"{realtime_server.url}/websocket?apikey={realtime_server.anon_key}&vsn=1.0.0"

    def push(topic: str, event: str, ref: str | None, payload: object) -> str:
        return json.dumps({"topic": topic, "event": event, "payload": payload, "ref": ref})

    join: dict[str, object] = {"config": {"broadcast": {}, "presence": {}, "postgres_changes": []}}
    async with connect(url) as ws:
        realtime_server.faults.pause_heartbeats()
        await ws.send(push("phoenix", "heartbeat", None, {}))
        await ws.send(push("phoenix", "heartbeat", "during", {}))
        await ws.send(push("realtime:probe", "phx_join", "join", join))
        joined = json.loads(await asyncio.wait_for(ws.recv(), 5))
        realtime_server.faults.resume_heartbeats()
        await ws.send(push("phoenix", "heartbeat", "after", {}))
        answered = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert joined["ref"] == "join"
    assert answered["ref"] == "after"
    assert realtime_server.faults.rules.dropped_replies == 2
