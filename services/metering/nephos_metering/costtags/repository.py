"""Every query on cost allocation tags, their totals and the tag keys the bill carries,
scoped by tenant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import utcnow
from nephos_common.errors import NotFound
from nephos_metering.costtags.models import CostAllocationTag

TAG_TOTALS = "cost_tag_daily_totals"


async def list_for(session: AsyncSession, tenant: str) -> list[CostAllocationTag]:
    query = select(CostAllocationTag).where(CostAllocationTag.tenant == tenant)
    return list(await session.scalars(query.order_by(CostAllocationTag.tag_key)))


async def get(session: AsyncSession, tenant: str, key: str) -> CostAllocationTag | None:
    return await session.get(CostAllocationTag, (tenant, key))


async def marked(session: AsyncSession, tenant: str, key: str) -> CostAllocationTag:
    found = await get(session, tenant, key)
    if found is None:
        raise NotFound(f"tag key {key!r} is not a cost allocation tag",
                       code="cost_allocation_tag_not_found")  # fmt: skip
    return found


async def count(session: AsyncSession, tenant: str) -> int:
    query = select(func.count()).where(CostAllocationTag.tenant == tenant)
    return int(await session.scalar(query) or 0)


async def is_ready(session: AsyncSession, tenant: str, key: str) -> bool:
    """Whether ``key``'s totals answer questions: marked, and built."""
    query = select(CostAllocationTag.ready_at).where(
        CostAllocationTag.tenant == tenant, CostAllocationTag.tag_key == key
    )
    return (await session.scalar(query)) is not None


async def long_unbuilt(session: AsyncSession, before: datetime) -> list[CostAllocationTag]:
    """Every company's marked keys still unbuilt whose build was last queued before
    ``before`` (or never), held until the end of the transaction; held ones are skipped."""
    queued = func.coalesce(CostAllocationTag.build_queued_at, datetime.min.replace(tzinfo=UTC))
    query = select(CostAllocationTag).where(CostAllocationTag.ready_at.is_(None), queued < before)
    return list(await session.scalars(query.with_for_update(skip_locked=True)))


async def add(session: AsyncSession, tenant: str, key: str, by: str) -> None:
    """Mark ``key`` (a concurrent mark of the same key wins quietly)."""
    await session.execute(
        insert(CostAllocationTag)
        .values(tenant=tenant, tag_key=key, marked_by=by)
        .on_conflict_do_nothing()
    )
    await _restat(session)


async def _restat(session: AsyncSession) -> None:
    """Fresh statistics of the marked keys, which every totals statement joins: estimated
    from an unanalysed table, a delivery's tag totals were planned as a sort on disk and
    took ten times as long."""
    await session.execute(text(f"ANALYZE {CostAllocationTag.__tablename__}"))


async def remove(session: AsyncSession, tenant: str, key: str) -> None:
    """Unmark ``key`` and drop its totals, in the caller's transaction."""
    await session.execute(delete(CostAllocationTag).where(
        CostAllocationTag.tenant == tenant, CostAllocationTag.tag_key == key
    ))  # fmt: skip
    await _restat(session)
    await session.execute(
        text(f"DELETE FROM {TAG_TOTALS} WHERE tenant = :tenant AND tag_key = :key"),
        {"tenant": tenant, "key": key},
    )


async def build(session: AsyncSession, marked: CostAllocationTag) -> int:
    """(Re)build ``marked``'s totals from the line items held and mark it ready; the
    caller holds ``costs`` still (see ``service.build``). Returns the totals' rows."""
    built = await session.scalar(
        text("SELECT cost_tag_totals_build(:tenant, :key)"),
        {"tenant": marked.tenant, "key": marked.tag_key},
    )
    marked.ready_at = utcnow()
    return int(built or 0)


@dataclass(frozen=True)
class Partition:
    """A delivery's partition of ``costs``: its table and the scope it holds."""

    table: str
    tenant: str
    billing_account_id: str
    billing_period_start: datetime


async def unlisted_partitions(session: AsyncSession, tenant: str, *, hold: bool) -> list[Partition]:
    """The company's partitions whose tag keys are not listed yet; with ``hold``, held
    until the end of the transaction (a swap replacing one waits; one already held
    elsewhere is skipped)."""
    held = " FOR UPDATE SKIP LOCKED" if hold else ""
    rows = await session.execute(text(
        "SELECT table_name, tenant, billing_account_id, billing_period_start"
        " FROM cost_partitions WHERE tenant = :tenant AND tag_keys IS NULL" + held
    ), {"tenant": tenant})  # fmt: skip
    return [Partition(*row) for row in rows]


async def partition_keys(session: AsyncSession, partition: Partition) -> list[str]:
    """The distinct tag keys of a partition's rows, read from every row through ``costs``
    (pruned to the partition): a partition a restatement replaced meanwhile is not an
    error, its successor is read."""
    found = await session.scalars(text(
        "SELECT DISTINCT k FROM costs AS c, jsonb_object_keys(c.tags) AS k"
        " WHERE c.tenant = :tenant AND c.billing_account_id = :account"
        " AND c.billing_period_start = :start"
    ), {"tenant": partition.tenant, "account": partition.billing_account_id,
        "start": partition.billing_period_start})  # fmt: skip
    return list(found)


async def record_partition_keys(session: AsyncSession, table: str, keys: list[str]) -> None:
    await session.execute(
        text("UPDATE cost_partitions SET tag_keys = :keys WHERE table_name = :table"),
        {"keys": keys, "table": table},
    )


async def listed_keys(session: AsyncSession, tenant: str) -> set[str]:
    """The tag keys of the company's listed partitions and of its rows written directly."""
    found = await session.scalars(text(
        "SELECT unnest(tag_keys) FROM cost_partitions WHERE tenant = :tenant"
        " UNION SELECT jsonb_object_keys(tags) FROM costs_default WHERE tenant = :tenant"
    ), {"tenant": tenant})  # fmt: skip
    return set(found)
