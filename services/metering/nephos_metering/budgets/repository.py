"""Every query on budgets and their notices, always scoped by tenant."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.errors import NotFound
from nephos_metering.budgets.models import Budget, BudgetNotice

MAX_BUDGETS = 1000


async def get(session: AsyncSession, tenant: str, budget_id: uuid.UUID) -> Budget:
    found = await session.scalar(
        select(Budget).where(Budget.tenant == tenant, Budget.id == budget_id)
    )
    if found is None:
        raise NotFound(f"budget {budget_id} not found", code="budget_not_found")
    return found


async def by_ids(
    session: AsyncSession, tenant: str, ids: list[uuid.UUID]
) -> dict[uuid.UUID, Budget]:
    """The company's budgets among ``ids``; others' and unknown ids are simply absent."""
    found = await session.scalars(select(Budget).where(Budget.tenant == tenant, Budget.id.in_(ids)))
    return {b.id: b for b in found}


async def list_for(session: AsyncSession, tenant: str) -> list[Budget]:
    found = await session.scalars(
        select(Budget).where(Budget.tenant == tenant).order_by(Budget.name, Budget.id)
        .limit(MAX_BUDGETS)
    )  # fmt: skip
    return list(found)


async def claim_notice(
    session: AsyncSession, budget_id: uuid.UUID, period_start: date, percent: int, basis: str,
    amount: Decimal,
) -> bool:  # fmt: skip
    """Record that this threshold's notice goes out for this period; False if it already has.

    The primary key decides, so concurrent evaluations send one notice between them.
    """
    claimed = await session.scalar(
        insert(BudgetNotice)
        .values(budget_id=budget_id, period_start=period_start, threshold_percent=percent,
                basis=basis, amount=amount)
        .on_conflict_do_nothing()
        .returning(BudgetNotice.budget_id)
    )  # fmt: skip
    return claimed is not None


async def notices(
    session: AsyncSession, budget_id: uuid.UUID, period_start: date
) -> dict[tuple[int, str], datetime]:
    """When each threshold's notice went out for the period: (percent, basis) -> sent."""
    rows = await session.execute(
        select(BudgetNotice.threshold_percent, BudgetNotice.basis, BudgetNotice.sent_at).where(
            BudgetNotice.budget_id == budget_id, BudgetNotice.period_start == period_start
        )
    )
    return {(percent, basis): sent for percent, basis, sent in rows.all()}
