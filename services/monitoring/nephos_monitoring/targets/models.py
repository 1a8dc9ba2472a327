"""The local read model of what to watch, kept from the asset service's events."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Index, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nephos_monitoring.db import Base

WATCHED_CATEGORIES = frozenset({"server", "database", "cache", "load_balancer"})
"""Asset categories that have health metrics; other assets never become targets."""


class Target(Base):
    """One watched asset. A deleted asset keeps its row (``deleted_at``) for old alerts."""

    __tablename__ = "targets"
    __table_args__ = (Index(None, "tenant", "account_id", "region"),)

    tenant: Mapped[str] = mapped_column(String(100), primary_key=True)
    asset_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    account_id: Mapped[uuid.UUID]
    provider: Mapped[str] = mapped_column(String(20))
    region: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(40))
    native_type: Mapped[str] = mapped_column(String(100))
    native_id: Mapped[str] = mapped_column(String(500))
    name: Mapped[str | None] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(20))
    tags: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    @property
    def monitored(self) -> bool:
        """Polled and alarmed: present and not stopped (a stopped server is not down)."""
        return self.deleted_at is None and self.state != "stopped"
