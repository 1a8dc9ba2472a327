"""Bearer-token verification and the tenant/role context every query is scoped by.

Tokens carry ``sub``, ``tenant`` (the company), ``role`` (viewer/operator/admin)
and, for MSP staff, ``tenants`` (the companies they may act for). Every service
verifies the token itself.

Two issuers are accepted: the users' identity provider (HS256 with the local
secret in the embedded default, RS256 through the OIDC issuer's JWKS in
production), and ``nephos-internal``: short-lived HS256 tokens signed with the
``internal_secret`` that only the services and the gateway hold. The gateway
uses them to pass on the company and role it decided from its own user
database; a service uses them, with a ``service:<name>`` subject, to call
another service for a tenant.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import jwt
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from jwt import PyJWKClient

from nephos_common.errors import Forbidden, Unauthenticated
from nephos_common.settings import INTERNAL_ISSUER, ServiceSettings

TENANT_HEADER = "X-Nephos-Tenant"
SERVICE_SUBJECT_PREFIX = "service:"


class Role(IntEnum):
    """Ordered so that a higher role includes every right of the lower ones."""

    VIEWER = 1
    OPERATOR = 2
    ADMIN = 3

    @classmethod
    def parse(cls, value: object) -> Role:
        try:
            return cls[str(value).upper()]
        except KeyError:
            raise Unauthenticated("token carries an unknown role", code="invalid_token") from None


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling and for which company this request acts."""

    subject: str
    tenant: str
    role: Role
    tenants: frozenset[str] = field(default_factory=frozenset)
    token: str = field(default="", repr=False)
    internal: bool = False
    """Signed by ``nephos-internal`` (the gateway or a service), not by the identity provider."""

    def require(self, role: Role) -> None:
        if self.role < role:
            raise Forbidden(f"this action needs the {role.name.lower()} role", code="forbidden")

    @property
    def service(self) -> str | None:
        """The calling service's name, when a service (not a user) is calling."""
        if self.internal and self.subject.startswith(SERVICE_SUBJECT_PREFIX):
            return self.subject.removeprefix(SERVICE_SUBJECT_PREFIX)
        return None


class TokenVerifier:
    """HS256 with a local secret, or RS256 through an OIDC issuer's JWKS when configured."""

    def __init__(self, settings: ServiceSettings) -> None:
        self._settings = settings
        self._jwks = PyJWKClient(settings.oidc_jwks_url) if settings.oidc_jwks_url else None

    def verifies_offline(self, token: str) -> bool:
        """Whether checking ``token`` needs no key fetched from the issuer (no I/O)."""
        return self._jwks is None or self.is_internal(token)

    @staticmethod
    def is_internal(token: str) -> bool:
        """Whether ``token`` claims the internal issuer (verified in ``decode``, not here)."""
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            return False
        return unverified.get("iss") == INTERNAL_ISSUER

    def decode(self, token: str) -> dict[str, Any]:
        s = self._settings
        try:
            if self.is_internal(token):
                key: Any = s.internal_secret
                algorithms, audience, issuer = ["HS256"], INTERNAL_ISSUER, INTERNAL_ISSUER
            elif self._jwks is not None:
                key = self._jwks.get_signing_key_from_jwt(token).key
                algorithms, audience, issuer = ["RS256"], s.jwt_audience, s.jwt_issuer
            else:
                key, algorithms = s.jwt_secret, ["HS256"]
                audience, issuer = s.jwt_audience, s.jwt_issuer
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=audience,
                issuer=issuer,
                options={"require": ["exp", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("token has expired", code="token_expired") from None
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"token is not valid: {exc}", code="invalid_token") from None
        return claims

    def principal(self, token: str, acting_tenant: str | None = None) -> Principal:
        claims = self.decode(token)
        home = claims.get("tenant")
        if not isinstance(home, str) or not home:
            raise Unauthenticated("token names no company", code="invalid_token")
        allowed = frozenset(claims.get("tenants") or ()) | {home}
        tenant = acting_tenant or home
        if tenant not in allowed:
            raise Forbidden(f"not allowed to act for company {tenant!r}", code="tenant_forbidden")
        return Principal(
            subject=str(claims["sub"]),
            tenant=tenant,
            role=Role.parse(claims.get("role")),
            tenants=allowed,
            token=token,
            internal=claims.get("iss") == INTERNAL_ISSUER,
        )


def issue_token(
    settings: ServiceSettings,
    *,
    subject: str,
    tenant: str,
    role: Role | str = Role.ADMIN,
    tenants: list[str] | None = None,
    ttl_seconds: int = 12 * 3600,
) -> str:
    """Sign an HS256 token with the local secret (embedded default and tests)."""
    now = int(time.time())
    role_name = role.name.lower() if isinstance(role, Role) else role
    claims: dict[str, Any] = {
        "sub": subject,
        "tenant": tenant,
        "role": role_name,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    if tenants:
        claims["tenants"] = tenants
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


def issue_internal_token(
    settings: ServiceSettings,
    *,
    subject: str,
    tenant: str,
    role: Role,
    tenants: list[str] | None = None,
    ttl_seconds: int = 300,
) -> str:
    """Sign a short-lived ``nephos-internal`` token (gateway to service, service to service).

    A service calling for itself uses ``subject=service_subject(name)``.
    """
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": subject,
        "tenant": tenant,
        "role": role.name.lower(),
        "iss": INTERNAL_ISSUER,
        "aud": INTERNAL_ISSUER,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    if tenants:
        claims["tenants"] = tenants
    return jwt.encode(claims, settings.internal_secret, algorithm="HS256")


def service_subject(service_name: str) -> str:
    return f"{SERVICE_SUBJECT_PREFIX}{service_name}"


def bearer_token(request: Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("a bearer token is required")
    return token.strip()


async def current_principal(request: Request) -> Principal:
    """FastAPI dependency: the verified caller, acting for the header's company if allowed.

    Verified on the event loop: a worker thread's hand-off cost more than the
    signature check. Only a token whose key may have to be fetched from the
    issuer's JWKS goes to a thread, so that fetch never blocks the loop.
    """
    verifier: TokenVerifier = request.app.state.token_verifier
    token, tenant = bearer_token(request), request.headers.get(TENANT_HEADER)
    if verifier.verifies_offline(token):
        return verifier.principal(token, tenant)
    return await run_in_threadpool(verifier.principal, token, tenant)


def requires(role: Role) -> Any:
    """Dependency factory: the caller, refused unless it holds at least ``role``."""

    async def check(principal: Principal = Depends(current_principal)) -> Principal:
        principal.require(role)
        return principal

    return Depends(check)


viewer = requires(Role.VIEWER)
operator = requires(Role.OPERATOR)
admin = requires(Role.ADMIN)


async def _internal_service(principal: Principal = Depends(current_principal)) -> Principal:
    if principal.service is None:
        raise Forbidden("only Nephos services may call this endpoint", code="internal_only")
    return principal


internal_service = Depends(_internal_service)
"""Dependency: the caller is one of our services (``nephos-internal`` token, service subject)."""
