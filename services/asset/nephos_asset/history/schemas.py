"""Shapes of an asset's history and of the change feed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from nephos_asset.inventory.schemas import PageInfo


class VersionOut(BaseModel):
    """One change: ``change`` is appeared, changed, disappeared or reappeared."""

    model_config = ConfigDict(from_attributes=True)

    asset_id: uuid.UUID
    version: int
    change: str
    diff: dict[str, Any]
    changed_at: datetime


class ChangeOut(VersionOut):
    account_id: uuid.UUID
    provider: str
    region: str
    category: str
    native_type: str
    native_id: str
    name: str | None


class VersionPage(BaseModel):
    items: list[VersionOut]
    page_info: PageInfo


class ChangePage(BaseModel):
    items: list[ChangeOut]
    page_info: PageInfo
