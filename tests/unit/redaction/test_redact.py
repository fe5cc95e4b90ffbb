"""The redaction of the WebSocket library's log lines."""

from __future__ import annotations

import logging

import pytest

from realtime_typed.client.redaction import REDACTED, RedactingLogger, redact

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.c2lnbmF0dXJl"


def test_query_api_key_is_redacted() -> None:
    line = "> GET /socket/websocket?apikey=sb_publishable_abc&vsn=2.0.0 HTTP/1.1"
    assert redact(line) == f"> GET /socket/websocket?apikey={REDACTED}&vsn=2.0.0 HTTP/1.1"


def test_given_secrets_and_jwt_shapes_are_redacted() -> None:
    assert (
        redact(f"token {JWT} and sb_secret_x", ["sb_secret_x"])
        == f"token {REDACTED} and {REDACTED}"
    )
    assert redact("cut eyJhbGciOi") == f"cut {REDACTED}"


def test_sent_frame_previews_lose_their_content(caplog: pytest.LogCaptureFixture) -> None:
    logger = RedactingLogger(logging.getLogger("test.redaction"))
    with caplog.at_level(logging.DEBUG, logger="test.redaction"):
        logger.debug("%s %s", ">", 'TEXT \'["1","1","t","phx_join",{...xyz.sig"}]\' [341 bytes]')
        logger.debug("%s %s", "<", 'TEXT \'[null,null,"t","broadcast",{}]\' [31 bytes]')
    assert caplog.messages == [
        "> TEXT [341 bytes]",
        '< TEXT \'[null,null,"t","broadcast",{}]\' [31 bytes]',
    ]


def test_disabled_levels_cost_nothing(caplog: pytest.LogCaptureFixture) -> None:
    logger = RedactingLogger(logging.getLogger("test.redaction.quiet"))
    with caplog.at_level(logging.WARNING, logger="test.redaction.quiet"):
        logger.debug("%s", JWT)
    assert caplog.messages == []
