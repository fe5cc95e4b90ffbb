"""Soak: a long run of steady traffic under periodic faults, with a verdict.

``python -m bench.soak [--seconds 600] [--fault-every S] [--no-db] [--json-out PATH]``
(``nox -s soak``) starts a local server (and a throwaway PostgreSQL) in a child process,
``bench/server_process.py``, so that this process holds only the clients, then for the whole
run:

* a sender broadcasts a sequence number with ack to a channel it also receives (self), a few
  pushes in flight at a time, and a second client receives the same channel;
* a churn client tracks and untracks its presence, watched by the second client;
* a writer inserts rows that the second client receives as Postgres changes;
* every ``--fault-every`` seconds the server suffers the next fault of the cycle: restart,
  every socket cut, half-open (heartbeats unanswered until every client notices), close 1011.

A broadcast the server acknowledged was fanned out before its ack on the sender's own socket,
so the sender must have received it: an acknowledged message missing there is lost. Any message
received twice by anyone is a duplicate. The report (JSON, and a short table) also gives
reconnect counts, deliveries to the second client, and the clients' memory (tracemalloc and the
RSS of this process, which runs no server) of the first against the last minute (the first and
last fifth for runs under five minutes). The bookkeeping does not grow with the traffic: the
sequence numbers seen are kept as ranges (:class:`~bench.number_ranges.NumberRanges`), and only
the memory samples of the first and the last window are kept. The exit status is 1 when
acknowledged messages were lost or any broadcast was duplicated, else 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
import time
import tracemalloc
import uuid
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from pydantic import JsonValue

from bench.harness import ServerProcess
from bench.number_ranges import NumberRanges
from realtime_typed import (
    BroadcastMessage,
    InsertChange,
    RealtimeClient,
    RealtimeError,
    SubscribeState,
)
from realtime_typed.protocol.events import HeartbeatStatus

__all__ = ["main", "run"]

_log = logging.getLogger("bench.soak")

HEARTBEAT_INTERVAL = 1.0
BROADCAST_PERIOD = 0.02
IN_FLIGHT = 20
CHURN_PERIOD = 0.25
WRITE_PERIOD = 0.1
SAMPLE_PERIOD = 2.0
TOPIC = "soak"
PRESENCE_TOPIC = "soak-presence"
CLIENT_FILES = ("*/realtime_typed/client/*", "*/realtime_typed/protocol/*")


def _retry_soon(tries: int) -> float:
    return min(0.1 * tries, 1.0)


# ---------------------------------------------------------------------- bookkeeping


@dataclass
class Received:
    """The distinct sequence numbers received, and how many arrived again."""

    numbers: NumberRanges = field(default_factory=NumberRanges)
    duplicates: int = 0

    def add(self, number: int) -> None:
        """Count one arrival of ``number``."""
        if not self.numbers.add(number):
            self.duplicates += 1


@dataclass
class Tallies:
    """What was sent, acknowledged and received, and how the connections fared."""

    sent: int = 0
    acked: NumberRanges = field(default_factory=NumberRanges)
    failed: Counter[str] = field(default_factory=Counter[str])
    self_received: Received = field(default_factory=Received)
    peer_received: Received = field(default_factory=Received)
    peer_subscribed_acked: NumberRanges = field(default_factory=NumberRanges)
    peer_progress: asyncio.Event = field(default_factory=asyncio.Event)
    rows_written: int = 0
    rows_received: Received = field(default_factory=Received)
    presence_changes: int = 0
    rejoins: Counter[str] = field(default_factory=Counter[str])
    heartbeat_timeouts: Counter[str] = field(default_factory=Counter[str])
    errors: Counter[str] = field(default_factory=Counter[str])
    faults: Counter[str] = field(default_factory=Counter[str])


@dataclass
class MemorySample:
    """Memory at one moment of the run."""

    at: float
    rss: int
    traced: int
    traced_client: int


def _rss_bytes() -> int:
    """The resident set size of this process (Linux ``/proc``; 0 elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


class MemoryWatch:
    """Memory samples of the first and the last window, and the client's allocations at the end
    of the first window.

    ``window`` is the length of the "first" and "last" stretches compared (a minute, or a fifth
    of a run under five minutes). Samples between the two are counted, not kept.
    """

    def __init__(self, seconds: float) -> None:
        self.window = 60.0 if seconds >= 300 else seconds / 5
        self.first: list[MemorySample] = []
        self.recent: deque[MemorySample] = deque(maxlen=int(self.window / SAMPLE_PERIOD) + 2)
        self.taken = 0
        self.started = time.monotonic()
        self._baseline: tracemalloc.Snapshot | None = None
        self._latest: tracemalloc.Snapshot | None = None

    def sample(self) -> None:
        """Record RSS and traced memory now (all of it, and the client's own)."""
        snapshot = tracemalloc.take_snapshot()
        client = snapshot.filter_traces(
            [tracemalloc.Filter(True, pattern) for pattern in CLIENT_FILES]
        )
        at = time.monotonic() - self.started
        sample = MemorySample(
            at=at,
            rss=_rss_bytes(),
            traced=sum(stat.size for stat in snapshot.statistics("filename")),
            traced_client=sum(stat.size for stat in client.statistics("filename")),
        )
        self.taken += 1
        if at <= self.window:
            self.first.append(sample)
        self.recent.append(sample)
        if at <= self.window or self._baseline is None:
            self._baseline = client
        self._latest = client

    def growth(self, attribute: str) -> dict[str, Any]:
        """Mean of ``attribute`` over the first and the last window, and the relative change."""
        end = self.recent[-1].at if self.recent else 0.0
        first = [getattr(s, attribute) for s in self.first]
        last = [getattr(s, attribute) for s in self.recent if s.at >= end - self.window]
        first_mean = sum(first) / len(first) if first else 0.0
        last_mean = sum(last) / len(last) if last else 0.0
        ratio = (last_mean - first_mean) / first_mean if first_mean else 0.0
        return {"first": round(first_mean), "last": round(last_mean), "growth": round(ratio, 4)}

    def top_client_growth(self, count: int = 5) -> list[str]:
        """The client source lines whose allocations grew most since the first window."""
        if self._baseline is None or self._latest is None:
            return []
        stats = self._latest.compare_to(self._baseline, "lineno")
        return [str(stat) for stat in stats[:count]]


# ---------------------------------------------------------------------- clients


class Watched:
    """A client with its state, heartbeat and error callbacks wired to the tallies."""

    def __init__(self, name: str, server: ServerProcess, tallies: Tallies) -> None:
        self.name = name
        self.tallies = tallies
        self.timed_out = asyncio.Event()
        self.subscribed = 0
        self.client = RealtimeClient(
            server.url,
            apikey=server.anon_key,
            heartbeat_interval=HEARTBEAT_INTERVAL,
            reconnect_after=_retry_soon,
            rejoin_after=_retry_soon,
        )
        self.client.on_heartbeat(self._heartbeat)
        self.client.on_error(self._error)

    def _heartbeat(self, status: HeartbeatStatus, latency: float | None) -> None:
        if status == "timeout":
            self.tallies.heartbeat_timeouts[self.name] += 1
            self.timed_out.set()

    def _error(self, error: Exception) -> None:
        self.tallies.errors[type(error).__name__] += 1

    def on_state(self, topic: str) -> Callable[[SubscribeState, Exception | None], None]:
        def changed(state: SubscribeState, error: Exception | None) -> None:
            if state is SubscribeState.SUBSCRIBED:
                self.subscribed += 1
                if self.subscribed > 1:
                    self.tallies.rejoins[f"{self.name}:{topic}"] += 1

        return changed


def _sequence(message: BroadcastMessage[JsonValue]) -> int:
    payload = message.payload
    if not isinstance(payload, dict) or not isinstance(payload.get("n"), int):
        raise ValueError("not a soak broadcast")
    number = payload["n"]
    assert isinstance(number, int)
    return number


async def _sender(sender: Watched, peer: Watched, tallies: Tallies, until: float) -> None:
    """Broadcast 0, 1, 2... with ack, at most :data:`IN_FLIGHT` unanswered at a time."""
    channel = sender.client.channel(TOPIC)
    slots = asyncio.Semaphore(IN_FLIGHT)
    pending: set[asyncio.Task[None]] = set()

    async def send(number: int) -> None:
        peer_generation = peer.subscribed
        try:
            await channel.send_broadcast("seq", {"n": number})
        except RealtimeError as exc:
            tallies.failed[type(exc).__name__] += 1
        else:
            tallies.acked.add(number)
            if peer.subscribed == peer_generation and peer.client.is_connected:
                tallies.peer_subscribed_acked.add(number)
        finally:
            slots.release()

    number = 0
    while time.monotonic() < until:
        await slots.acquire()
        task = asyncio.get_running_loop().create_task(send(number))
        pending.add(task)
        task.add_done_callback(pending.discard)
        tallies.sent += 1
        number += 1
        await asyncio.sleep(BROADCAST_PERIOD)
    await asyncio.gather(*pending)


async def _churn(churner: Watched, tallies: Tallies, until: float) -> None:
    """Track, then untrack, then track again... on the presence channel."""
    channel = churner.client.channel(PRESENCE_TOPIC, presence_key="churner")
    await channel.subscribe(churner.on_state(PRESENCE_TOPIC))
    step = 0
    while time.monotonic() < until:
        with contextlib.suppress(RealtimeError):
            if step % 2 == 0:
                await channel.track({"step": step})
            else:
                await channel.untrack()
        step += 1
        await asyncio.sleep(CHURN_PERIOD)


async def _writer(dsn: str, table: str, tallies: Tallies, until: float) -> None:
    """Insert one row per :data:`WRITE_PERIOD` (a fresh connection survives any restart)."""
    import psycopg
    from psycopg import sql

    statement = sql.SQL("insert into {} (n) values (%s)").format(sql.Identifier(table))
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as connection:
        while time.monotonic() < until:
            await connection.execute(statement, (tallies.rows_written,))
            tallies.rows_written += 1
            await asyncio.sleep(WRITE_PERIOD)


async def _make_table(dsn: str) -> str:
    import psycopg
    from psycopg import sql

    table = f"soak_{uuid.uuid4().hex[:8]}"
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as connection:
        name = sql.Identifier(table)
        await connection.execute(
            sql.SQL("create table {} (id serial primary key, n int not null)").format(name)
        )
        await connection.execute(
            sql.SQL("alter publication supabase_realtime add table {}").format(name)
        )
    return table


# ---------------------------------------------------------------------- faults


async def _half_open(server: ServerProcess, clients: list[Watched]) -> None:
    """Leave heartbeats unanswered until every client has noticed (or 5 intervals)."""
    for watched in clients:
        watched.timed_out.clear()
    await server.call(cmd="fault", action="pause_heartbeats")
    try:
        waits = [watched.timed_out.wait() for watched in clients]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*waits), 5 * HEARTBEAT_INTERVAL)
    finally:
        await server.call(cmd="fault", action="resume_heartbeats")


async def _faults(
    server: ServerProcess,
    clients: list[Watched],
    tallies: Tallies,
    every: float,
    until: float,
) -> None:
    cycle: list[tuple[str, Callable[[], Awaitable[object]]]] = [
        ("restart", lambda: server.call(cmd="fault", action="restart")),
        ("drop", lambda: server.call(cmd="fault", action="drop_all")),
        ("half-open", lambda: _half_open(server, clients)),
        (
            "close-1011",
            lambda: server.call(cmd="fault", action="close_all", code=1011, reason="soak fault"),
        ),
    ]
    turn = 0
    while time.monotonic() + every < until:
        await asyncio.sleep(every)
        name, fault = cycle[turn % len(cycle)]
        _log.info("fault: %s", name)
        await fault()
        tallies.faults[name] += 1
        turn += 1


async def _sampler(memory: MemoryWatch, until: float) -> None:
    while time.monotonic() < until:
        memory.sample()
        await asyncio.sleep(SAMPLE_PERIOD)


# ---------------------------------------------------------------------- run


async def run(seconds: float, fault_every: float, no_db: bool) -> dict[str, Any]:
    """Run the soak and return its report."""
    tallies = Tallies()
    tracemalloc.start()
    async with ServerProcess(*(() if no_db else ("--db",))) as server:
        dsn = server.db_url
        table = await _make_table(dsn) if dsn is not None else None
        sender = Watched("sender", server, tallies)
        peer = Watched("peer", server, tallies)
        churner = Watched("churner", server, tallies)
        clients = [sender, peer, churner]
        for watched in clients:
            await watched.client.connect()

        own = sender.client.channel(TOPIC, broadcast_self=True, broadcast_ack=True)
        own.on_broadcast("seq", lambda message: tallies.self_received.add(_sequence(message)))
        await own.subscribe(sender.on_state(TOPIC))

        watching = peer.client.channel(TOPIC)

        def peer_got(message: BroadcastMessage[JsonValue]) -> None:
            tallies.peer_received.add(_sequence(message))
            tallies.peer_progress.set()

        watching.on_broadcast("seq", peer_got)
        presence = peer.client.channel(PRESENCE_TOPIC)

        def presence_changed(key: str, current: list[Any], changed: list[Any]) -> None:
            tallies.presence_changes += 1

        presence.on_presence_join(presence_changed)
        presence.on_presence_leave(presence_changed)
        if table is not None:

            def row(change: InsertChange[dict[str, JsonValue]]) -> None:
                number = change.record["n"]
                assert isinstance(number, int)
                tallies.rows_received.add(number)

            watching.on_postgres_changes("INSERT", row, table=table)
        await watching.subscribe(peer.on_state(TOPIC))
        await presence.subscribe(peer.on_state(PRESENCE_TOPIC))

        memory = MemoryWatch(seconds)
        until = memory.started + seconds
        work = [
            _sender(sender, peer, tallies, until),
            _churn(churner, tallies, until),
            _faults(server, clients, tallies, fault_every, until),
            _sampler(memory, until),
        ]
        if dsn is not None and table is not None:
            work.append(_writer(dsn, table, tallies, until))
        await asyncio.gather(*work)
        await _settle(tallies)
        memory.sample()
        for watched in clients:
            await watched.client.close()
    tracemalloc.stop()
    return _report(tallies, memory, seconds)


async def _settle(tallies: Tallies) -> None:
    """Let the last acknowledged broadcasts reach the peer (for at most five seconds)."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(5.0):
            while tallies.peer_subscribed_acked.missing_from(tallies.peer_received.numbers):
                tallies.peer_progress.clear()
                await tallies.peer_progress.wait()


def _report(tallies: Tallies, memory: MemoryWatch, seconds: float) -> dict[str, Any]:
    own, peer, rows = tallies.self_received, tallies.peer_received, tallies.rows_received
    lost = tallies.acked.missing_from(own.numbers)
    peer_missing = tallies.peer_subscribed_acked.missing_from(peer.numbers)
    ok = not lost and not own.duplicates and not peer.duplicates
    return {
        "verdict": "pass" if ok else "fail",
        "seconds": seconds,
        "broadcast": {
            "sent": tallies.sent,
            "acknowledged": len(tallies.acked),
            "failed": dict(tallies.failed),
            "acknowledged_lost": lost,
            "lost_examples": tallies.acked.first_missing_from(own.numbers, 10),
            "duplicates": own.duplicates,
            "peer_received": len(peer.numbers),
            "peer_duplicates": peer.duplicates,
            "peer_missing_while_subscribed": peer_missing,
        },
        "postgres": {
            "rows_written": tallies.rows_written,
            "rows_received": len(rows.numbers),
            "duplicates": rows.duplicates,
        },
        "presence_changes_seen": tallies.presence_changes,
        "faults": dict(tallies.faults),
        "rejoins": dict(tallies.rejoins),
        "heartbeat_timeouts": dict(tallies.heartbeat_timeouts),
        "errors_reported": dict(tallies.errors),
        "memory": {
            "window_seconds": memory.window,
            "rss_bytes": memory.growth("rss"),
            "tracemalloc_bytes": memory.growth("traced"),
            "tracemalloc_client_bytes": memory.growth("traced_client"),
            "client_top_growth": memory.top_client_growth(),
            "samples": memory.taken,
        },
        "bookkeeping_ranges": {
            "acknowledged": tallies.acked.range_count,
            "self_received": own.numbers.range_count,
            "peer_received": peer.numbers.range_count,
            "peer_subscribed_acked": tallies.peer_subscribed_acked.range_count,
            "rows_received": rows.numbers.range_count,
        },
    }


def table(report: dict[str, Any]) -> str:
    """The report's key figures as a short text table."""
    b, pg, mem = report["broadcast"], report["postgres"], report["memory"]
    rows = [
        ("verdict", report["verdict"]),
        ("duration (s)", report["seconds"]),
        ("broadcasts sent / acked", f"{b['sent']} / {b['acknowledged']}"),
        ("acked lost / duplicated", f"{b['acknowledged_lost']} / {b['duplicates']}"),
        ("failed pushes", b["failed"] or "none"),
        ("peer received / duplicated", f"{b['peer_received']} / {b['peer_duplicates']}"),
        ("peer missing while subscribed", b["peer_missing_while_subscribed"]),
        (
            "rows written / received / dup",
            f"{pg['rows_written']} / {pg['rows_received']} / {pg['duplicates']}",
        ),
        ("presence changes seen", report["presence_changes_seen"]),
        ("faults", report["faults"]),
        ("rejoins", sum(report["rejoins"].values())),
        ("heartbeat timeouts", sum(report["heartbeat_timeouts"].values())),
    ]
    for name in ("rss_bytes", "tracemalloc_bytes", "tracemalloc_client_bytes"):
        m = mem[name]
        rows.append((f"{name} first→last", f"{m['first']} → {m['last']} ({m['growth']:+.1%})"))
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The soak's command line."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak",
        description="A long run of steady traffic under periodic faults, with a verdict.",
    )
    parser.add_argument("--seconds", type=float, default=600.0, help="run time (default 600)")
    parser.add_argument(
        "--fault-every", type=float, help="seconds between faults (default: min(15, seconds / 5))"
    )
    parser.add_argument("--no-db", action="store_true", help="no PostgreSQL, no Postgres writes")
    parser.add_argument("--json-out", type=Path, help="also write the JSON report here")
    return parser.parse_args(argv)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Run the soak; print the table and the JSON report; 1 when the verdict is fail.

    SIGTERM stops it like Ctrl-C: the server and the throwaway database are shut down.
    """
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    fault_every = args.fault_every if args.fault_every is not None else min(15.0, args.seconds / 5)
    try:
        report = asyncio.run(run(args.seconds, fault_every, args.no_db))
    except KeyboardInterrupt:
        sys.stderr.write("soak interrupted: no report\n")
        return 130
    text = json.dumps(report, indent=2, sort_keys=True)
    if args.json_out is not None:
        args.json_out.write_text(text + "\n")
    sys.stdout.write(table(report) + "\n" + text + "\n")
    return 0 if report["verdict"] == "pass" else 1


if __name__ == "__main__":
    sys.exit(main())
