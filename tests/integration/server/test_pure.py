"""The server's time-dependent and parsing logic, with a fake ``now`` (no I/O)."""

from __future__ import annotations

import jwt
import pytest

from realtime_typed.local.auth.tokens import (
    JwtVerifier,
    SecretKeySource,
    TokenProblem,
    TokenRejected,
    make_token,
)
from realtime_typed.local.channels.join_config import binding_id, parse_join_payload
from realtime_typed.local.channels.rate_limit import FixedWindowLimiter
from realtime_typed.local.channels.token_refresh import next_check_delay

SECRET = "a-test-secret-that-is-at-least-32-bytes"
NOW = 1_800_000_000


def _verifier() -> JwtVerifier:
    return JwtVerifier(SecretKeySource(SECRET))


def test_expired_token_says_how_long_ago() -> None:
    token = make_token(SECRET, "anon", 60, now=NOW)
    assert _verifier().verify(token, NOW + 59.9)["role"] == "anon"
    with pytest.raises(TokenRejected) as rejected:
        _verifier().verify(token, NOW + 75.2)
    assert rejected.value.problem is TokenProblem.EXPIRED
    assert rejected.value.system_message() == "Token has expired 15 seconds ago"
    assert rejected.value.join_reason() == "InvalidJWTToken: Token has expired 15 seconds ago"
    assert rejected.value.connect_refusal() == (401, "Token has expired")


@pytest.mark.parametrize("algorithm", ["HS256", "HS384", "HS512"])
def test_every_hmac_algorithm_verifies(algorithm: str) -> None:
    token = make_token(SECRET, "anon", 60, now=NOW, algorithm=algorithm)
    assert _verifier().verify(token, NOW)["exp"] == NOW + 60


def test_decimal_exp_is_rounded_and_whitespace_stripped() -> None:
    token = jwt.encode({"role": "anon", "exp": NOW + 60.4, "iat": NOW + 0.6}, SECRET)
    claims = _verifier().verify(f" {token[:10]}\n{token[10:]} ", NOW)
    assert (claims["exp"], claims["iat"]) == (NOW + 60, NOW + 1)


def test_non_numeric_exp_is_an_invalid_claim() -> None:
    token = jwt.encode({"role": "anon", "exp": "soon"}, SECRET)
    with pytest.raises(TokenRejected) as rejected:
        _verifier().verify(token, NOW)
    assert rejected.value.problem is TokenProblem.INVALID_CLAIM
    assert rejected.value.connect_refusal() == (500, "Error connecting to Realtime")


def test_messages_never_contain_the_token() -> None:
    token = make_token("x" * 40, "anon", 60, now=NOW)
    with pytest.raises(TokenRejected) as rejected:
        _verifier().verify(token, NOW)
    texts = [str(rejected.value), rejected.value.join_reason(), rejected.value.system_message()]
    assert all(token not in text for text in texts)


def test_next_check_is_at_most_the_interval() -> None:
    assert next_check_delay(NOW + 3600, NOW, 300) == 300
    assert next_check_delay(NOW + 42, NOW, 300) == 42
    assert next_check_delay(NOW - 5, NOW, 300) == 0


def test_presence_limiter_counts_a_fixed_window() -> None:
    limiter = FixedWindowLimiter(2, 30)
    assert [limiter.allow(t) for t in (0, 1, 2, 29.9, 30.5, 31)] == [
        True,
        True,
        False,
        False,
        True,
        True,
    ]


def test_join_payload_defaults_and_flexible_booleans() -> None:
    config = parse_join_payload(
        {
            "config": {
                "broadcast": {"self": "True", "ack": "maybe"},
                "presence": {"enabled": "FALSE", "key": 7},
                "postgres_changes": [None, {"event": "*", "schema": "public"}, "bad"],
                "private": "true",
            },
            "access_token": "token-a",
        }
    )
    assert (config.broadcast_self, config.broadcast_ack, config.private) == (True, False, True)
    assert (config.presence_enabled, config.presence_key) == (False, "7")
    assert config.postgres_changes == ({"event": "*", "schema": "public"},)
    assert config.new_api
    assert config.access_token == "token-a"
    assert len(config.problems) == 2
    assert parse_join_payload({}).new_api is False
    assert parse_join_payload({"access_token": "sb_key"}).access_token is None
    assert parse_join_payload("nope").problems


def test_binding_id_is_stable_and_key_order_free() -> None:
    one = {"event": "INSERT", "schema": "public", "table": "todos"}
    other = {"table": "todos", "schema": "public", "event": "INSERT"}
    assert binding_id(one) == binding_id(other)
    assert 0 <= binding_id(one) < 2**32
    assert binding_id(one) != binding_id({**one, "filter": "id=eq.1"})
