"""Incidents (tickets): at most one open per (tenant, target), with alerts, comments
and a timeline of everything that happened to them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nephos_monitoring.db import Base

OPEN_STATUSES = ("open", "acknowledged")
SEVERITY_RANK = {"warning": 1, "critical": 2}


class Incident(Base):
    """The partial unique index is the deduplication: two firing alerts on the same
    target, even handled by two replicas at once, end up in one open incident."""

    __tablename__ = "incidents"
    __table_args__ = (
        Index(
            "uq_incidents_open_tenant_asset",
            "tenant",
            "asset_id",
            unique=True,
            postgresql_where=text("status IN ('open', 'acknowledged')"),
        ),
        Index(None, "tenant", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant: Mapped[str] = mapped_column(String(100))
    asset_id: Mapped[uuid.UUID]
    title: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(20))
    assignee: Mapped[str | None] = mapped_column(String(200))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class IncidentAlert(Base):
    """An alert belongs to one incident at most: a replayed alert event joins nothing."""

    __tablename__ = "incident_alerts"

    alert_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    severity: Mapped[str] = mapped_column(String(20))
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class IncidentEvent(Base):
    """One timeline row: opened, alert_joined, alert_resolved, acknowledged, assigned,
    commented, resolved."""

    __tablename__ = "incident_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    incident_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IncidentComment(Base):
    __tablename__ = "incident_comments"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    incident_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IncidentPreferences(Base):
    """A tenant's defaults for incidents; a rule may override ``auto_resolve``."""

    __tablename__ = "incident_preferences"

    tenant: Mapped[str] = mapped_column(String(100), primary_key=True)
    auto_resolve: Mapped[bool] = mapped_column(default=True)
    """Resolve an incident when every alert joined to it has resolved."""
    escalation_policy_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey(
            "escalation_policies.id",
            ondelete="SET NULL",
            name="fk_incident_preferences_escalation_policies",
        )
    )
    """Followed by incidents whose rule names no policy of its own."""
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
