"""Every sample of README.md and docs/*.md runs as written, against ``realtime-local``.

For each page with samples: a fresh database in the session's throwaway cluster, the
``realtime-local`` command serving it on a free port, and a fresh folder. The page's steps
(see :mod:`.markdown`) run in order in that folder, with the settings ``realtime-local``
printed in the environment, as a reader who exported them would.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from .markdown import Step, excerpt_missing, read_steps

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(600)]

ROOT = Path(__file__).resolve().parents[3]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BIN = Path(sys.executable).parent
SETTINGS = (
    "REALTIME_URL",
    "REALTIME_JWT_SECRET",
    "REALTIME_ANON_KEY",
    "REALTIME_SERVICE_KEY",
    "REALTIME_DB_URL",
)
WAIT = 120.0
"""Seconds one program or command may take."""


@asynccontextmanager
async def realtime_local(db_url: str) -> AsyncGenerator[dict[str, str]]:
    """``realtime-local --db-url URL --port 0``, as a user starts it; yields what it prints."""
    process = await asyncio.create_subprocess_exec(
        str(BIN / "realtime-local"),
        "--db-url",
        db_url,
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        settings: dict[str, str] = {}
        async with asyncio.timeout(WAIT):
            while len(settings) < len(SETTINGS):
                line = (await process.stdout.readline()).decode()
                assert line, "realtime-local exited before printing its settings"
                name, _, value = line.strip().partition("=")
                settings[name] = value
        assert tuple(settings) == SETTINGS
        yield settings
    finally:
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(WAIT):
            await process.wait()


async def run(
    what: str, argv: list[str], folder: Path, env: dict[str, str], expected: str | None = None
) -> None:
    """Run ``argv`` in ``folder``; fail with its output unless it exits 0 and prints
    ``expected`` (when given)."""
    process = await asyncio.create_subprocess_exec(
        *argv,
        cwd=folder,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(WAIT):
        out, err = await process.communicate()
    stdout, stderr = out.decode(), err.decode()
    assert process.returncode == 0, f"{what} exited {process.returncode}:\n{stdout}{stderr}"
    if expected is not None:
        assert stdout == expected, f"{what} printed:\n{stdout}\nthe page shows:\n{expected}"


async def run_step(page: Path, step: Step, folder: Path, env: dict[str, str]) -> None:
    what = f"{page.name} {step.where}"
    if step.kind == "file":
        target = folder / step.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(step.text, encoding="utf-8")
    elif step.kind == "program":
        script = folder / f"sample_{step.line}.py"
        script.write_text(step.text, encoding="utf-8")
        await run(what, [sys.executable, str(script)], folder, env, step.output)
    elif step.kind == "excerpt":
        example = ROOT / step.name
        assert example.is_file(), f"{what}: {step.name} does not exist"
        missing = excerpt_missing(step.text, example.read_text(encoding="utf-8"))
        assert missing is None, f"{what}: {missing!r} is not in {step.name} (in this order)"
        await run(f"{what} ({step.name})", [sys.executable, str(example)], folder, env)
    else:
        for command in step.text.splitlines():
            await run(f"{what}: {command}", ["bash", "-euc", command], folder, env)


@pytest.mark.parametrize(
    "page", [page for page in PAGES if read_steps(page)], ids=lambda page: page.name
)
async def test_page_samples_run_as_written(page: Path, fresh_db_url: str, tmp_path: Path) -> None:
    async with realtime_local(fresh_db_url) as settings:
        env = {
            **os.environ,
            **settings,
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "PYTHONUNBUFFERED": "1",
        }
        for step in read_steps(page):
            await run_step(page, step, tmp_path, env)
