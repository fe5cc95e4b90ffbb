"""JWT verification for socket connects, channel joins and ``access_token`` refreshes.

The checks follow the real server: the token is URI-decoded and stripped of whitespace; the
header names the algorithm; a :class:`KeySource` turns the header into a verification key (HS*
with the server secret, or a JWKS key by ``kid``: see ``realtime_typed.local.auth.jwks``); the
signature is verified. Header and claims must be JSON the real server's decoder takes (no
``NaN``, ``Infinity``, overflowing numbers or lone surrogates), else the token is malformed.
``exp`` must be a number greater than now (integer seconds) and ``iat``, if present, a number;
``role`` and ``exp`` must both be present. A failure is a :class:`TokenRejected` naming the
problem; each caller words it the way the real server does at that place (HTTP refusal, join
reason, or ``system`` message). Nothing here ever puts a token into a message.
"""

from __future__ import annotations

import enum
import json
import time
import warnings
from collections.abc import Generator, Mapping
from contextlib import contextmanager
from typing import Any, Final, Protocol
from urllib.parse import unquote

import jwt
from jwt import PyJWK
from jwt.types import Options
from jwt.warnings import InsecureKeyLengthWarning

from realtime_typed.local.untrusted_json import json_problem

__all__ = [
    "HMAC_ALGORITHMS",
    "JwtVerifier",
    "KeySource",
    "SecretKeySource",
    "TokenProblem",
    "TokenRejected",
    "make_token",
]

HMAC_ALGORITHMS: Final = frozenset({"HS256", "HS384", "HS512"})

_CLAIMS_REQUIRED: Final = "Fields `role` and `exp` are required in JWT"
_NOT_A_JWT: Final = "The token provided is not a valid JWT"
_BAD_SIGNATURE: Final = "Failed to validate JWT signature"
_NO_SIGNER: Final = "Failed to generate JWT signer, check your JWT secret or JWKS configuration"
_NO_SIGNER_FOR_KID: Final = (
    "Failed to generate JWT signer for key ID (kid) {kid},"
    " check your JWT secret or JWKS configuration"
)


class TokenProblem(enum.Enum):
    """Why a token was refused."""

    MISSING = "missing"
    MALFORMED = "malformed"
    NO_SIGNER = "no_signer"
    BAD_SIGNATURE = "bad_signature"
    EXPIRED = "expired"
    INVALID_CLAIM = "invalid_claim"
    MISSING_CLAIMS = "missing_claims"


class TokenRejected(Exception):
    """A token failed verification. ``expired_for`` is set for :attr:`TokenProblem.EXPIRED`;
    ``kid`` for :attr:`TokenProblem.NO_SIGNER` when the header named a key the JWKS lacks."""

    def __init__(
        self,
        problem: TokenProblem,
        *,
        expired_for: int = 0,
        claim: str = "",
        kid: str | None = None,
    ) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.expired_for = expired_for
        self.claim = claim
        self.kid = kid

    def no_signer_message(self) -> str:
        """The signer error text, naming the key ID (quoted) when there is one."""
        if self.kid is None:
            return _NO_SIGNER
        return _NO_SIGNER_FOR_KID.format(kid=json.dumps(self.kid, ensure_ascii=False))

    def connect_refusal(self) -> tuple[int, str]:
        """The HTTP status and ``error`` text refusing a socket upgrade."""
        match self.problem:
            case TokenProblem.MISSING:
                return 401, "API key is missing"
            case TokenProblem.EXPIRED:
                return 401, "Token has expired"
            case TokenProblem.MISSING_CLAIMS:
                return 401, _CLAIMS_REQUIRED
            case TokenProblem.MALFORMED:
                return 401, _NOT_A_JWT
            case TokenProblem.BAD_SIGNATURE:
                return 401, _BAD_SIGNATURE
            case TokenProblem.NO_SIGNER:
                return 401, self.no_signer_message()
            case TokenProblem.INVALID_CLAIM:
                return 500, "Error connecting to Realtime"

    def join_reason(self) -> str:
        """The ``reason`` of a refused join, ``"<Code>: <message>"``."""
        match self.problem:
            case TokenProblem.EXPIRED:
                return f"InvalidJWTToken: {self.expired_message()}"
            case TokenProblem.MISSING_CLAIMS:
                return f"InvalidJWTToken: {_CLAIMS_REQUIRED}"
            case TokenProblem.MALFORMED | TokenProblem.MISSING:
                return f"MalformedJWT: {_NOT_A_JWT}"
            case TokenProblem.BAD_SIGNATURE:
                return f"JwtSignatureError: {_BAD_SIGNATURE}"
            case TokenProblem.NO_SIGNER:
                return f"JwtSignerError: {self.no_signer_message()}"
            case TokenProblem.INVALID_CLAIM:
                return "Unknown Error on Channel"

    def system_message(self) -> str:
        """The ``message`` of the system error that closes a channel on a bad refresh."""
        match self.problem:
            case TokenProblem.EXPIRED:
                return self.expired_message()
            case TokenProblem.MISSING_CLAIMS:
                return _CLAIMS_REQUIRED
            case TokenProblem.MALFORMED | TokenProblem.MISSING:
                return _NOT_A_JWT
            case TokenProblem.BAD_SIGNATURE:
                return ":signature_error"
            case TokenProblem.NO_SIGNER:
                return ":error_generating_signer" if self.kid is None else self.no_signer_message()
            case TokenProblem.INVALID_CLAIM:
                return f'[message: "Invalid token", claim: "{self.claim}"]'

    def expired_message(self) -> str:
        """``Token has expired N seconds ago``."""
        return f"Token has expired {self.expired_for} seconds ago"


class KeySource(Protocol):
    """Finds the key that verifies a token, from its header. ``None``: no signer.

    A source may raise :class:`TokenRejected` (:attr:`TokenProblem.NO_SIGNER` with ``kid``)
    when the header names a key it does not have.
    """

    def key_for(self, header: Mapping[str, Any]) -> str | bytes | PyJWK | None:
        """The verification key for a token with this header, or ``None``."""
        ...


class SecretKeySource:
    """HS256/384/512 tokens verified with one shared secret."""

    def __init__(self, secret: str) -> None:
        self._secret = secret

    def key_for(self, header: Mapping[str, Any]) -> str | bytes | PyJWK | None:
        """The secret for an HMAC algorithm, else ``None``."""
        return self._secret if header.get("alg") in HMAC_ALGORITHMS else None


class JwtVerifier:
    """Verifies tokens against a :class:`KeySource`; returns the claims or raises."""

    def __init__(self, keys: KeySource) -> None:
        self._keys = keys

    def verify(self, token: object, now: float) -> dict[str, Any]:
        """The claims of ``token`` at time ``now`` (seconds), or :class:`TokenRejected`."""
        if not isinstance(token, str):
            raise TokenRejected(TokenProblem.MISSING)
        token = "".join(unquote(token).split())
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except (jwt.InvalidTokenError, RecursionError) as exc:
            raise TokenRejected(TokenProblem.MALFORMED) from exc
        if json_problem(header) is not None or json_problem(unverified) is not None:
            # NaN, Infinity, 1e400 or a lone surrogate: JSON the real server's decoder refuses.
            raise TokenRejected(TokenProblem.MALFORMED)
        key = self._keys.key_for(header)
        algorithm = header.get("alg")
        if key is None or not isinstance(algorithm, str):
            raise TokenRejected(TokenProblem.NO_SIGNER)
        try:
            with _short_keys_allowed():
                claims: dict[str, Any] = jwt.decode(
                    token, key, algorithms=[algorithm], options=_SIGNATURE_ONLY
                )
        except jwt.InvalidSignatureError as exc:
            raise TokenRejected(TokenProblem.BAD_SIGNATURE) from exc
        except jwt.InvalidTokenError as exc:
            raise TokenRejected(TokenProblem.MALFORMED) from exc
        return _validated(claims, int(now))


_SIGNATURE_ONLY: Final[Options] = {
    "verify_signature": True,
    "verify_exp": False,
    "verify_iat": False,
    "verify_nbf": False,
    "verify_aud": False,
    "verify_iss": False,
    "verify_sub": False,
    "verify_jti": False,
}


def _validated(claims: dict[str, Any], now: int) -> dict[str, Any]:
    if "exp" in claims:
        claims["exp"] = _checked_exp(claims["exp"], now)
    if "iat" in claims:
        iat: object = claims["iat"]
        if not isinstance(iat, int | float) or isinstance(iat, bool):
            raise TokenRejected(TokenProblem.INVALID_CLAIM, claim="iat")
        claims["iat"] = round(iat)
    if "role" not in claims or "exp" not in claims:
        raise TokenRejected(TokenProblem.MISSING_CLAIMS)
    return claims


def _checked_exp(exp: object, now: int) -> int:
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        raise TokenRejected(TokenProblem.INVALID_CLAIM, claim="exp")
    if exp > now:
        return round(exp)
    if isinstance(exp, int):
        raise TokenRejected(TokenProblem.EXPIRED, expired_for=now - exp)
    raise TokenRejected(TokenProblem.INVALID_CLAIM, claim="exp")


def make_token(
    secret: str,
    role: str = "authenticated",
    expires_in: float = 3600,
    *,
    algorithm: str = "HS256",
    now: float | None = None,
    **claims: Any,
) -> str:
    """An HS* JWT with ``role``, ``iat`` and ``exp`` (``now + expires_in``), plus ``claims``."""
    issued = int(time.time() if now is None else now)
    body: dict[str, Any] = {"role": role, "iat": issued, "exp": issued + int(expires_in)}
    body.update(claims)
    with _short_keys_allowed():
        return jwt.encode(body, secret, algorithm=algorithm)


@contextmanager
def _short_keys_allowed() -> Generator[None]:
    """The real server takes any secret length; so does this one, without a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        yield
