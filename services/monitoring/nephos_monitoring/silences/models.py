"""Silences: for a time, alerts matching every given matcher notify nobody and open
no incident; they still change state, so the dashboard stays true."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Index, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nephos_monitoring.db import Base


class Silence(Base):
    __tablename__ = "silences"
    __table_args__ = (Index(None, "tenant", "ends_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant: Mapped[str] = mapped_column(String(100))
    matchers: Mapped[dict[str, Any]] = mapped_column(JSONB)
    """Any of ``rule_id``, ``asset_id``, ``tags`` (all must be on the target), ``severity``."""
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    comment: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    def active_at(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at
