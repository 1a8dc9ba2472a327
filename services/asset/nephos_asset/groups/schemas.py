"""Shapes of service groups."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class GroupCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    rule: str | None = Field(
        default=None, max_length=2000, description="Tag rule, e.g. Team=payments AND Env=prod"
    )
    members: list[uuid.UUID] = Field(default_factory=list, max_length=5000)


class GroupUpdate(BaseModel):
    """Only the fields given change; ``members`` replaces the explicit members."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    rule: str | None = Field(default=None, max_length=2000)
    members: list[uuid.UUID] | None = Field(default=None, max_length=5000)


class MembersChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    asset_ids: list[uuid.UUID] = Field(min_length=1, max_length=5000)


class GroupOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    description: str | None
    rule: str | None
    explicit_members: list[uuid.UUID] = []
    member_count: int = 0
    created_at: datetime
    updated_at: datetime


class GroupList(BaseModel):
    items: list[GroupOut]


class AssetGroups(BaseModel):
    """Which groups each asset is in (for DataLoaders)."""

    memberships: dict[uuid.UUID, list[uuid.UUID]]
