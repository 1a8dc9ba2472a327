"""Settings shared by every service; each service subclasses with its own env prefix.

The embedded default (one machine, no setup) may run with a generated local
secret; anywhere else a default or missing secret stops the service at start.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from nephos_common.errors import InvalidInput

DEV_JWT_SECRET = "nephos-embedded-dev-secret-change-me"
DEV_SECRET_KEY = "bmVwaG9zLWVtYmVkZGVkLWRldi1rZXktMzItYnl0ZXM="
DEV_INTERNAL_SECRET = "nephos-embedded-internal-secret-change-me"
INTERNAL_ISSUER = "nephos-internal"


class Environment(StrEnum):
    EMBEDDED = "embedded"
    TEST = "test"
    PRODUCTION = "production"


class ServiceSettings(BaseSettings):
    """Base for each service's settings (``NEPHOS_<SERVICE>_`` env prefix)."""

    model_config = SettingsConfigDict(env_prefix="NEPHOS_", extra="ignore")

    environment: Environment = Environment.EMBEDDED
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/nephos"
    database_pool_size: int = 10
    """Connections kept per pool; a service has two (writes, and GET reads), each of
    which may open as many again under a burst."""
    nats_url: str = "nats://127.0.0.1:4222"
    nats_namespace: str = Field(
        default="",
        pattern=r"^[a-z0-9_]*$",
        description="Prefix of this deployment's streams and subjects on a shared NATS.",
    )
    jwt_secret: str = DEV_JWT_SECRET
    jwt_issuer: str = "nephos-embedded"
    jwt_audience: str = "nephos"
    oidc_jwks_url: str | None = None
    internal_secret: str = Field(
        default=DEV_INTERNAL_SECRET,
        description=(
            "Signs the short-lived tokens the services and the gateway give each other; "
            "the same value in every service, never given to users."
        ),
    )
    run_workers: bool = Field(
        default=True,
        description="Run the outbox relay, consumers and job workers in this process.",
    )
    outbox_poll_seconds: float = 0.5
    message_retention_hours: float = Field(
        default=168.0, gt=0, description="How long published outbox rows and inbox ids are kept."
    )
    consumer_max_deliveries: int = 5
    log_level: str = "INFO"
    allow_endpoint_override: bool | None = Field(
        default=None,
        description=(
            "Let callers send cloud API calls to another endpoint (emulators, sovereign "
            "clouds). Off in production unless set: a tenant could otherwise aim signed "
            "requests at internal addresses."
        ),
    )

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Self:
        production = self.environment is Environment.PRODUCTION
        if production and self.oidc_jwks_url is None and self.jwt_secret == DEV_JWT_SECRET:
            raise ValueError("jwt_secret is the embedded default; set a secret or an OIDC JWKS")
        if production and self.internal_secret == DEV_INTERNAL_SECRET:
            raise ValueError("internal_secret is the embedded default; set one for all services")
        return self

    @property
    def endpoint_override_allowed(self) -> bool:
        if self.allow_endpoint_override is not None:
            return self.allow_endpoint_override
        return self.environment is not Environment.PRODUCTION

    def check_endpoint_override(self, *urls: object) -> None:
        """Refuse a caller's endpoint override (422) where this deployment does not allow it."""
        if any(urls) and not self.endpoint_override_allowed:
            raise InvalidInput(
                "endpoint overrides are disabled in this deployment",
                code="endpoint_override_disabled",
                field="endpoint_url",
            )

    @property
    def service_name(self) -> str:
        prefix = str(self.model_config.get("env_prefix", "NEPHOS_"))
        return prefix.removeprefix("NEPHOS_").rstrip("_").lower() or "nephos"


class SealingSettings(ServiceSettings):
    """Settings of a service that keeps secrets at rest (AES-GCM key, base64 of 32 bytes)."""

    secret_key: str = DEV_SECRET_KEY

    @model_validator(mode="after")
    def _check_secret_key(self) -> Self:
        from nephos_common.crypto import SecretBox

        SecretBox(self.secret_key)
        if self.environment is Environment.PRODUCTION and self.secret_key == DEV_SECRET_KEY:
            raise ValueError("secret_key is the embedded default; set the service's SECRET_KEY")
        return self
