"""Cost allocation tags: the tag keys a company allocates its costs by.

A marked key gets daily totals per value (migration 0012), so questions
narrowed to or grouped by it read a few thousand rows instead of the line
items; every marked key adds a grouping pass to each ingest, hence marking.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from nephos_metering.db import Base


class CostAllocationTag(Base):
    """``ready_at`` is set once the key's totals are built from the costs held;
    ``build_queued_at`` is when their build was last queued."""

    __tablename__ = "cost_allocation_tags"

    tenant: Mapped[str] = mapped_column(String(100), primary_key=True)
    tag_key: Mapped[str] = mapped_column(Text, primary_key=True)
    marked_by: Mapped[str] = mapped_column(String(200))
    marked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    ready_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    build_queued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
