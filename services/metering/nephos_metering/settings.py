"""Settings of the metering service (env prefix ``NEPHOS_METERING_``)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from nephos_common.settings import SealingSettings


class Settings(SealingSettings):
    """``secret_key`` seals the SAS tokens of Azure export sources."""

    model_config = SettingsConfigDict(env_prefix="NEPHOS_METERING_", extra="ignore")

    port: int = 8002
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/nephos_metering"
    ingest_batch_rows: int = Field(default=5000, ge=1, description="Rows per COPY batch.")
    upload_max_bytes: int = Field(
        default=2 << 30, ge=1, description="Largest billing file an upload may send."
    )
    asset_url: str = "http://127.0.0.1:8001"
    ingest_scheduler_interval_seconds: float = Field(
        default=60.0, gt=0, description="How often due billing sources are looked for."
    )
    totals_sweep_seconds: float = Field(
        default=300.0, gt=0,
        description="How often rebuilds of totals (groups, tags) waiting long are queued again.",
    )  # fmt: skip
    export_chunk_bytes: int = Field(
        default=4 << 20, ge=1024, description="Bytes per ranged read of an Azure export file."
    )
    ingest_parallel_runs: int = Field(default=2, ge=1, description="Ingest runs per replica.")
    anomaly_history_days: int = Field(
        default=28, ge=7, le=364, description="Days before a day that set its expected range."
    )
    anomaly_k: Decimal = Field(
        default=Decimal(3), gt=0, description="Half-width of the expected range, in MAD sigmas."
    )
    anomaly_min_amount: Decimal = Field(
        default=Decimal(10), ge=0,
        description="Least distance from the expected cost that makes an anomaly (currency units).",
    )  # fmt: skip
    recommend_idle_cpu_percent: float = Field(
        default=5.0,
        ge=0,
        le=100,
        description="A server whose busiest day's p95 CPU is below is idle.",
    )
    recommend_idle_network_bytes: float = Field(
        default=5e6, ge=0, description="An idle server's busiest day moves fewer bytes (in + out)."
    )
    recommend_oversized_cpu_percent: float = Field(
        default=40.0, ge=0, le=100, description="Below this busiest-day p95 CPU, one size down."
    )
    recommend_min_days: int = Field(
        default=7, ge=1, description="Days of utilisation (or bill) a verdict needs."
    )
    recommend_snapshot_max_age_days: int = Field(
        default=90, ge=1, description="Snapshots older than this are recommended for deletion."
    )
    recommend_commitment_min_coverage: Decimal = Field(
        default=Decimal("0.8"), ge=0, le=1, description="Compute coverage below this is advised."
    )
    recommend_commitment_discount_percent: Decimal = Field(
        default=Decimal(30), gt=0, lt=100, description="Assumed commitment discount on compute."
    )
