"""A service group of bench resources, as asset events leave it, and its totals.

Both metering benches ask about (or ingest for) a group of assets whose native
ids name bench resources. The group is written through the projection's own
repository and its membership change through ``group_totals`` as the asset
consumer makes it, adjusting the group's totals in the change's transaction;
``make_stale`` leaves the totals to a rebuild, as a change of more resource
keys does, and ``build_totals`` rebuilds them as the queued job does.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence

from nephos_common.db import Database
from nephos_metering.allocation import group_totals
from nephos_metering.allocation import repository as allocation
from nephos_metering.allocation.keys import asset_keys


async def service_group(
    database: Database, tenant: str, account: uuid.UUID, native_ids: Sequence[str]
) -> tuple[uuid.UUID, float]:
    """A new group of one asset per native id, its totals adjusted by the membership change:
    (the group, the seconds the change's transaction took)."""
    group_id = uuid.uuid4()
    async with database.transaction() as session:
        members = []
        for native_id in native_ids:
            asset_id = uuid.uuid4()
            asset = {"asset_id": asset_id, "account_id": account, "provider": "aws",
                     "region": "us-east-1", "category": "server",
                     "native_type": "aws.ec2.instance", "native_id": native_id,
                     "name": native_id, "state": "running", "tags": {}, "spec": {},
                     "resource_keys": asset_keys(native_id, {})}  # fmt: skip
            await allocation.upsert_asset(session, tenant, asset)
            members.append(asset_id)
        await allocation.upsert_group(session, tenant, group_id, "bench")
    started = time.perf_counter()
    async with database.transaction() as session:
        before = await group_totals.changing(session, tenant, [group_id])
        await allocation.add_members(session, tenant, group_id, members)
        await group_totals.follow(session, tenant, before)
    return group_id, time.perf_counter() - started


async def make_stale(database: Database, tenant: str, group_id: uuid.UUID) -> None:
    async with database.transaction() as session:
        await group_totals.stale(session, tenant, [group_id])


async def build_totals(database: Database, tenant: str, group_id: uuid.UUID) -> tuple[int, float]:
    """Build the group's totals as the queued job does: (rows, seconds)."""
    async with database.transaction() as session:
        started = time.perf_counter()
        built = await group_totals.build(session, tenant, group_id)
        elapsed = time.perf_counter() - started
    assert built is not None, "the group was stale"
    return built, elapsed
