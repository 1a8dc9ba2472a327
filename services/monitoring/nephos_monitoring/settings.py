"""Settings of the monitoring service (env prefix ``NEPHOS_MONITORING_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from nephos_common.settings import Environment, SealingSettings


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
        default=6.0, gt=0, description="Longer series ranges are answered from a rollup."
    )
    series_5m_max_hours: float = Field(
        default=48.0, gt=0, description="Ranges up to this read 5-minute rollups."
    )
    series_1h_max_days: float = Field(
        default=60.0, gt=0, description="Ranges up to this read hourly rollups; longer, daily."
    )
    rollup_5m_retention_days: int = Field(default=35, ge=1)
    rollup_1d_retention_days: int = Field(default=1830, ge=1)
    asset_url: str = "http://127.0.0.1:8001"
    collection_interval_seconds: float = Field(
        default=300.0, gt=0, description="How often every account with targets is collected."
    )
    collection_jobs_in_flight: int = Field(default=4, ge=1, le=64)
    collection_job_retention_days: int = Field(default=7, ge=1)
    utilisation_interval_seconds: float = Field(
        default=900.0, gt=0, description="How often finished UTC days are summarised."
    )
    utilisation_lookback_days: int = Field(default=3, ge=1, le=14)
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
    no_data_poll_seconds: float = Field(
        default=15.0, gt=0, description="How often no-data rules are checked."
    )
    escalation_poll_seconds: float = Field(
        default=10.0, gt=0, description="How often unacknowledged incidents are looked at."
    )
    escalation_minute_seconds: float = Field(
        default=60.0,
        gt=0,
        description="Length of an escalation step's wait minute; shortened only in tests.",
    )
    allow_internal_webhooks: bool | None = Field(
        default=None,
        description=(
            "Let webhook and Slack channels point at loopback, link-local or private "
            "addresses. Off in production unless set: a tenant could otherwise make the "
            "service call internal endpoints (cloud metadata, admin ports)."
        ),
    )

    @property
    def internal_webhooks_allowed(self) -> bool:
        if self.allow_internal_webhooks is not None:
            return self.allow_internal_webhooks
        return self.environment is not Environment.PRODUCTION
