"""Points arrive (collection or push): store them, then evaluate rules in the same
transaction, so an alert event is recorded exactly when its points are."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import utcnow
from nephos_common.messaging.tables import MessagingTables
from nephos_monitoring.alerts import repository as rules
from nephos_monitoring.alerts.evaluation import evaluate
from nephos_monitoring.metrics.store import Point, store
from nephos_monitoring.notifications.enqueue import announce
from nephos_monitoring.settings import Settings


async def accept(
    session: AsyncSession,
    tables: MessagingTables,
    settings: Settings,
    tenant: str,
    points: Sequence[Point],
) -> int:
    """Store, roll up and evaluate; returns how many points were new.

    Only the new points of metrics that have enabled rules come back from the
    database for evaluation: most pushed metrics have none, and reading every
    stored row back was most of the cost of a large batch.
    """
    oldest = utcnow() - timedelta(days=settings.raw_retention_days)
    metrics = sorted({p.metric for p in points})
    ruled = {rule.metric for rule in await rules.enabled_rules(session, tenant, metrics)}
    stored = await store(session, tenant, points, oldest=oldest, wanted=ruled)
    if stored.returned:
        await announce(session, tables, await evaluate(session, tenant, stored.returned))
    return stored.count
