"""A supabase-py app with live messages: Realtime follows the supabase-py auth session.

One supabase-py client signs the user in; ``RealtimeClient.from_supabase`` takes its URL, its
API key and, from then on, its session's access token. Run it against a Supabase project::

    SUPABASE_URL=https://<project-ref>.supabase.co SUPABASE_ANON_KEY=<anon key> \\
    SUPABASE_EMAIL=you@example.com SUPABASE_PASSWORD=... python supabase_app.py

Signed in, it joins the private channel ``team:blue`` (the project needs ``realtime.messages``
policies that let authenticated users read and write it), sends a message and reads it back,
refreshes the session (the channel gets the new token at once) and signs out, which makes the
server close the private channel. Without ``SUPABASE_EMAIL`` it stays anonymous on a public
channel. Against ``realtime-local`` (no Auth there), ``SUPABASE_URL`` and
``SUPABASE_ANON_KEY`` default to the origin of ``REALTIME_URL`` and ``REALTIME_ANON_KEY``:
the local server answers on the same Realtime path as a project.
"""

from __future__ import annotations

import os
import queue
from urllib.parse import urlsplit

from supabase import Client, create_client

from realtime_typed import SubscribeState
from realtime_typed.sync import RealtimeClient

States = queue.Queue[tuple[SubscribeState, Exception | None]]


def project_settings() -> tuple[str, str]:
    """The project URL and anon key: SUPABASE_*, else those of a realtime-local."""
    url = os.environ.get("SUPABASE_URL")
    if url is None:
        local = urlsplit(os.environ["REALTIME_URL"])
        url = f"{'https' if local.scheme == 'wss' else 'http'}://{local.netloc}"
    key = os.environ.get("SUPABASE_ANON_KEY") or os.environ["REALTIME_ANON_KEY"]
    return url, key


def sign_in(supabase: Client) -> bool:
    """Sign in with SUPABASE_EMAIL and SUPABASE_PASSWORD, when given."""
    email = os.environ.get("SUPABASE_EMAIL")
    if email is None:
        print("anonymous")
        return False
    supabase.auth.sign_in_with_password(
        {"email": email, "password": os.environ["SUPABASE_PASSWORD"]}
    )
    print(f"signed in as {email}")
    return True


def main() -> None:
    url, key = project_settings()
    supabase = create_client(url, key)
    with supabase.auth, RealtimeClient.from_supabase(supabase) as realtime:
        signed_in = sign_in(supabase)
        topic = "team:blue" if signed_in else "lobby"
        channel = realtime.channel(topic, private=signed_in, broadcast_self=True)
        messages = channel.broadcasts("message", timeout=10)
        states: States = queue.Queue()
        channel.subscribe(lambda state, error: states.put((state, error)), timeout=10)
        channel.send_broadcast("message", {"text": "hello"})
        print("received:", next(messages).payload)
        if not signed_in:
            return
        supabase.auth.refresh_session()  # as supabase-py does on its own before expiry
        channel.send_broadcast("message", {"text": "hello again"})
        print("received after a refresh:", next(messages).payload)
        supabase.auth.sign_out()
        while states.get(timeout=10)[0] is not SubscribeState.CLOSED:
            pass
        print("signed out: the server closed", topic)


if __name__ == "__main__":
    main()
