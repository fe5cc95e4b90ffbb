"""Reading the inspector's server-sent event feed in tests."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx

Event = tuple[str, dict[str, Any]]


class FeedReader:
    """The events of one open feed, with the raw text read so far."""

    def __init__(self, response: httpx.Response) -> None:
        self._lines = response.aiter_lines()
        self.raw: list[str] = []
        self.snapshot: dict[str, Any] | None = None
        """The latest ``snapshot`` read (each comes with the messages of the same moment)."""

    async def next_event(self) -> Event:
        """The next event: its name and its data."""
        name, data = "", ""
        async for line in self._lines:
            self.raw.append(line)
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                data = line.removeprefix("data: ")
            elif not line and name:
                event: Event = (name, json.loads(data))
                if name == "snapshot":
                    self.snapshot = event[1]
                return event
        raise EOFError("the feed ended")

    async def until(self, found: Callable[[Event], bool]) -> Event:
        """Read events until one satisfies ``found``."""
        while True:
            event = await self.next_event()
            if found(event):
                return event


@asynccontextmanager
async def open_feed(
    base_url: str, *, params: dict[str, str] | None = None
) -> AsyncGenerator[FeedReader]:
    """An open feed of the inspector at ``base_url``."""
    async with (
        httpx.AsyncClient(timeout=30) as http,
        http.stream("GET", f"{base_url}/inspector/feed", params=params) as response,
    ):
        assert response.status_code == 200, response.status_code
        assert response.headers["content-type"] == "text/event-stream"
        yield FeedReader(response)


def has_entry(predicate: Callable[[dict[str, Any]], bool]) -> Callable[[Event], bool]:
    """Whether a ``messages`` event holds an entry satisfying ``predicate``."""

    def found(event: Event) -> bool:
        name, data = event
        return name == "messages" and any(predicate(entry) for entry in data["entries"])

    return found
