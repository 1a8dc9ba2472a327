"""Who a user's token says they are: verified, but not yet allowed anywhere.

Production verifies RS256 tokens of an external OIDC issuer through its JWKS
(issuer and audience checked); the embedded default verifies HS256 tokens of
its own issuer. Either way only ``sub`` is trusted: companies and roles come
from the directory. A ``tenant`` claim is read as the preferred company when
the request names none, nothing more. Internal tokens are not users' tokens
and fail the issuer check here.
"""

from __future__ import annotations

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


class UserTokens:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
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
        claims = self._decode(token, await self._key(token))
        preferred = claims.get("tenant")
        return Identity(
            subject=str(claims["sub"]),
            preferred_company=preferred if isinstance(preferred, str) and preferred else None,
        )

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
