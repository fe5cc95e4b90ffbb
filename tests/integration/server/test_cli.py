"""``realtime-local`` as a user runs it: settings on stdout, serving, clean exit on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import signal
import sys

from websockets.asyncio.client import connect

from realtime_typed.testing.auth import JwtVerifier, SecretKeySource

NAMES = ("REALTIME_URL", "REALTIME_JWT_SECRET", "REALTIME_ANON_KEY", "REALTIME_SERVICE_KEY")


async def test_realtime_local_without_a_database() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from realtime_typed.testing.cli import main; raise SystemExit(main())",
        "--no-db",
        "--port",
        "0",
        "--jwt-secret",
        "cli-secret-of-at-least-thirty-two-bytes",
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        settings: dict[str, str] = {}
        async with asyncio.timeout(30):
            for _ in NAMES:
                name, _, value = (await process.stdout.readline()).decode().strip().partition("=")
                settings[name] = value
        assert tuple(settings) == NAMES
        assert settings["REALTIME_JWT_SECRET"] == "cli-secret-of-at-least-thirty-two-bytes"
        verifier = JwtVerifier(SecretKeySource(settings["REALTIME_JWT_SECRET"]))
        anon = settings["REALTIME_ANON_KEY"]
        assert verifier.verify(anon, 0)["role"] == "anon"
        assert verifier.verify(settings["REALTIME_SERVICE_KEY"], 0)["role"] == "service_role"
        url = f"{settings['REALTIME_URL']}/websocket?apikey={anon}&vsn=2.0.0"
        async with connect(url) as connection:
            await connection.send('[null,"1","phoenix","heartbeat",{}]')
            assert json.loads(await connection.recv())[4] == {"status": "ok", "response": {}}
    finally:
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            code = await process.wait()
    assert code == 0
