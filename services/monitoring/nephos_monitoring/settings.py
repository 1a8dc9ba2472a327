"""Settings of the monitoring service (env prefix ``NEPHOS_MONITORING_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from nephos_common.settings import SealingSettings


class Settings(SealingSettings):
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
    notify_poll_seconds: float = Field(
        default=2.0, gt=0, description="How often the notification worker looks for work."
    )
    notify_max_attempts: int = Field(default=6, ge=1, le=20)
    notify_backoff_seconds: float = Field(
        default=5.0, gt=0, description="Wait after the first failed attempt; doubles each time."
    )
    notify_backoff_max_seconds: float = 900.0
    notify_timeout_seconds: float = 10.0
