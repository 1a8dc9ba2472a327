"""Cost anomalies: one row per (account, service, day) whose cost left its expected range.

The unique index is the deduplication: detection may run again over the same
days (after a restatement, on demand) and never stores or announces a day twice.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, DateTime, Index, Numeric, String, func
from sqlalchemy.orm import Mapped, mapped_column

from nephos_metering.db import Base

Money = Numeric(asdecimal=True)


class Anomaly(Base):
    __tablename__ = "anomalies"
    __table_args__ = (
        Index("uq_anomalies_tenant_account_service_day", "tenant", "account_id", "service_name",
              "day", unique=True),
        Index(None, "tenant", "day"),
    )  # fmt: skip

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant: Mapped[str] = mapped_column(String(100))
    account_id: Mapped[uuid.UUID]
    service_name: Mapped[str] = mapped_column(String(200))
    day: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    actual: Mapped[Decimal] = mapped_column(Money)
    expected: Mapped[Decimal] = mapped_column(Money)
    expected_low: Mapped[Decimal] = mapped_column(Money)
    expected_high: Mapped[Decimal] = mapped_column(Money)
    detected_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
