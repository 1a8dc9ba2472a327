"""Discovery runs and their failed units, kept so progress and failures are visible."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, ForeignKey, Index, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nephos_asset.db import Base


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (RunStatus.SUCCEEDED, RunStatus.PARTIAL, RunStatus.FAILED)


class DiscoveryRun(Base):
    __tablename__ = "discovery_runs"
    __table_args__ = (Index("ix_discovery_runs_tenant_account", "tenant", "account_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant: Mapped[str] = mapped_column(String(100))
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cloud_accounts.id", ondelete="CASCADE")
    )
    trigger: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=RunStatus.QUEUED)
    error: Mapped[str | None] = mapped_column(Text)
    units_total: Mapped[int] = mapped_column(default=0)
    units_done: Mapped[int] = mapped_column(default=0)
    units_failed: Mapped[int] = mapped_column(default=0)
    assets_found: Mapped[int] = mapped_column(default=0)
    assets_created: Mapped[int] = mapped_column(default=0)
    assets_changed: Mapped[int] = mapped_column(default=0)
    assets_deleted: Mapped[int] = mapped_column(default=0)
    api_calls: Mapped[dict[str, int]] = mapped_column(JSONB, default=dict)
    requested_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class UnitFailure(Base):
    __tablename__ = "discovery_unit_failures"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    run_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("discovery_runs.id", ondelete="CASCADE"), index=True
    )
    region: Mapped[str] = mapped_column(String(50))
    native_type: Mapped[str] = mapped_column(String(100))
    error_code: Mapped[str] = mapped_column(String(100))
    error_message: Mapped[str] = mapped_column(Text)
