"""Service groups: named sets of assets that belong together (a ticketing service,
an accounting system), by tag rules, by explicit members, or both."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nephos_asset.db import Base


class ServiceGroup(Base):
    __tablename__ = "service_groups"
    __table_args__ = (Index("ix_service_groups_tenant_name", "tenant", "name", unique=True),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    rule: Mapped[str | None] = mapped_column(Text)
    """The tag rule as the user wrote it, e.g. ``Team=payments AND Env=prod``."""
    rule_terms: Mapped[list[list[dict[str, Any]]]] = mapped_column(JSONB, default=list)
    """The parsed rule: a list of alternatives (OR), each a dict of tag conditions (AND)."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ExplicitMember(Base):
    """An asset put in a group by hand, whatever its tags say."""

    __tablename__ = "service_group_explicit_members"

    group_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("service_groups.id", ondelete="CASCADE"), primary_key=True
    )
    asset_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True
    )


class Membership(Base):
    """The current members: explicit ones plus live assets the rule matches."""

    __tablename__ = "service_group_members"
    __table_args__ = (Index("ix_service_group_members_asset", "asset_id"),)

    group_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("service_groups.id", ondelete="CASCADE"), primary_key=True
    )
    asset_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True
    )
    tenant: Mapped[str] = mapped_column(String(100))
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
