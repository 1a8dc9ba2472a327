"""The normalised inventory: one row per resource, and its version history.

``fingerprint`` hashes everything a user would call a change (name, state,
tags, spec, relations), so a re-discovery compares one value per asset and an
unchanged estate writes nothing but ``last_seen``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Identity, Index, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nephos_asset.db import Base

LIVE = text("deleted_at IS NULL")
FILLFACTOR = 70
"""Room in each page, so the ``last_seen`` stamp of a re-discovery is a HOT update
(no index entry rewritten) instead of a new row version in another page."""


class Asset(Base):
    __tablename__ = "assets"
    __table_args__ = (
        Index(
            "uq_assets_identity",
            "account_id",
            "region",
            "native_type",
            "native_id",
            unique=True,
        ),
        Index("ix_assets_tenant_category", "tenant", "category", "state"),
        Index("ix_assets_account_native_id", "account_id", "native_id"),
        Index("ix_assets_tags", "tags", postgresql_using="gin"),
        Index(
            "ix_assets_relations",
            "relations",
            postgresql_using="gin",
            postgresql_ops={"relations": "jsonb_path_ops"},
        ),
        Index("ix_assets_live", "tenant", "native_type", postgresql_where=LIVE),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant: Mapped[str] = mapped_column(String(100))
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cloud_accounts.id", ondelete="CASCADE")
    )
    provider: Mapped[str] = mapped_column(String(20))
    region: Mapped[str] = mapped_column(String(50))
    category: Mapped[str] = mapped_column(String(40))
    native_type: Mapped[str] = mapped_column(String(100))
    native_id: Mapped[str] = mapped_column(String(500))
    name: Mapped[str | None] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(20))
    tags: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    spec: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    relations: Mapped[list[dict[str, str]]] = mapped_column(JSONB, default=list)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """The provider's own record, kept as text (``json``): shown, never queried by key,
    and several times cheaper to write than ``jsonb``."""
    fingerprint: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AssetVersion(Base):
    """One row per change: what it was, what it became, and when."""

    __tablename__ = "asset_versions"
    __table_args__ = (
        Index("ix_asset_versions_asset", "asset_id", "version"),
        Index("ix_asset_versions_tenant_time", "tenant", "changed_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    asset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    tenant: Mapped[str] = mapped_column(String(100))
    account_id: Mapped[uuid.UUID]
    version: Mapped[int]
    change: Mapped[str] = mapped_column(String(20))
    diff: Mapped[dict[str, Any]] = mapped_column(JSONB)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
