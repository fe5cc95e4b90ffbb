"""Presence sync benchmark: realtime-typed's PresenceSync beside the official ``realtime`` client.

Syncs a 10,000-member presence_state once, then applies 10,000 single-member presence_diff
payloads to it (a third joins of new members, a third leaves, a third updates: a join with
``phx_ref_prev`` plus the leave of the old meta). Each implementation has a join, a leave and a
sync listener that do nothing, as a client that shows presence has. Each payload is decoded
from JSON just before it is applied, outside the timed region, as a receive loop hands it over;
the garbage collector stays on, and the two implementations take turns at running first. Prints
one JSON line: the median over the repetitions of the full-sync time (ms) and of the per-diff
median and p99 (µs).

Run: ``python bench/presence_bench.py [--members N] [--repetitions R]``.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import statistics
import sys
import tracemalloc
from collections import deque
from collections.abc import Callable
from importlib.metadata import version
from time import perf_counter_ns
from typing import Any, cast

from realtime._async.presence import AsyncRealtimePresence

from realtime_typed.protocol.presence import PresenceEvent, PresenceSync

Payload = dict[str, Any]
Applier = tuple[Callable[[Payload], object], Callable[[Payload], object]]


def workload(members: int) -> tuple[str, list[str]]:
    """The presence_state and the diffs, as JSON text, so each run decodes its own copies."""
    refs = itertools.count(1)
    users = itertools.count()
    live: dict[str, Payload] = {}
    order: deque[str] = deque()

    def newcomer() -> tuple[str, Payload]:
        user_id = next(users)
        key = f"user-{user_id}"
        live[key] = {"phx_ref": str(next(refs)), "user_id": user_id, "status": "online"}
        order.append(key)
        return key, live[key]

    for _ in range(members):
        newcomer()
    state = json.dumps({key: {"metas": [meta]} for key, meta in live.items()})
    diffs: list[str] = []
    for step in range(members):
        if step % 3 == 0:
            key, meta = newcomer()
            diff: Payload = {"joins": {key: {"metas": [meta]}}, "leaves": {}}
        elif step % 3 == 1:
            key = order.popleft()
            diff = {"joins": {}, "leaves": {key: {"metas": [live.pop(key)]}}}
        else:
            key = order[0]
            order.rotate(-1)
            old = live[key]
            new = {**old, "phx_ref": str(next(refs)), "phx_ref_prev": old["phx_ref"]}
            new["status"] = "away" if old["status"] == "online" else "online"
            live[key] = new
            diff = {"joins": {key: {"metas": [new]}}, "leaves": {key: {"metas": [old]}}}
        diffs.append(json.dumps(diff))
    return state, diffs


def on_change(key: str, current: list[Any], changed: list[Any]) -> None:
    """A join or leave listener that does nothing: the cost measured is the library's."""


def on_sync() -> None:
    """A sync listener that does nothing."""


def realtime_typed_applier() -> Applier:
    """Handlers for presence_state and presence_diff that deliver the events as a channel does."""
    sync = PresenceSync()
    sync.reset("1")

    def deliver(events: list[PresenceEvent]) -> None:
        for _, key, current, changed in events:
            if key is None:
                on_sync()
            else:
                on_change(key, current, changed)

    def on_state(payload: Payload) -> None:
        deliver(sync.apply_state("1", payload))

    def on_diff(payload: Payload) -> None:
        deliver(sync.apply_diff(payload))

    return on_state, on_diff


def official_applier() -> Applier:
    """The official client's presence_state and presence_diff handlers, with the same listeners."""
    presence = AsyncRealtimePresence()
    presence.on_join(on_change)
    presence.on_leave(on_change)
    presence.on_sync(on_sync)
    handlers = (presence._on_state_event, presence._on_diff_event)  # pyright: ignore[reportPrivateUsage]
    return cast("Applier", handlers)


def run_once(make: Callable[[], Applier], state_text: str, diff_texts: list[str]) -> Payload:
    state = json.loads(state_text)
    apply_state, apply_diff = make()
    gc.collect()
    start = perf_counter_ns()
    apply_state(state)
    full_sync_ns = perf_counter_ns() - start
    per_diff: list[int] = []
    for text in diff_texts:
        diff = json.loads(text)
        start = perf_counter_ns()
        apply_diff(diff)
        per_diff.append(perf_counter_ns() - start)
    per_diff.sort()
    return {
        "full_sync_ms": full_sync_ns / 1e6,
        "diff_median_us": statistics.median(per_diff) / 1e3,
        "diff_p99_us": per_diff[int(len(per_diff) * 0.99)] / 1e3,
    }


def bytes_per_member(make: Callable[[], Applier], state_text: str, members: int) -> float:
    """Bytes an implementation keeps (tracemalloc) per member after a full sync of them all.

    The state is parsed inside the measured region, as it arrives from the wire; what the
    implementation does not keep of it is freed before the measure.
    """
    apply_state, _ = make()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        state = json.loads(state_text)
        apply_state(state)
        del state
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    return kept / members


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--repetitions", type=int, default=7)
    args = parser.parse_args(argv)
    state_text, diff_texts = workload(args.members)
    implementations = {"realtime_typed": realtime_typed_applier, "official": official_applier}
    runs: dict[str, list[Payload]] = {name: [] for name in implementations}
    order = list(implementations.items())
    for _ in range(args.repetitions):
        for name, make in order:
            runs[name].append(run_once(make, state_text, diff_texts))
        order.reverse()
    result: Payload = {
        "bench": "presence",
        "members": args.members,
        "diffs": len(diff_texts),
        "repetitions": args.repetitions,
        "official_client": f"realtime {version('realtime')}",
        "python": sys.version.split()[0],
    }
    for name, samples in runs.items():
        result[name] = {
            metric: round(statistics.median(sample[metric] for sample in samples), 3)
            for metric in samples[0]
        }
        result[name]["bytes_per_member"] = round(
            bytes_per_member(implementations[name], state_text, args.members), 1
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
