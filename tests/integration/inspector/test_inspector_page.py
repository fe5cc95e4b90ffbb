"""The inspector in a real browser: two clients join, track, broadcast and receive Postgres
changes; the page shows each, and its form sends a broadcast a client receives."""

from __future__ import annotations

import asyncio
import re
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from playwright.async_api import Browser, Locator, Page, expect
from psycopg import sql

from realtime_typed import JoinError, RealtimeClient
from realtime_typed.testing import LocalRealtimeServer

pytestmark = pytest.mark.postgres


async def _published_table(dsn: str) -> str:
    name = f"notes_{uuid.uuid4().hex[:8]}"
    table = sql.Identifier("public", name)
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as connection:
        await connection.execute(
            sql.SQL("create table {} (id int primary key, body text)").format(table)
        )
        await connection.execute(
            sql.SQL("alter publication supabase_realtime add table {}").format(table)
        )
    return name


async def _insert(dsn: str, table: str, body: str) -> None:
    statement = sql.SQL("insert into {} values (1, %s)").format(sql.Identifier("public", table))
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as connection:
        await connection.execute(statement, (body,))


async def _open_inspector(browser: Browser, server: LocalRealtimeServer) -> Page:
    page = await browser.new_page(viewport={"width": 1280, "height": 1000})
    await page.goto(server.inspector_url)
    await expect(page.locator("#status")).to_have_attribute("data-state", "live")
    return page


async def test_the_page_shows_sockets_presence_and_messages_and_sends_broadcasts(
    realtime_server_db: LocalRealtimeServer,
    postgres_dsn: str,
    browser: Browser,
    artifacts: Path,
) -> None:
    server = realtime_server_db
    table = await _published_table(postgres_dsn)
    alice_token = server.make_token("authenticated", sub="alice-id")
    page = await _open_inspector(browser, server)
    alice_changes: asyncio.Queue[Any] = asyncio.Queue()
    notices: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async with (
        RealtimeClient(server.url, apikey=server.anon_key, access_token=alice_token) as alice,
        RealtimeClient(server.url, apikey=server.anon_key) as bob,
    ):
        alice_room = alice.channel("room:1", presence_key="alice")
        alice_room.on_postgres_changes("INSERT", alice_changes.put_nowait, table=table)
        alice_room.on_system(notices.put_nowait)
        announcements = alice_room.broadcasts("announce")
        await alice_room.subscribe()
        await alice_room.track({"name": "Alice"})
        bob_room = bob.channel("room:1", presence_key="bob")
        await bob_room.subscribe()
        await bob_room.track({"name": "Bob"})
        await bob_room.send_broadcast("chat", {"text": "hi from bob"})
        async with asyncio.timeout(30):
            notice = await notices.get()
        assert notice["message"] == "Subscribed to PostgreSQL"
        await _insert(postgres_dsn, table, "a note")
        async with asyncio.timeout(30):
            await alice_changes.get()
        with pytest.raises(JoinError):
            await bob.channel("vault", private=True).subscribe()

        # Sockets: the roles of the socket's and the join's tokens, the channel's join config
        # and its Postgres binding.
        sockets = page.locator("#sockets > li")
        await expect(sockets).to_have_count(2)
        await expect(page.locator('#sockets > li[data-role="anon"]')).to_have_count(2)
        await expect(sockets.first).to_contain_text("vsn 2.0.0")
        alice_channel = page.locator('#sockets .channel[data-role="authenticated"]')
        await expect(alice_channel).to_have_attribute("data-topic", "realtime:room:1")
        await expect(alice_channel).to_contain_text("sub alice-id")
        await expect(alice_channel.locator('[data-field="presence-key"]')).to_have_text(
            "presence key alice"
        )
        await expect(alice_channel.locator("[data-binding]")).to_have_text(f"INSERT public.{table}")

        # Presence per topic.
        room = page.locator('#topics > li[data-topic="realtime:room:1"]')
        await expect(room.locator('[data-presence-key="alice"]')).to_contain_text('"Alice"')
        await expect(room.locator('[data-presence-key="bob"]')).to_contain_text('"Bob"')
        await expect(room.locator('[data-field="rate"]')).to_have_text(re.compile(r"msg/s$"))

        # The tail: a broadcast, presence diffs, the Postgres change, system messages, errors.
        tail = page.locator("#tail")

        def rows(kind: str, direction: str, text: str) -> Locator:
            selector = f'.msg[data-kind="{kind}"][data-dir="{direction}"]'
            return tail.locator(selector, has_text=text)

        await expect(rows("broadcast", "in", "hi from bob")).to_contain_text("from #2")
        await expect(rows("broadcast", "out", "hi from bob")).to_contain_text("to #1")
        await expect(rows("presence", "out", "presence_diff")).to_have_count(2)
        await expect(rows("postgres", "out", "a note")).to_contain_text("INSERT")
        await expect(rows("system", "out", "Subscribed to PostgreSQL")).to_have_count(1)
        await expect(rows("error", "out", "realtime:vault")).to_contain_text("Unauthorized")

        # The filter keeps only what matches; pause holds new messages back until resumed.
        await page.fill("#tail-filter", "hi from bob")
        await expect(tail.locator(".msg")).to_have_count(2)  # in from bob, out to alice
        await expect(tail.locator('.msg[data-kind="presence"]')).to_have_count(0)
        await page.fill("#tail-filter", "")
        await page.click("#tail-pause")
        await bob_room.send_broadcast("chat", {"text": "while paused"})
        await expect(page.locator("#tail-note")).to_contain_text("new while paused")
        await expect(tail).not_to_contain_text("while paused")
        await page.click("#tail-pause")
        await expect(rows("broadcast", "out", "while paused")).to_have_count(1)

        # The form sends a broadcast that a client receives.
        await page.fill('#send [name="topic"]', "room:1")
        await page.fill('#send [name="event"]', "announce")
        await page.fill('#send [name="payload"]', '{"text": "from the inspector"}')
        await page.click('#send button[type="submit"]')
        await expect(page.locator("#send-result")).to_have_text("delivered to 2 channels")
        async with asyncio.timeout(10):
            async for message in announcements:
                assert message.payload == {"text": "from the inspector"}
                break

        # No token reaches the page.
        await expect(rows("broadcast", "out", "from the inspector")).to_contain_text("#1, #2")
        html = await page.content()
        for token in (alice_token, server.anon_key, server.service_key):
            assert token not in html

        await page.screenshot(path=str(artifacts / "inspector.png"), full_page=True)
        await page.set_viewport_size({"width": 400, "height": 900})
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        await page.screenshot(path=str(artifacts / "inspector-narrow.png"), full_page=True)
    await expect(page.locator("#sockets > li")).to_have_count(0)
