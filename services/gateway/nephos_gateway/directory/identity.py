"""Who a user's token says they are: verified, but not yet allowed anywhere.

Production verifies RS256 tokens of an external OIDC issuer through its JWKS
(issuer and audience checked); the embedded default verifies HS256 tokens of
its own issuer. Either way only ``sub`` is trusted: companies and roles come
from the directory. A ``tenant`` claim is read as the preferred company when
the request names none, nothing more. Internal tokens are not users' tokens
and fail the issuer check here.

A verified token is remembered for ``access_cache_seconds`` (never past its
expiry), with the key that verified it: a portal sends the same token with
every request, and an RS256 check costs far more than a lookup. The key is
looked up each time, so a key the issuer withdraws stops admitting its
tokens as soon as the gateway's key set no longer holds it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import jwt

from nephos_common.errors import Unauthenticated
from nephos_gateway.directory.jwks import JwksKeys
from nephos_gateway.settings import Settings


@dataclass(frozen=True, slots=True)
class Identity:
    subject: str
    preferred_company: str | None = None


MAX_REMEMBERED = 10_000
"""Verified tokens remembered at most; past it the memory starts again empty."""


class UserTokens:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._verified: dict[str, tuple[float, Identity, Any]] = {}
        self._jwks = (
            JwksKeys(
                settings.oidc_jwks_url,
                max_age_seconds=settings.jwks_max_age_seconds,
                min_refresh_seconds=settings.jwks_min_refresh_seconds,
                timeout=settings.request_timeout_seconds,
            )
            if settings.oidc_jwks_url
            else None
        )

    async def verify(self, token: str) -> Identity:
        key = await self._key(token)
        remembered = self._verified.get(token)
        if remembered is not None and remembered[0] > time.time() and remembered[2] is key:
            return remembered[1]
        claims = self._decode(token, key)
        preferred = claims.get("tenant")
        identity = Identity(
            subject=str(claims["sub"]),
            preferred_company=preferred if isinstance(preferred, str) and preferred else None,
        )
        self._remember(token, float(claims["exp"]), identity, key)
        return identity

    def _remember(self, token: str, expires: float, identity: Identity, key: Any) -> None:
        until = min(expires, time.time() + self._settings.access_cache_seconds)
        if until <= time.time():
            return
        if len(self._verified) >= MAX_REMEMBERED:
            self._verified.clear()
        self._verified[token] = (until, identity, key)

    async def _key(self, token: str) -> Any:
        if self._jwks is None:
            return self._settings.jwt_secret
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"token is not valid: {exc}", code="invalid_token") from None
        if not isinstance(kid, str) or not kid:
            raise Unauthenticated("token names no signing key (kid)", code="invalid_token")
        return await self._jwks.key(kid)

    def _decode(self, token: str, key: Any) -> dict[str, Any]:
        s = self._settings
        algorithm = "HS256" if self._jwks is None else "RS256"
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=s.jwt_audience,
                issuer=s.jwt_issuer,
                options={"require": ["exp", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("token has expired", code="token_expired") from None
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"token is not valid: {exc}", code="invalid_token") from None
        return claims
