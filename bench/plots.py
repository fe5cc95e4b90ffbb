"""The pictures of ``bench/RESULTS.md``, drawn with matplotlib from the same results as its tables.

- ``throughput.png``: for every throughput job, each implementation's messages per second of
  client CPU and per wall-clock second, side by side;
- ``roundtrip_cdf.png``: the round-trip latency distribution of each implementation;
- ``gen_scaling.png``: realtime-gen's generation time and the type checkers' times against the
  number of tables;
- ``memory.png``: bytes per channel (1,000 channels on one socket) and per presence member.

:func:`write_plots` writes the PNGs that have data and returns their Markdown lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

Result = dict[str, Any]

THROUGHPUT_JOBS: tuple[tuple[str, str], ...] = (
    ("receive", "receive JSON"),
    ("receive_binary", "receive binary"),
    ("send", "send, no ack"),
    ("send_ack", "send with ack, pipelined"),
)
IMPL_LABELS: dict[str, str] = {
    "sink": "firehose byte sink",
    "raw": "raw websockets loop",
    "raw_binary": "raw loop, kind-3 sends",
    "official": "official realtime",
    "realtime_typed": "realtime-typed",
    "realtime_typed_gather": "realtime-typed, gather",
    "realtime_typed_sync": "realtime-typed blocking",
    "realtime_typed_sync_iter": "realtime-typed blocking, iterator",
}
COLOURS: dict[str, str] = {
    "sink": "#bbbbbb",
    "raw": "#4c72b0",
    "raw_binary": "#8172b3",
    "official": "#dd8452",
    "realtime_typed": "#55a868",
    "realtime_typed_gather": "#8fd19e",
    "realtime_typed_sync": "#2e7d4f",
    "realtime_typed_sync_iter": "#a5d6a7",
}
DPI = 110


def _impls(results: dict[str, Result], job: str) -> list[str]:
    order = list(IMPL_LABELS)
    found = [key.split("/", 1)[1] for key in results if key.startswith(job + "/")]
    return sorted((impl for impl in found if impl in IMPL_LABELS), key=order.index)


def throughput(results: dict[str, Result], path: Path) -> bool:
    """Grouped bars per job: msg per client CPU s (solid) and msg/s (hatched)."""
    jobs = [(job, title) for job, title in THROUGHPUT_JOBS if _impls(results, job)]
    if not jobs:
        return False
    figure, axes = plt.subplots(1, len(jobs), figsize=(4.2 * len(jobs), 4.4), squeeze=False)
    for axis, (job, title) in zip(axes[0], jobs, strict=True):
        impls = _impls(results, job)
        width = 0.38
        for index, impl in enumerate(impls):
            result = results[f"{job}/{impl}"]
            colour = COLOURS[impl]
            cpu = result.get("msgs_per_cpu_s", 0) / 1000
            wall = result.get("msgs_per_s", 0) / 1000
            axis.bar(index - width / 2, cpu, width, color=colour, edgecolor="black", linewidth=0.5)
            axis.bar(
                index + width / 2,
                wall,
                width,
                color=colour,
                edgecolor="black",
                linewidth=0.5,
                hatch="//",
                alpha=0.6,
            )
        axis.set_xticks(range(len(impls)))
        axis.set_xticklabels(
            [IMPL_LABELS[impl] for impl in impls], rotation=35, ha="right", fontsize=8
        )
        axis.set_title(title, fontsize=10)
        axis.set_ylabel("thousand messages per second")
        axis.grid(axis="y", alpha=0.3)
    figure.suptitle(
        "Throughput: solid = per client CPU second, hatched = per wall-clock second", fontsize=10
    )
    figure.tight_layout()
    figure.savefig(path, dpi=DPI)
    plt.close(figure)
    return True


def roundtrip_cdf(results: dict[str, Result], path: Path) -> bool:
    """The latency CDF of each round-trip implementation (log-scaled time)."""
    impls = [
        impl for impl in _impls(results, "roundtrip") if results[f"roundtrip/{impl}"].get("cdf_us")
    ]
    if not impls:
        return False
    figure, axis = plt.subplots(figsize=(7.5, 4.4))
    for impl in impls:
        cdf: Sequence[float] = results[f"roundtrip/{impl}"]["cdf_us"]
        fractions = [index / (len(cdf) - 1) for index in range(len(cdf))]
        axis.step(cdf, fractions, where="post", label=IMPL_LABELS[impl], color=COLOURS[impl])
    axis.set_xscale("log")
    axis.set_xlabel("round trip, µs (send to echo and ack received)")
    axis.set_ylabel("fraction of round trips")
    axis.set_title(
        "Round-trip latency distribution (the first repetition's round trips)", fontsize=10
    )
    axis.grid(alpha=0.3, which="both")
    axis.legend(fontsize=8, loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=DPI)
    plt.close(figure)
    return True


def gen_scaling(results: dict[str, Result], path: Path) -> bool:
    """realtime-gen and the type checkers against the number of tables."""
    runs = sorted(
        (result for key, result in results.items() if key == "gen" or key.startswith("gen_scale/")),
        key=lambda result: result.get("tables", 0),
    )
    runs = [run for run in runs if isinstance(run.get("tables"), int)]
    if len(runs) < 2:
        return False
    tables = [run["tables"] for run in runs]
    series = (
        ("generate_s", "generate a module"),
        ("mypy_strict_s", "mypy --strict, module"),
        ("package_generate_s", "generate a package (-o folder)"),
        ("package_mypy_strict_s", "mypy --strict, package"),
        ("package_pyright_strict_s", "pyright strict, package"),
    )
    figure, axis = plt.subplots(figsize=(7.5, 4.4))
    for key, label in series:
        points = [(t, run[key]) for t, run in zip(tables, runs, strict=True) if key in run]
        if points:
            axis.plot(*zip(*points, strict=True), marker="o", label=label)
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("tables")
    axis.set_ylabel("seconds")
    axis.set_title("realtime-gen and type checking against table count", fontsize=10)
    axis.grid(alpha=0.3, which="both")
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=DPI)
    plt.close(figure)
    return True


def memory(results: dict[str, Result], path: Path) -> bool:
    """Bytes per channel and per presence member, official client beside realtime-typed."""
    panels: list[tuple[str, list[tuple[str, float]]]] = []
    channel_bars = [
        (impl, float(results[f"channels/{impl}"]["bytes_per_channel"]))
        for impl in ("official", "realtime_typed")
        if f"channels/{impl}" in results
    ]
    if channel_bars:
        panels.append(("bytes per channel (1,000 on one socket)", channel_bars))
    presence: Result = results.get("presence") or {}
    member_bars = [
        (impl, float(presence[impl]["bytes_per_member"]))
        for impl in ("official", "realtime_typed")
        if "bytes_per_member" in presence.get(impl, {})
    ]
    if member_bars:
        panels.append((f"bytes per presence member ({presence['members']:,})", member_bars))
    if not panels:
        return False
    figure, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 4.0), squeeze=False)
    for axis, (title, bars) in zip(axes[0], panels, strict=True):
        names = [impl for impl, _ in bars]
        axis.bar(
            range(len(bars)),
            [value for _, value in bars],
            color=[COLOURS[impl] for impl in names],
            edgecolor="black",
            linewidth=0.5,
        )
        for index, (_, value) in enumerate(bars):
            axis.annotate(f"{value:,.0f}", (index, value), ha="center", va="bottom", fontsize=8)
        axis.set_xticks(range(len(bars)))
        axis.set_xticklabels([IMPL_LABELS[impl] for impl in names], fontsize=8)
        axis.set_title(title, fontsize=10)
        axis.set_ylabel("bytes (tracemalloc)")
        axis.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=DPI)
    plt.close(figure)
    return True


PLOTS = (
    ("throughput.png", "Throughput side by side", throughput),
    ("roundtrip_cdf.png", "Round-trip latency distribution", roundtrip_cdf),
    ("gen_scaling.png", "realtime-gen and type checking against table count", gen_scaling),
    ("memory.png", "Memory per channel and per presence member", memory),
)


def write_plots(results: dict[str, Result], folder: Path) -> list[str]:
    """Draw every picture that has data into ``folder``; the Markdown that shows them."""
    lines: list[str] = []
    for name, title, draw in PLOTS:
        if draw(results, folder / name):
            lines += [f"### {title}", "", f"![{title}]({name})", ""]
    return lines
