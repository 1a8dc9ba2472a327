"""Marking and unmarking cost allocation tags, building a marked key's totals, and the
tag keys the bill carries (the keys a company may mark).

Marking records the key and queues the build on the metering work queue, in
one transaction. The build runs on a worker, in one transaction: it waits for
the swaps' turn and holds ``costs`` against writes (``SHARE`` mode: readers
go on), then rebuilds the key's totals whole from the line items. From then
on every write to ``costs`` keeps them (migration 0012), and questions read
them. A redelivered job rebuilds again, which is harmless; a key unmarked
meanwhile is left alone.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.contracts.metering import CostTagTotalsRequested, DeliveryIngested
from nephos_common.db import Database, utcnow
from nephos_common.errors import Conflict, InvalidInput
from nephos_common.messaging import outbox
from nephos_common.messaging.envelope import Envelope
from nephos_metering.costs.narrowing import MAX_TAG_LENGTH
from nephos_metering.costtags import repository
from nephos_metering.costtags.models import CostAllocationTag
from nephos_metering.db import MESSAGING
from nephos_metering.ingest.staging import hold_costs

log = logging.getLogger(__name__)
SOURCE = "metering"
MAX_KEYS = 20
"""Every marked key adds a grouping pass over each delivery's rows at ingest."""
REQUEUE_AFTER = timedelta(hours=1)
"""How long a key waits unbuilt before its build is queued again: a build over a large
bill takes minutes, and a job unacknowledged for ``jobs.BUILD_SECONDS`` is redelivered."""


def _checked(key: str) -> str:
    if not key.strip() or len(key) > MAX_TAG_LENGTH:
        raise InvalidInput(f"a tag key has 1 to {MAX_TAG_LENGTH} characters, not only spaces",
                           code="invalid_tag_key", field="key")  # fmt: skip
    return key


async def mark(session: AsyncSession, tenant: str, key: str, by: str) -> CostAllocationTag:
    """Mark ``key`` and queue the build of its totals. Marking a key again changes nothing
    once it is built, and queues its build again until then (a lost job is not fatal)."""
    key = _checked(key)
    if await repository.get(session, tenant, key) is None:
        if await repository.count(session, tenant) >= MAX_KEYS:
            raise Conflict(f"at most {MAX_KEYS} cost allocation tags per company",
                           code="too_many_cost_allocation_tags")  # fmt: skip
        await repository.add(session, tenant, key, by)
    marked = await repository.get(session, tenant, key)
    assert marked is not None  # inserted above, or by a concurrent mark
    if marked.ready_at is None:
        await _queue_builds(session, [marked])
    return marked


async def _queue_builds(session: AsyncSession, marked: list[CostAllocationTag]) -> None:
    now = utcnow()
    for tag in marked:
        tag.build_queued_at = now
    jobs = [CostTagTotalsRequested(tag_key=t.tag_key).envelope(tenant=t.tenant, source=SOURCE)
            for t in marked]  # fmt: skip
    await outbox.record(session, MESSAGING, jobs)


async def requeue_long_unbuilt(database: Database, now: datetime | None = None) -> int:
    """Queue again the build of every marked key unbuilt ``REQUEUE_AFTER`` after its build was
    last queued: a job lost, or dropped after failing too often, would otherwise leave the
    key's questions on the line items until an admin marked it again. Returns how many."""
    async with database.transaction() as session:
        waiting = await repository.long_unbuilt(session, (now or utcnow()) - REQUEUE_AFTER)
        await _queue_builds(session, waiting)
    return len(waiting)


async def unmark(session: AsyncSession, tenant: str, key: str) -> None:
    await repository.marked(session, tenant, key)
    await repository.remove(session, tenant, key)


async def build(session: AsyncSession, tenant: str, key: str) -> int | None:
    """Build ``key``'s totals (see module doc); None when it is no longer marked."""
    await hold_costs(session)
    marked = await repository.get(session, tenant, key)
    if marked is None:
        return None
    built = await repository.build(session, marked)
    log.info("cost allocation tag built", extra={"tenant": tenant, "rows": built})
    return built


async def tag_keys(session: AsyncSession, tenant: str) -> list[tuple[str, bool]]:
    """The tag keys the company's bill carries, sorted, each with whether it is a cost
    allocation tag. A partition not listed yet (see ``list_new_partitions``) is read now,
    without writing: the caller may be a read-only request."""
    seen = await repository.listed_keys(session, tenant)
    for partition in await repository.unlisted_partitions(session, tenant, hold=False):
        seen.update(await repository.partition_keys(session, partition))
    marked = {t.tag_key for t in await repository.list_for(session, tenant)}
    return [(key, key in marked) for key in sorted(seen)]


async def list_new_partitions(session: AsyncSession, tenant: str) -> int:
    """Record the tag keys of the company's partitions not listed yet: a partition never
    changes once attached, so its keys are read from its rows once. Returns how many."""
    partitions = await repository.unlisted_partitions(session, tenant, hold=True)
    for partition in partitions:
        keys = await repository.partition_keys(session, partition)
        await repository.record_partition_keys(session, partition.table, sorted(keys))
    return len(partitions)


async def after_ingest(session: AsyncSession, envelope: Envelope) -> None:
    """Consumer entry point: a delivery's partition gets its keys listed soon after its
    swap, not by the first caller who asks."""
    if envelope.type == DeliveryIngested.event_type:
        await list_new_partitions(session, envelope.tenant)


async def handle_build(session: AsyncSession, envelope: Envelope) -> None:
    """Consumer entry point: the job's transaction is the build's."""
    job = CostTagTotalsRequested.parse(envelope)
    await build(session, envelope.tenant, job.tag_key)
