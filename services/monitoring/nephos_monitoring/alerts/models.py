"""Alert rules and the alerts they raise, one open alert per (rule, target) at most."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, String, false, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nephos_monitoring.db import Base

OPEN_STATES = ("pending", "firing")


RULE_KINDS = ("threshold", "no_data")


class AlertRule(Base):
    """A condition on one metric over a scope of targets: a threshold held for
    ``for_seconds``, or (``kind`` no_data) no point for ``no_data_seconds``.

    A no-data rule keeps its seconds in ``threshold`` too (operator ``gt``), so its
    events read "silent for X s > N s" with the same contract as a threshold's.
    """

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
    kind: Mapped[str] = mapped_column(String(20), default="threshold", server_default="threshold")
    no_data_seconds: Mapped[int | None]
    flap_max_changes: Mapped[int] = mapped_column(default=4, server_default="4")
    flap_window_seconds: Mapped[int] = mapped_column(default=600, server_default="600")
    auto_resolve_incidents: Mapped[bool | None]
    """None: the tenant's incident preference decides."""
    escalation_policy_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("escalation_policies.id", ondelete="SET NULL")
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
        Index(None, "rule_id", "asset_id", "started_at"),
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
    flapping: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Fired and resolved too often lately: still tracked, but nobody is notified."""
    silenced_by: Mapped[list[dict[str, str]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    """The silences and maintenance windows that held when it changed state
    (``{"kind": "silence"|"maintenance", "id": ...}``): no notification, no incident."""

    @property
    def suppressed_reason(self) -> str | None:
        if self.silenced_by:
            return "silenced"
        return "flapping" if self.flapping else None
