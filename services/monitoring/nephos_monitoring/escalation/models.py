"""Escalation policies (ordered steps: channels to page, minutes to wait) and the
escalation state of each incident that follows one."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, String, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nephos_monitoring.db import Base


class EscalationPolicy(Base):
    __tablename__ = "escalation_policies"
    __table_args__ = (Index(None, "tenant"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    """``[{"channel_ids": [...], "wait_minutes": n}, ...]``, paged in order."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class IncidentEscalation(Base):
    """Where an open incident is in its policy. The current step's wait is copied here so
    that the due check is one indexed query, whatever happens to the policy later."""

    __tablename__ = "incident_escalations"
    __table_args__ = (
        Index(
            "ix_incident_escalations_pending", "step_started_at", postgresql_where=text("NOT done")
        ),
    )

    incident_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    tenant: Mapped[str] = mapped_column(String(100))
    policy_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("escalation_policies.id", ondelete="CASCADE")
    )
    step: Mapped[int]
    """Index of the step paged last (0: the first, paged when the incident opened)."""
    step_started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    step_wait_minutes: Mapped[int]
    done: Mapped[bool] = mapped_column(default=False)
