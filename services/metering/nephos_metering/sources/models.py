"""Billing sources (where an account's bill comes from, and when) and their ingest runs.

A source that reads the cloud's APIs holds no credential: a run asks the asset
service for a short-lived session of the account when it starts
(``nephos_common.cloud_sessions``), so the account's secret stays in one place.
An Azure export source reads the customer's storage account instead, which the
account's ARM session cannot: it keeps a container SAS token, sealed with the
service's key (``SecretBox``, bound to tenant and source) and never returned.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nephos_common.crypto import SealedCredentials
from nephos_metering.db import Base


class SourceKind(StrEnum):
    AWS_CUR = "aws_cur"
    AWS_COST_EXPLORER = "aws_cost_explorer"
    AZURE_COST_MANAGEMENT = "azure_cost_management"
    AZURE_EXPORT = "azure_export"

    @property
    def provider(self) -> str:
        return self.value.split("_", 1)[0]


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (RunStatus.SUCCEEDED, RunStatus.FAILED)


class BillingSource(SealedCredentials, Base):
    """One per account: two sources of one account would keep replacing each other's bill."""

    __tablename__ = "billing_sources"
    __table_args__ = (UniqueConstraint("tenant", "account_id", name="uq_billing_sources_account"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant: Mapped[str] = mapped_column(String(100))
    account_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))
    config: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    interval_minutes: Mapped[int | None]
    daily_hour: Mapped[int | None]
    enabled: Mapped[bool] = mapped_column(default=True)
    sealed_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    last_run_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    @property
    def has_credentials(self) -> bool:
        return self.sealed_secret is not None

    def secret_context(self) -> str:
        """Credentials are bound to this tenant and source (see ``SealedCredentials``)."""
        return f"billing-source/{self.tenant}/{self.id}"


class IngestRun(Base):
    """One ingest of a source's billing periods, kept so progress and failures are visible."""

    __tablename__ = "ingest_runs"
    __table_args__ = (Index("ix_ingest_runs_tenant_source", "tenant", "source_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant: Mapped[str] = mapped_column(String(100))
    source_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("billing_sources.id", ondelete="CASCADE")
    )
    account_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(30))
    trigger: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=RunStatus.QUEUED)
    billing_periods: Mapped[list[str]] = mapped_column(JSONB, default=list)
    periods_done: Mapped[int] = mapped_column(default=0)
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    error: Mapped[str | None] = mapped_column(Text)
    error_details: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    requested_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
