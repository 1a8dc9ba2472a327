"""Service groups' daily totals: adjusted by a membership change, or rebuilt by a job.

A group's totals (migration 0014) sum the costs of its members' resources, so
they hold only for the membership they were built for. Whatever changes which
resource keys a group holds (members added or removed, a member's resource
keys) is applied between ``changing`` and ``follow``, in the asset event's own
transaction:

- ``changing`` waits for the swaps' turn and holds ``costs`` against writes,
  then the groups' rows (the order a rebuild takes them in), and reads their
  keys: no swap, rebuild or other change of theirs runs until the commit;
- ``follow`` reads the keys again and adjusts the totals of a group by the
  keys added and removed (migration 0020), a lookup per key and partition, so
  its questions read totals straight after the change;
- a change of over ``MAX_ADJUSTED_KEYS`` keys, or a group already stale, is
  left to a job instead: the group's ``totals_ready_at`` is cleared and a
  rebuild queued on the metering work queue; questions read the line items
  meanwhile. The rebuild holds ``costs`` and the group's row, rebuilds the
  totals whole and marks them ready. Several changes queue several jobs; the
  first rebuild serves them all, and the others find the totals ready and do
  nothing. A sweep queues again the rebuild of a group stale for longer than
  ``REQUEUE_AFTER``: a job lost, or dropped after failing too often, would
  otherwise leave the group's questions on its line items for good.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.contracts.metering import JOBS_STREAM, GroupTotalsRequested
from nephos_common.db import Database, utcnow
from nephos_common.messaging import outbox
from nephos_common.messaging.consumer import Subscription
from nephos_common.messaging.envelope import Envelope
from nephos_metering.allocation import repository
from nephos_metering.db import MESSAGING
from nephos_metering.ingest.staging import hold_costs

log = logging.getLogger(__name__)
SOURCE = "metering"
BUILD_SECONDS = 600.0
"""Ack wait of a rebuild: a lookup per member resource key and partition."""
REQUEUE_AFTER = timedelta(minutes=10)
"""How long a group waits for its rebuild before the sweep queues it again."""
MAX_ADJUSTED_KEYS = 1_000
"""A change of more resource keys is rebuilt by a job: adjusting reads each key's rows
in the asset event's own transaction."""
Keys = dict[uuid.UUID, set[str]]
"""Each group's resource keys."""


def _job(tenant: str, group_id: uuid.UUID) -> Envelope:
    return GroupTotalsRequested(group_id=group_id).envelope(tenant=tenant, source=SOURCE)


async def changing(session: AsyncSession, tenant: str, group_ids: Sequence[uuid.UUID]) -> Keys:
    """Before a change to the groups' resource keys: hold what ``follow`` needs (see module
    doc) and return their keys."""
    await hold_costs(session)
    return await _locked_keys(session, tenant, group_ids)


async def asset_changing(session: AsyncSession, tenant: str, asset_id: uuid.UUID) -> Keys:
    """``changing`` for the groups the asset is a member of, read once the turn is taken."""
    await hold_costs(session)
    return await _locked_keys(
        session, tenant, await repository.groups_of(session, tenant, asset_id)
    )


async def _locked_keys(session: AsyncSession, tenant: str, group_ids: Sequence[uuid.UUID]) -> Keys:
    if not group_ids:
        return {}
    await repository.lock_groups(session, tenant, group_ids)
    return await repository.group_keys(session, tenant, group_ids)


async def follow(session: AsyncSession, tenant: str, before: Keys) -> None:
    """After the change: adjust the totals of each group whose keys changed, or leave them
    to a rebuild (see module doc)."""
    if not before:
        return
    after = await repository.group_keys(session, tenant, list(before))
    changes = {g: (after[g] - keys, keys - after[g]) for g, keys in before.items()}
    changes = {g: change for g, change in changes.items() if change[0] or change[1]}
    ready = await repository.groups(session, tenant, list(changes))
    adjusted = [g for g, (added, removed) in changes.items()
                if g in ready and ready[g].totals_ready_at is not None
                and len(added) + len(removed) <= MAX_ADJUSTED_KEYS]  # fmt: skip
    for group_id in adjusted:
        added, removed = changes[group_id]
        for keys, sign in ((added, 1), (removed, -1)):
            if keys:
                await repository.adjust_totals(session, tenant, group_id, sorted(keys), sign)
    await stale(session, tenant, [g for g in changes if g not in adjusted])


async def stale(session: AsyncSession, tenant: str, group_ids: Sequence[uuid.UUID]) -> None:
    """The groups' membership changed: their totals stop answering, a rebuild is queued."""
    if not group_ids:
        return
    await repository.make_stale(session, tenant, group_ids)
    await outbox.record(session, MESSAGING, [_job(tenant, g) for g in group_ids])


async def requeue_long_stale(database: Database, now: datetime | None = None) -> int:
    """Queue again the rebuild of every group stale since ``REQUEUE_AFTER`` before ``now``
    (see module doc), and count it as waiting from ``now``; returns how many."""
    now = now or utcnow()
    async with database.transaction() as session:
        waiting = await repository.long_stale(session, now - REQUEUE_AFTER)
        for group in waiting:
            group.totals_stale_since = now
        await outbox.record(session, MESSAGING, [_job(g.tenant, g.group_id) for g in waiting])
    return len(waiting)


async def build(session: AsyncSession, tenant: str, group_id: uuid.UUID) -> int | None:
    """Rebuild the group's totals if stale (see module doc); None when there was nothing to
    do: the group is gone, or its totals were rebuilt since the change."""
    await hold_costs(session)
    group = await repository.locked_group(session, tenant, group_id)
    if group is None or group.totals_ready_at is not None:
        return None
    built = await repository.build_totals(session, group)
    log.info("service group totals built", extra={"tenant": tenant, "rows": built})
    return built


async def handle_build(session: AsyncSession, envelope: Envelope) -> None:
    """Consumer entry point: the job's transaction is the rebuild's."""
    await build(session, envelope.tenant, GroupTotalsRequested.parse(envelope).group_id)


def subscriptions(app: FastAPI) -> list[Subscription]:
    return [
        Subscription(
            durable="metering-group-totals",
            stream=JOBS_STREAM.name,
            subject=GroupTotalsRequested.event_type,
            handler=handle_build,
            ack_wait_seconds=BUILD_SECONDS,
            batch=1,
        )
    ]
