"""Service-group membership, kept from the asset service's events so that rules,
maintenance windows and the overview can be scoped to a group."""

from __future__ import annotations

import uuid

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from nephos_monitoring.db import Base


class GroupMember(Base):
    __tablename__ = "service_group_members"
    __table_args__ = (Index(None, "tenant", "asset_id"),)

    tenant: Mapped[str] = mapped_column(String(100), primary_key=True)
    group_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    asset_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
