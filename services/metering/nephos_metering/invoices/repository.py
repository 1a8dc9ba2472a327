"""Every query of invoices: a period's billed cost per account and service, and terms."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import utcnow
from nephos_metering.costs.models import Cost
from nephos_metering.invoices.models import InvoiceTerms


async def billed_lines(
    session: AsyncSession, tenant: str, period_start: datetime
) -> list[tuple[str, str | None, str | None, Decimal]]:
    """(currency, account, service, billed) of the billing period starting at
    ``period_start``, as the provider bills it; in a stable order."""
    account = func.coalesce(Cost.sub_account_id, Cost.billing_account_id)
    query = (
        select(Cost.billing_currency, account, Cost.service_name, func.sum(Cost.billed_cost))
        .where(Cost.tenant == tenant, Cost.billing_period_start == period_start)
        .group_by(Cost.billing_currency, account, Cost.service_name)
        .order_by(Cost.billing_currency, account, Cost.service_name)
    )  # fmt: skip
    return [(c, a, s, b) for c, a, s, b in (await session.execute(query)).all()]


async def terms(session: AsyncSession, tenant: str) -> InvoiceTerms | None:
    return await session.get(InvoiceTerms, tenant)


async def save_terms(
    session: AsyncSession, tenant: str, percent: Decimal, note: str | None, by: str
) -> InvoiceTerms:
    values = {"tenant": tenant, "adjustment_percent": percent, "note": note, "updated_by": by,
              "updated_at": utcnow()}  # fmt: skip
    statement = insert(InvoiceTerms).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["tenant"], set_={k: statement.excluded[k] for k in values if k != "tenant"}
    )
    await session.execute(statement)
    saved = await session.get(InvoiceTerms, tenant, populate_existing=True)
    assert saved is not None
    return saved
