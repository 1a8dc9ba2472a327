"""Settings of the asset service (env prefix ``NEPHOS_ASSET_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from nephos_common.settings import SealingSettings


class Settings(SealingSettings):
    model_config = SettingsConfigDict(env_prefix="NEPHOS_ASSET_", extra="ignore")

    port: int = 8001
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/nephos_asset"
    discovery_concurrency: int = 16
    discovery_parallel_runs: int = 4
    discovery_max_attempts: int = 4
    scheduler_interval_seconds: float = 30.0
