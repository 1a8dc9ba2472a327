"""Settings of the metering service (env prefix ``NEPHOS_METERING_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from nephos_common.settings import Environment, ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NEPHOS_METERING_", extra="ignore")

    port: int = 8002
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/nephos_metering"
    ingest_batch_rows: int = Field(default=5000, ge=1, description="Rows per COPY batch.")
    allow_endpoint_override: bool | None = Field(
        default=None,
        description=(
            "Let an ingest read S3 from another endpoint (emulators). Off in production "
            "unless set: a tenant could otherwise aim signed requests at internal addresses."
        ),
    )

    @property
    def endpoint_override_allowed(self) -> bool:
        if self.allow_endpoint_override is not None:
            return self.allow_endpoint_override
        return self.environment is not Environment.PRODUCTION
