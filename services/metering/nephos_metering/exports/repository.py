"""The one query of an export: a company's cost rows of one billing period, streamed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_metering.costs.models import Cost
from nephos_metering.exports.columns import ExportRow
from nephos_metering.ingest.models import Delivery

BATCH_ROWS = 5000


async def period_rows(
    session: AsyncSession, tenant: str, period_start: datetime, batch: int = BATCH_ROWS
) -> AsyncIterator[list[ExportRow]]:
    """Rows in batches from a server-side cursor: memory stays at one batch whatever
    the size of the bill. Plain rows, not ORM objects: nothing is tracked."""
    query = (
        select(*Cost.__table__.c, Delivery.source.label("x_source"))
        .join(Delivery, Delivery.id == Cost.delivery_id)
        .where(Cost.tenant == tenant, Cost.billing_period_start == period_start)
        .order_by(Cost.billing_account_id, Cost.charge_period_start, Cost.id)
        .execution_options(yield_per=batch)
    )
    result = await session.stream(query)
    async for partition in result.partitions():
        yield [ExportRow(cost=row, source=row.x_source) for row in partition]
