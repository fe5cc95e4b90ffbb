"""``realtime-local`` as a user runs it: settings on stdout, serving, clean exit on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from realtime_typed.local.auth.jwks import SigningKey
from realtime_typed.local.auth.tokens import JwtVerifier, SecretKeySource
from realtime_typed.local.cli import parse_args

NAMES = ("REALTIME_URL", "REALTIME_JWT_SECRET", "REALTIME_ANON_KEY", "REALTIME_SERVICE_KEY")
SECRET = "cli-secret-of-at-least-thirty-two-bytes"


@asynccontextmanager
async def realtime_local(*flags: str) -> AsyncGenerator[dict[str, str]]:
    """Run ``realtime-local --no-db --port 0 FLAGS``; yield its settings; SIGTERM, exit 0."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from realtime_typed.local.cli import main; raise SystemExit(main())",
        "--no-db",
        "--port",
        "0",
        *flags,
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
        yield settings
    finally:
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            code = await process.wait()
    assert code == 0


async def test_realtime_local_without_a_database() -> None:
    async with realtime_local("--jwt-secret", SECRET) as settings:
        assert settings["REALTIME_JWT_SECRET"] == SECRET
        verifier = JwtVerifier(SecretKeySource(settings["REALTIME_JWT_SECRET"]))
        anon = settings["REALTIME_ANON_KEY"]
        assert verifier.verify(anon, 0)["role"] == "anon"
        assert verifier.verify(settings["REALTIME_SERVICE_KEY"], 0)["role"] == "service_role"
        url = f"{settings['REALTIME_URL']}/websocket?apikey={anon}&vsn=2.0.0"
        async with connect(url) as connection:
            await connection.send('[null,"1","phoenix","heartbeat",{}]')
            assert json.loads(await connection.recv())[4] == {"status": "ok", "response": {}}


async def test_jwks_file_and_private_only(tmp_path: Path) -> None:
    key = SigningKey.generate("ES256", kid="cli-key")
    stranger = SigningKey.generate("ES256", kid="other-key")
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [key.public_jwk]}), encoding="utf-8")
    async with realtime_local("--jwks", str(jwks), "--private-only") as settings:
        socket = f"{settings['REALTIME_URL']}/websocket?vsn=2.0.0&apikey="
        with pytest.raises(InvalidStatus) as refused:
            async with connect(socket + stranger.make_token()):
                pass
        assert refused.value.response.status_code == 401
        async with connect(socket + key.make_token()) as connection:
            join = {"config": {"private": False}}
            await connection.send(json.dumps(["1", "1", "realtime:room", "phx_join", join]))
            reply = json.loads(await connection.recv())
    assert reply[4] == {
        "status": "error",
        "response": {"reason": "PrivateOnly: This project only allows private channels"},
    }


def test_a_file_that_is_not_a_jwks_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_jwks = tmp_path / "keys.json"
    not_jwks.write_text('{"kty": "EC"}', encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        parse_args(["--jwks", str(not_jwks)])
    assert exited.value.code == 2
    assert 'is not a JWKS: expected {"keys": [...]}' in capsys.readouterr().err
