"""Deliveries: one row per ingest attempt of a provider's billing delivery.

The row is what makes ingest auditable: which files, how many rows, what total,
and, when a delivery was refused, which file and row were wrong. Its
fingerprint (manifest and data-file ETags) is how a repeated delivery is skipped.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, Index, Numeric, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nephos_metering.db import Base


class DeliveryStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    SUPERSEDED = "superseded"
    FAILED = "failed"


class Delivery(Base):
    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_tenant_account", "tenant", "account_id"),
        Index("ix_deliveries_tenant_fingerprint", "tenant", "fingerprint"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant: Mapped[str] = mapped_column(String(100))
    account_id: Mapped[uuid.UUID]
    source: Mapped[str] = mapped_column(String(30))
    bucket: Mapped[str] = mapped_column(String(255))
    manifest_key: Mapped[str] = mapped_column(Text)
    files: Mapped[list[str]] = mapped_column(JSONB, default=list)
    fingerprint: Mapped[str] = mapped_column(String(64))
    billing_account_id: Mapped[str | None] = mapped_column(String(100))
    billing_period_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    billing_period_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default=DeliveryStatus.RUNNING)
    row_count: Mapped[int] = mapped_column(default=0)
    billed_cost_total: Mapped[Decimal | None] = mapped_column(Numeric(asdecimal=True))
    billing_currency: Mapped[str | None] = mapped_column(String(3))
    error: Mapped[str | None] = mapped_column(Text)
    error_details: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    requested_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
