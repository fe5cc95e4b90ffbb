"""``examples/supabase_app.py`` runs as its docstring says: signed in against the local project
(Auth stand-in included), and anonymous against the local Realtime server alone."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from realtime_typed.testing import LocalRealtimeServer

from .conftest import ALICE, WAIT, Project

pytestmark = pytest.mark.postgres

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "supabase_app.py"


async def run_example(settings: dict[str, str]) -> list[str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(EXAMPLE),
        env={**os.environ, "PYTHONUNBUFFERED": "1", **settings},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        output, errors = await asyncio.wait_for(process.communicate(), WAIT)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, errors.decode()
    return output.decode().splitlines()


async def test_signed_in_on_a_private_channel(project: Project) -> None:
    lines = await run_example(
        {
            "SUPABASE_URL": project.url,
            "SUPABASE_ANON_KEY": project.anon_key,
            "SUPABASE_EMAIL": ALICE.email,
            "SUPABASE_PASSWORD": ALICE.password,
        }
    )
    assert lines == [
        f"signed in as {ALICE.email}",
        "received: {'text': 'hello'}",
        "received after a refresh: {'text': 'hello again'}",
        "signed out: the server closed team:blue",
    ]
    assert project.auth.requests["POST /auth/v1/token?refresh_token"] == 1
    assert project.auth.requests["POST /auth/v1/logout"] == 1


async def test_anonymous_against_realtime_local(realtime_server: LocalRealtimeServer) -> None:
    lines = await run_example(
        {"REALTIME_URL": realtime_server.url, "REALTIME_ANON_KEY": realtime_server.anon_key}
    )
    assert lines == ["anonymous", "received: {'text': 'hello'}"]
