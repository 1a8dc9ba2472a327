"""Alert rules and the alerts they raise, one open alert per (rule, target) at most."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, String, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nephos_monitoring.db import Base

OPEN_STATES = ("pending", "firing")


class AlertRule(Base):
    """A threshold on one metric, held for ``for_seconds``, over a scope of targets."""

    __tablename__ = "alert_rules"
    __table_args__ = (Index(None, "tenant", "metric"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    metric: Mapped[str] = mapped_column(String(100))
    operator: Mapped[str] = mapped_column(String(2))
    threshold: Mapped[float]
    for_seconds: Mapped[int]
    severity: Mapped[str] = mapped_column(String(20))
    scope: Mapped[dict[str, Any]] = mapped_column(JSONB)
    enabled: Mapped[bool] = mapped_column(default=True)
    channel_ids: Mapped[list[str]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Alert(Base):
    """One episode of a rule's condition on one target: pending, then firing, then resolved.

    The partial unique index is the deduplication: a second open alert for the
    same rule and target cannot exist, whatever races between replicas.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        Index(
            "uq_alerts_open_rule_asset",
            "rule_id",
            "asset_id",
            unique=True,
            postgresql_where=text("state IN ('pending', 'firing')"),
        ),
        Index(None, "tenant", "state"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant: Mapped[str] = mapped_column(String(100))
    rule_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alert_rules.id", ondelete="CASCADE"))
    asset_id: Mapped[uuid.UUID]
    metric: Mapped[str] = mapped_column(String(100))
    severity: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    fired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_value: Mapped[float]
    last_ts: Mapped[datetime] = mapped_column(DateTime(timezone=True))
