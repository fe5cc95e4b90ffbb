"""Verification keys from a JWKS, as the real server picks them, and signing keys for tests.

:class:`JwksKeySource` is the server's :class:`~realtime_typed.local.auth.tokens.KeySource`:

* HS256/384/512 use the project secret, unless the token has a ``kid`` and the JWKS holds an
  ``oct`` key with that ``kid`` (then that key, base64url-decoded, wins);
* RS*, ES* and EdDSA (also spelled Ed25519/Ed448) need a ``kid`` naming a JWKS key of the
  matching type (``RSA``, ``EC``, ``OKP`` with an Ed curve); a ``kid`` the JWKS lacks is refused
  naming that ``kid``; anything else has no signer.

:class:`SigningKey` makes asymmetric keys and tokens for tests::

    key = SigningKey.generate("ES256", kid="key-1")
    server = LocalRealtimeServer(jwks={"keys": [key.public_jwk]})
    token = key.make_token(role="authenticated")
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt import PyJWK
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from realtime_typed.local.auth.tokens import HMAC_ALGORITHMS, TokenProblem, TokenRejected

__all__ = ["JwksKeySource", "SigningKey"]

_KEY_TYPES: Final = {
    **dict.fromkeys(("RS256", "RS384", "RS512"), "RSA"),
    **dict.fromkeys(("ES256", "ES384", "ES512"), "EC"),
    **dict.fromkeys(("EdDSA", "Ed25519", "Ed448"), "OKP"),
}
_ED_CURVES: Final = frozenset({"Ed25519", "Ed448"})


class JwksKeySource:
    """The project secret plus an optional JWKS (``{"keys": [...]}``)."""

    def __init__(self, secret: str, jwks: Mapping[str, Any] | None = None) -> None:
        self._secret = secret
        keys: object = jwks.get("keys") if jwks is not None else None
        self._keys: list[Mapping[str, Any]] | None = (
            [key for key in keys if isinstance(key, Mapping)]  # pyright: ignore[reportUnknownVariableType]
            if isinstance(keys, list)
            else None
        )

    def key_for(self, header: Mapping[str, Any]) -> str | bytes | PyJWK | None:
        """The key for this header; raises :class:`TokenRejected` for an unknown ``kid``."""
        algorithm = header.get("alg")
        kid = header.get("kid")
        if algorithm in HMAC_ALGORITHMS:
            if isinstance(kid, str) and self._keys is not None:
                return self._oct_key(kid)
            return self._secret
        key_type = _KEY_TYPES.get(algorithm) if isinstance(algorithm, str) else None
        if key_type is None or not isinstance(kid, str) or self._keys is None:
            return None
        assert isinstance(algorithm, str)
        for jwk in self._keys:
            if jwk.get("kty") == key_type and jwk.get("kid") == kid:
                if key_type == "OKP" and jwk.get("crv") not in _ED_CURVES:
                    break
                try:
                    return PyJWK(dict(jwk), algorithm="EdDSA" if key_type == "OKP" else algorithm)
                except jwt.PyJWTError:
                    break
        raise TokenRejected(TokenProblem.NO_SIGNER, kid=kid)

    def _oct_key(self, kid: str) -> str | bytes:
        assert self._keys is not None
        for jwk in self._keys:
            secret = jwk.get("k")
            if jwk.get("kty") == "oct" and jwk.get("kid") == kid and isinstance(secret, str):
                try:
                    return base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))
                except (binascii.Error, ValueError) as exc:
                    raise TokenRejected(TokenProblem.NO_SIGNER, kid=kid) from exc
        return self._secret


@dataclass(frozen=True)
class SigningKey:
    """An asymmetric key pair with its ``kid``, for signing test tokens."""

    algorithm: Literal["RS256", "ES256"]
    kid: str
    private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

    @classmethod
    def generate(cls, algorithm: Literal["RS256", "ES256"], kid: str) -> SigningKey:
        """A fresh key pair (RSA 2048 or P-256)."""
        if algorithm == "RS256":
            private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = rsa.generate_private_key(
                public_exponent=65537, key_size=2048
            )
        else:
            private = ec.generate_private_key(ec.SECP256R1())
        return cls(algorithm, kid, private)

    @property
    def public_jwk(self) -> dict[str, Any]:
        """The public half as a JWK with ``kid``, ``alg`` and ``use``."""
        public = self.private_key.public_key()
        if isinstance(public, rsa.RSAPublicKey):
            text = RSAAlgorithm.to_jwk(public)
        else:
            text = ECAlgorithm.to_jwk(public)
        jwk: dict[str, Any] = json.loads(text)
        jwk.update(kid=self.kid, alg=self.algorithm, use="sig")
        return jwk

    def make_token(
        self,
        role: str = "authenticated",
        expires_in: float = 3600,
        *,
        now: float | None = None,
        **claims: Any,
    ) -> str:
        """A JWT signed with this key (header ``kid`` set) with ``role``, ``iat`` and ``exp``."""
        issued = int(time.time() if now is None else now)
        body: dict[str, Any] = {"role": role, "iat": issued, "exp": issued + int(expires_in)}
        body.update(claims)
        return jwt.encode(
            body, self.private_key, algorithm=self.algorithm, headers={"kid": self.kid}
        )
