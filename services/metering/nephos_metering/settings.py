"""Settings of the metering service (env prefix ``NEPHOS_METERING_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from nephos_common.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NEPHOS_METERING_", extra="ignore")

    port: int = 8002
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/nephos_metering"
    ingest_batch_rows: int = Field(default=5000, ge=1, description="Rows per COPY batch.")
