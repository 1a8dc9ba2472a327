"""Savings recommendations, the daily utilisation they are judged on, and when
each company's were last computed."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Date, DateTime, Numeric, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nephos_metering.db import Base


class Kind(StrEnum):
    IDLE_SERVER = "idle_server"
    OVERSIZED_SERVER = "oversized_server"
    UNATTACHED_VOLUME = "unattached_volume"
    OLD_SNAPSHOT = "old_snapshot"
    UNUSED_PUBLIC_IP = "unused_public_ip"
    COMMITMENT_COVERAGE = "commitment_coverage"


class Status(StrEnum):
    OPEN = "open"
    DISMISSED = "dismissed"


class Recommendation(Base):
    """``subject`` is what the advice is about (an asset id, or an account and currency
    for commitments): a recomputation updates the row of the same subject, so a
    dismissal survives as long as the advice still holds."""

    __tablename__ = "recommendations"
    __table_args__ = (
        UniqueConstraint("tenant", "kind", "subject", name="uq_recommendations_subject"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(Text)
    asset_id: Mapped[uuid.UUID | None]
    provider: Mapped[str | None] = mapped_column(String(20))
    native_type: Mapped[str | None] = mapped_column(String(100))
    resource_id: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB)
    monthly_saving: Mapped[Decimal] = mapped_column(Numeric(asdecimal=True))
    currency: Mapped[str | None] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20), default=Status.OPEN)
    status_changed_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class UtilisationDay(Base):
    """One server's day as monitoring reported it (``monitoring.utilisation.daily``)."""

    __tablename__ = "utilisation_days"

    tenant: Mapped[str] = mapped_column(String(100), primary_key=True)
    asset_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    samples: Mapped[int]
    cpu_avg: Mapped[float | None]
    cpu_p95: Mapped[float | None]
    cpu_max: Mapped[float | None]
    network_in_bytes: Mapped[float | None]
    network_out_bytes: Mapped[float | None]


class RecommendationRefresh(Base):
    """When a company's recommendations were last computed, for the list's freshness."""

    __tablename__ = "recommendation_refreshes"

    tenant: Mapped[str] = mapped_column(String(100), primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
