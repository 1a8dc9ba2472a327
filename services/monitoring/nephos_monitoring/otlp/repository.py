"""Targets of hybrid machines: created on their first push, found by host key after."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import any_of, utcnow
from nephos_monitoring.otlp.mapping import Host
from nephos_monitoring.targets.models import Target

PROVIDER = "onprem"
NATIVE_TYPE = "onprem.host"
_IDS = uuid.UUID("2f8c3b0e-7a51-4d0c-8f3e-1b6d5e4c9a07")


def host_asset_id(tenant: str, key: str) -> uuid.UUID:
    """Stable per (tenant, host): concurrent first pushes of one machine make one target."""
    return uuid.uuid5(_IDS, f"{tenant}/host/{key}")


def onprem_account(tenant: str) -> uuid.UUID:
    """Hybrid machines belong to no cloud account; one stand-in id per tenant groups them."""
    return uuid.uuid5(_IDS, f"{tenant}/onprem")


async def ensure_hosts(
    session: AsyncSession, tenant: str, hosts: Sequence[Host]
) -> dict[str, Target]:
    """The target of every host, created where missing; keyed by host key."""
    rows = [
        {
            "tenant": tenant,
            "asset_id": host_asset_id(tenant, h.key),
            "account_id": onprem_account(tenant),
            "provider": PROVIDER,
            "region": PROVIDER,
            "category": "server",
            "native_type": NATIVE_TYPE,
            "native_id": h.key,
            "name": h.name,
            "state": "running",
            "tags": {},
            "updated_at": utcnow(),
        }
        for h in hosts
    ]
    if rows:
        await session.execute(insert(Target).values(rows).on_conflict_do_nothing())
    ids = [host_asset_id(tenant, h.key) for h in hosts]
    found = await session.scalars(
        select(Target).where(Target.tenant == tenant, any_of(Target.__table__.c.asset_id, ids))
    )
    return {t.native_id: t for t in found if t.provider == PROVIDER}
