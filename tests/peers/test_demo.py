"""The README's demo: run ``examples/chat_demo.py`` as a user would and read what it prints."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

DEMO = Path(__file__).parents[2] / "examples" / "chat_demo.py"
DEMO_SECONDS = 60


async def test_the_demo_chats_and_exits_cleanly() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(DEMO),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), DEMO_SECONDS)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    output = stdout.decode()

    assert process.returncode == 0, f"demo failed:\n{output}\n{stderr.decode()}"
    assert "local Realtime server listening at ws://127.0.0.1:" in output
    assert "bob received from alice: 'hi bob, can you hear me?'" in output
    assert "alice received from bob: 'loud and clear, alice'" in output
    assert "bob sees in room:lobby: alice, bob" in output
    assert output.rstrip().endswith("done: alice and bob said goodbye")
