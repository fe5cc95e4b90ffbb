"""``RealtimeClient.from_supabase``: the real supabase-py package, sync and async, against the
local project: sign in, join a private channel, refresh, sign out, and the token follows."""

from __future__ import annotations

import asyncio
import queue

import pytest
from supabase import AsyncClient, Client, create_client
from supabase_auth.types import SignInWithEmailAndPasswordCredentials

from realtime_typed import JoinError, RealtimeClient, SubscribeState
from realtime_typed.client.supabase import SupabaseAuthSession
from realtime_typed.sync import RealtimeClient as BlockingClient

from .conftest import ALICE, WAIT, Project

pytestmark = pytest.mark.postgres

CREDENTIALS: SignInWithEmailAndPasswordCredentials = {
    "email": ALICE.email,
    "password": ALICE.password,
}


async def test_blocking_client_follows_a_sync_supabase_session(
    project: Project, supabase_client: Client
) -> None:
    supabase = supabase_client

    def scenario() -> None:
        with BlockingClient.from_supabase(supabase, timeout=5.0) as realtime:
            with pytest.raises(JoinError) as refused:
                realtime.channel("team:before", private=True).subscribe(timeout=WAIT)
            assert refused.value.code == "Unauthorized"

            signed_in = supabase.auth.sign_in_with_password(CREDENTIALS)
            assert signed_in.session is not None
            team = realtime.channel("team:1", private=True, broadcast_ack=True)
            states: queue.Queue[tuple[SubscribeState, Exception | None]] = queue.Queue()
            team.subscribe(lambda state, error: states.put((state, error)), timeout=WAIT)
            assert states.get(timeout=WAIT) == (SubscribeState.SUBSCRIBED, None)
            team.send_broadcast("hello", {"from": "alice"}, timeout=WAIT)
            assert project.channel_tokens("team:1") == [signed_in.session.access_token]

            refreshed = supabase.auth.refresh_session()
            assert refreshed.session is not None
            assert refreshed.session.access_token != signed_in.session.access_token
            team.send_broadcast("hello", {"after": "refresh"}, timeout=WAIT)
            assert project.channel_tokens("team:1") == [refreshed.session.access_token]

            supabase.auth.sign_out()
            state, error = states.get(timeout=WAIT)
            assert state is SubscribeState.CLOSED, (state, error)
            assert "permissions" in str(error)
            with pytest.raises(JoinError):
                realtime.channel("team:after", private=True).subscribe(timeout=WAIT)
        assert project.auth.requests["POST /auth/v1/token?password"] == 1
        assert project.auth.requests["POST /auth/v1/token?refresh_token"] == 1
        assert project.auth.requests["POST /auth/v1/logout"] == 1

    await asyncio.to_thread(scenario)


async def test_async_client_follows_an_async_supabase_session(
    project: Project, async_supabase_client: AsyncClient
) -> None:
    supabase = async_supabase_client
    async with RealtimeClient.from_supabase(supabase, timeout=5.0) as realtime:
        signed_in = await supabase.auth.sign_in_with_password(CREDENTIALS)
        assert signed_in.session is not None
        team = realtime.channel("team:2", private=True, broadcast_ack=True)
        states: asyncio.Queue[tuple[SubscribeState, Exception | None]] = asyncio.Queue()
        await team.subscribe(lambda state, error: states.put_nowait((state, error)))
        assert states.get_nowait() == (SubscribeState.SUBSCRIBED, None)
        assert project.channel_tokens("team:2") == [signed_in.session.access_token]

        refreshed = await supabase.auth.refresh_session()
        assert refreshed.session is not None
        await team.send_broadcast("hello", {"after": "refresh"})
        assert project.channel_tokens("team:2") == [refreshed.session.access_token]

        await supabase.auth.sign_out()
        state, error = await asyncio.wait_for(states.get(), WAIT)
        assert state is SubscribeState.CLOSED, (state, error)
        assert "permissions" in str(error)
        with pytest.raises(JoinError):
            await realtime.channel("team:after", private=True).subscribe()


async def test_a_session_present_before_the_client_is_used_at_once(
    async_supabase_client: AsyncClient,
) -> None:
    supabase = async_supabase_client
    signed_in = await supabase.auth.sign_in_with_password(CREDENTIALS)
    assert signed_in.session is not None

    def scenario() -> None:
        with BlockingClient.from_supabase(supabase) as realtime:
            realtime.channel("team:3", private=True).subscribe(timeout=WAIT)

    await asyncio.to_thread(scenario)
    await supabase.auth.sign_out()


async def test_a_refresh_on_another_thread_reaches_the_channel(
    project: Project, supabase_client: Client
) -> None:
    supabase = supabase_client

    def scenario() -> None:
        supabase.auth.sign_in_with_password(CREDENTIALS)
        with BlockingClient.from_supabase(supabase) as realtime:
            team = realtime.channel("team:4", private=True, broadcast_ack=True)
            team.subscribe(timeout=WAIT)
            refresher = _Refresher(supabase)
            refresher.start()
            refresher.join(WAIT)
            team.send_broadcast("after", None, timeout=WAIT)
            assert project.channel_tokens("team:4") == [refresher.token]
        supabase.auth.sign_out()

    await asyncio.to_thread(scenario)


class _Refresher:
    """Refreshes the session on a thread of its own, as supabase-py's refresh timer does."""

    def __init__(self, supabase: Client) -> None:
        import threading

        self._supabase = supabase
        self._thread = threading.Thread(target=self._run, name="refresh-timer")
        self.token = ""

    def _run(self) -> None:
        session = self._supabase.auth.refresh_session().session
        assert session is not None
        self.token = session.access_token

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)


def test_url_key_and_token_come_from_the_supabase_client() -> None:
    supabase = create_client("https://abc.supabase.co", "sb_publishable_abc")
    session = SupabaseAuthSession(supabase)
    assert session.url == "wss://abc.supabase.co/realtime/v1"
    assert session.api_key == "sb_publishable_abc"
    assert session.token is None  # an opaque key is no access token
    signed = create_client("http://127.0.0.1:1", ANON_SHAPED_JWT)
    assert SupabaseAuthSession(signed).token == ANON_SHAPED_JWT


ANON_SHAPED_JWT = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.c2lnbmF0dXJl"
