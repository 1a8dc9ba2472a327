"""Metering's read model of the asset service: which asset is which bill resource,
and which assets make up each service group.

Kept from asset events only (a service never reads another's tables). A deleted
asset keeps its row, stamped, so last month's cost of a server that is gone
still has a name.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Index, String, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nephos_metering.db import Base


class AllocationAsset(Base):
    """``resource_keys`` are the asset's ids in the normal form of ``resource_key``."""

    __tablename__ = "allocation_assets"
    __table_args__ = (
        Index("ix_allocation_assets_tenant_resource_keys", "resource_keys",
              postgresql_using="gin"),
    )  # fmt: skip

    tenant: Mapped[str] = mapped_column(String(100), primary_key=True)
    asset_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    account_id: Mapped[uuid.UUID]
    provider: Mapped[str] = mapped_column(String(20))
    region: Mapped[str] = mapped_column(String(50))
    category: Mapped[str] = mapped_column(String(50))
    native_type: Mapped[str] = mapped_column(String(100))
    native_id: Mapped[str] = mapped_column(Text)
    resource_keys: Mapped[list[str]] = mapped_column(ARRAY(Text))
    name: Mapped[str | None] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(30))
    tags: Mapped[dict[str, str]] = mapped_column(JSONB)
    spec: Mapped[dict[str, Any]] = mapped_column(JSONB)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AllocationGroup(Base):
    """``totals_ready_at`` is set while the group's daily totals (migration 0014) are
    built for its current membership; a membership change clears it until rebuilt, and
    ``totals_stale_since`` says since when (or since the rebuild was last queued again)."""

    __tablename__ = "allocation_groups"

    tenant: Mapped[str] = mapped_column(String(100), primary_key=True)
    group_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    totals_ready_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    totals_stale_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AllocationGroupMember(Base):
    __tablename__ = "allocation_group_members"

    tenant: Mapped[str] = mapped_column(String(100), primary_key=True)
    group_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    asset_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
