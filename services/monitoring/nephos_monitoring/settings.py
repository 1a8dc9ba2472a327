"""Settings of the monitoring service (env prefix ``NEPHOS_MONITORING_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from nephos_common.settings import Environment, ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NEPHOS_MONITORING_", extra="ignore")

    port: int = 8003
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/nephos_monitoring"
    raw_retention_days: int = Field(
        default=14, ge=1, description="Raw points older than this are dropped, a day at a time."
    )
    rollup_retention_days: int = Field(
        default=400, ge=1, description="Hourly rollups outlive raw points for long-range views."
    )
    partitions_ahead_days: int = Field(
        default=3, ge=1, description="Daily partitions created ahead of time by maintenance."
    )
    maintenance_interval_seconds: float = 3600.0
    raw_series_max_hours: float = Field(
        default=48.0, description="Longer series ranges are answered from the hourly rollup."
    )
    no_data_after_seconds: float = Field(
        default=900.0, description="A monitored target without a point this recent has no data."
    )
    collection_period_seconds: int = 60
    collection_lookback_seconds: int = 900
    allow_endpoint_override: bool | None = Field(
        default=None,
        description=(
            "Let collection runs call another endpoint (emulators, sovereign clouds). Off in "
            "production unless set: a tenant could otherwise aim signed requests inward."
        ),
    )

    @property
    def endpoint_override_allowed(self) -> bool:
        if self.allow_endpoint_override is not None:
            return self.allow_endpoint_override
        return self.environment is not Environment.PRODUCTION
