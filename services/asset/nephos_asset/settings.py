"""Settings of the asset service (env prefix ``NEPHOS_ASSET_``)."""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from nephos_common.crypto import SecretBox
from nephos_common.settings import Environment, ServiceSettings

DEV_SECRET_KEY = "bmVwaG9zLWVtYmVkZGVkLWRldi1rZXktMzItYnl0ZXM="


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NEPHOS_ASSET_", extra="ignore")

    port: int = 8001
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/nephos_asset"
    secret_key: str = DEV_SECRET_KEY
    discovery_concurrency: int = 16
    discovery_parallel_runs: int = 4
    discovery_max_attempts: int = 4
    scheduler_interval_seconds: float = 30.0
    allow_endpoint_override: bool | None = Field(
        default=None,
        description=(
            "Let accounts send API calls to another endpoint (emulators, sovereign clouds). "
            "Off in production unless set: a tenant could otherwise aim signed requests at "
            "internal addresses."
        ),
    )

    @property
    def endpoint_override_allowed(self) -> bool:
        if self.allow_endpoint_override is not None:
            return self.allow_endpoint_override
        return self.environment is not Environment.PRODUCTION

    @model_validator(mode="after")
    def _check_secret_key(self) -> Self:
        SecretBox(self.secret_key)
        if self.environment is Environment.PRODUCTION and self.secret_key == DEV_SECRET_KEY:
            raise ValueError("secret_key is the embedded default; set NEPHOS_ASSET_SECRET_KEY")
        return self
