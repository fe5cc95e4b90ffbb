"""supabase-py integration: a client's Realtime URL, API key and auth session, duck-typed.

:class:`SupabaseAuthSession` reads from a supabase-py ``Client`` or ``AsyncClient`` (2.x) what
a Realtime client needs, without importing supabase (the :class:`SupabaseClient` protocol
describes the few attributes used):

* the Realtime URL, ``client.realtime_url`` (``ws(s)://<host>/realtime/v1``), and the API key,
  ``client.supabase_key``;
* the access token: the one supabase-py itself sends (``client.options.headers``'s
  ``Authorization``), then the session's from each auth state event
  (``client.auth.on_auth_state_change``): ``SIGNED_IN``, ``TOKEN_REFRESHED``, ``USER_UPDATED``
  and the others carry the session; on ``SIGNED_OUT`` the token falls back to the API key, as
  supabase-py and supabase-js do (or to none when the key is not a JWT, such as an
  ``sb_publishable_`` key).

It is the Realtime client's token provider; when the session changes it hands the new token to
the client on the client's event loop (at once when the event comes on that loop, so a join
right after a sign-in carries the new token), which sends it to every joined channel. Auth
events may come from any thread (supabase-py refreshes sessions from a timer thread). It holds
the client weakly and unsubscribes from the auth events once the client is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import Callable, Mapping
from typing import Protocol

__all__ = [
    "SupabaseAuth",
    "SupabaseAuthSession",
    "SupabaseClient",
    "SupabaseOptions",
    "SupabaseSession",
    "SupabaseSubscription",
]

_BEARER = "bearer "


class SupabaseSession(Protocol):
    """A supabase-py auth ``Session``: only its access token is used."""

    @property
    def access_token(self) -> str:
        """The session's JWT."""
        ...


class SupabaseSubscription(Protocol):
    """What ``on_auth_state_change`` returns."""

    @property
    def unsubscribe(self) -> Callable[[], None]:
        """Stops the callbacks."""
        ...


class SupabaseAuth(Protocol):
    """A supabase-py auth client (``client.auth``), sync or async."""

    def on_auth_state_change(
        self, callback: Callable[[str, SupabaseSession | None], None]
    ) -> SupabaseSubscription:
        """Call ``callback(event, session)`` on every auth event."""
        ...


class SupabaseOptions(Protocol):
    """A supabase-py client's options: the headers it sends."""

    @property
    def headers(self) -> Mapping[str, str]:
        """Headers of every request, ``Authorization`` included."""
        ...


class SupabaseClient(Protocol):
    """A supabase-py ``Client`` or ``AsyncClient``, as far as Realtime needs it."""

    @property
    def supabase_key(self) -> str:
        """The project's API key."""
        ...

    @property
    def realtime_url(self) -> object:
        """The Realtime endpoint, ``ws(s)://<host>/realtime/v1`` (its ``str()``)."""
        ...

    @property
    def auth(self) -> SupabaseAuth:
        """The auth client."""
        ...

    @property
    def options(self) -> SupabaseOptions:
        """The client's options."""
        ...


class TokenFollower(Protocol):
    """What the session needs from the Realtime client it feeds."""

    def set_auth_nowait(self, token: str | None) -> None:
        """Use ``token`` from now on (called on the client's event loop)."""


def _is_jwt(token: str) -> bool:
    return token.count(".") == 2


class SupabaseAuthSession:
    """The token of a supabase-py client's auth session, as a Realtime token provider."""

    def __init__(self, supabase_client: SupabaseClient) -> None:
        self.url: str = str(supabase_client.realtime_url)
        """The Realtime URL of the supabase-py client."""
        self.api_key: str = supabase_client.supabase_key
        """The API key of the supabase-py client."""
        self._signed_out = self.api_key if _is_jwt(self.api_key) else None
        header = supabase_client.options.headers.get("Authorization", "")
        bearer = header[len(_BEARER) :] if header.lower().startswith(_BEARER) else ""
        self._token = bearer if bearer and _is_jwt(bearer) else self._signed_out
        self._loop: asyncio.AbstractEventLoop | None = None
        self._follower: weakref.ref[TokenFollower] | None = None
        self._subscription = supabase_client.auth.on_auth_state_change(self._auth_changed)

    @property
    def token(self) -> str | None:
        """The access token now: the session's, or the API key when signed out."""
        return self._token

    def __call__(self) -> str | None:
        """The token provider, called by the Realtime client on its event loop."""
        self._loop = asyncio.get_running_loop()
        return self._token

    def follow(self, client: TokenFollower) -> None:
        """Tell ``client`` (held weakly) of every new token."""
        self._follower = weakref.ref(client)

    def _auth_changed(self, event: str, session: SupabaseSession | None) -> None:
        token = session.access_token if session is not None else self._signed_out
        self._token = token
        follower = None if self._follower is None else self._follower()
        if follower is None:
            if self._follower is not None:
                self._subscription.unsubscribe()
            return
        loop = self._loop
        if loop is None:
            return  # not connected yet: connect() asks for the token
        if _running_loop() is loop:
            follower.set_auth_nowait(token)
            return
        with contextlib.suppress(RuntimeError):  # a closed loop: connect() asks for the token
            loop.call_soon_threadsafe(follower.set_auth_nowait, token)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
