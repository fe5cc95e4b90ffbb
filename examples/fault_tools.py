"""Every fault of the local server and of the fault proxy, tried on one connected client.

``docs/reliability.md`` lists these calls; here they run in order against a
:class:`~realtime_typed.testing.LocalRealtimeServer` in this process (no database), and after
each group a broadcast round trip shows the client came back. Run it with
``python examples/fault_tools.py``.
"""

from __future__ import annotations

import asyncio

from realtime_typed import JsonValue, RealtimeClient
from realtime_typed.client import Channel
from realtime_typed.testing import LocalRealtimeServer
from realtime_typed.testing.fault_proxy import FaultProxy

WAIT = 30.0


def quickly(attempt: int) -> float:
    """Reconnect and rejoin at once: this is a tour, not a production backoff."""
    return 0.05


async def round_trip(channel: Channel[dict[str, JsonValue]], label: str) -> None:
    """Broadcast to ourselves and wait for it: the connection works (again)."""
    messages = channel.broadcasts("ping")
    async with asyncio.timeout(WAIT):
        while True:
            await channel.send_broadcast("ping", {"after": label})
            try:
                async with asyncio.timeout(1.0):
                    async for _ in messages:
                        print(f"ok after {label}")
                        messages.close()
                        return
            except TimeoutError:
                continue  # sent while the connection was down: send again


async def server_faults(server: LocalRealtimeServer) -> None:
    client = RealtimeClient(
        server.url, apikey=server.anon_key, reconnect_after=quickly, rejoin_after=quickly
    )
    async with client:
        channel = client.channel("room", broadcast_self=True)
        await channel.subscribe()
        await server.faults.drop_all()  # cut every socket, no close frame
        await round_trip(channel, "drop_all")
        await server.faults.close_all(4001, "reason")  # close frames with this code and reason
        await round_trip(channel, "close_all")
        server.faults.pause_heartbeats()
        server.faults.resume_heartbeats()
        server.faults.drop_replies("broadcast")
        server.faults.delay_replies("phx_join", 0.5)
        server.faults.restore_replies()
        await server.faults.send_raw(b"\x09junk", topic="realtime:room")  # or every socket
        await round_trip(channel, "send_raw")
        server.faults.refuse(mode="http", status=503, seconds=2.0)  # mode="tcp": bare close
        server.faults.accept()
        await server.faults.restart()  # same port, secret and database
        await round_trip(channel, "restart")


async def proxy_faults(server: LocalRealtimeServer) -> None:
    async with FaultProxy.for_url(server.url) as proxy:
        client = RealtimeClient(proxy.url_for(server.url), apikey=server.anon_key)
        async with client:
            channel = client.channel("room", broadcast_self=True)
            await channel.subscribe()
            proxy.blackhole()
            proxy.resume()  # TCP stays open, nothing forwarded, then flows
            await round_trip(channel, "blackhole")
            proxy.set_latency(0.2)  # per chunk, order kept
            proxy.set_bandwidth(4096)  # bytes per second, per connection and direction
            await round_trip(channel, "latency and bandwidth")
            proxy.set_latency(0.0)
            proxy.set_bandwidth(None)
            proxy.cut_mid_frame()  # half of the next server chunk, then closed
            await round_trip(channel, "cut_mid_frame")
            await proxy.drop_all()  # reset every proxied connection
            proxy.refuse(True)  # accept, then close at once
            proxy.refuse(False)
            await proxy.wait_until(lambda stats: stats.open == 1)
            await round_trip(channel, "proxy drop_all")


async def main() -> None:
    async with LocalRealtimeServer() as server:
        await server_faults(server)
        await proxy_faults(server)


if __name__ == "__main__":
    asyncio.run(main())
