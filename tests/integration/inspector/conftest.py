"""A headless Chromium for the inspector's browser tests: Debian's ``chromium``, driven by
Playwright for Python (no browser download). Skipped when it is missing, unless
``REALTIME_REQUIRE_BROWSER`` is set (CI sets it: then it fails)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Final

import pytest
import pytest_asyncio
from playwright.async_api import Browser, async_playwright

CHROMIUM: Final = Path(os.environ.get("REALTIME_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS: Final = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


@pytest_asyncio.fixture
async def browser() -> AsyncIterator[Browser]:
    """A headless Chromium, closed after the test."""
    if not CHROMIUM.exists():
        if os.environ.get("REALTIME_REQUIRE_BROWSER"):
            raise FileNotFoundError(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS)
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    """Where screenshots go: ``REALTIME_ARTIFACTS_DIR`` when set, else the test's tmp dir."""
    configured = os.environ.get("REALTIME_ARTIFACTS_DIR")
    folder = Path(configured) if configured else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder
