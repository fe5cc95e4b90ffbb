"""The inspector's redaction of JSON values: credential keys whole, JWT-shaped strings anywhere."""

from __future__ import annotations

from realtime_typed.local.inspector.redaction import REDACTED, redacted

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.c2lnbmF0dXJl"


def test_credential_keys_are_replaced_whole_in_any_case() -> None:
    value = {
        "access_token": "sb_publishable_x",
        "User_Token": 3,
        "APIKEY": {"nested": "value"},
        "Authorization": "Basic abc",
        "config": {"private": True, "token": "t"},
    }
    assert redacted(value) == {
        "access_token": REDACTED,
        "User_Token": REDACTED,
        "APIKEY": REDACTED,
        "Authorization": REDACTED,
        "config": {"private": True, "token": REDACTED},
    }


def test_jwt_shaped_strings_are_redacted_in_values_keys_and_lists() -> None:
    value = {"text": f"Bearer {JWT}", JWT: [JWT, 1, None, True], "url": "/x?apikey=secret&a=1"}
    assert redacted(value) == {
        "text": f"Bearer {REDACTED}",
        REDACTED: [REDACTED, 1, None, True],
        "url": f"/x?apikey={REDACTED}&a=1",
    }


def test_other_values_are_kept() -> None:
    value = {"n": 1.5, "list": [{"event": "INSERT"}], "flag": False}
    assert redacted(value) == value
