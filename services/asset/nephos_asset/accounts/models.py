"""Cloud accounts: where discovery gets its credentials, one row per connected account."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, Index, LargeBinary, String, Text, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from nephos_asset.db import Base


class AccountStatus(StrEnum):
    UNVERIFIED = "unverified"
    ACTIVE = "active"
    INVALID_CREDENTIALS = "invalid_credentials"


class CloudAccount(Base):
    __tablename__ = "cloud_accounts"
    __table_args__ = (Index("ix_cloud_accounts_tenant_name", "tenant", "name", unique=True),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant: Mapped[str] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(20))
    auth_method: Mapped[str] = mapped_column(String(40))
    sealed_credentials: Mapped[bytes] = mapped_column(LargeBinary)
    endpoint_url: Mapped[str | None] = mapped_column(String(500))
    auth_endpoint_url: Mapped[str | None] = mapped_column(String(500))
    regions: Mapped[list[str] | None] = mapped_column(ARRAY(String(50)))
    native_account_id: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(30), default=AccountStatus.UNVERIFIED)
    status_reason: Mapped[str | None] = mapped_column(Text)
    discovery_interval_minutes: Mapped[int | None]
    last_discovery_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
