"""Every query of recommendations, utilisation days and compute coverage."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, delete, func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.db import utcnow
from nephos_common.errors import NotFound
from nephos_metering.costs.models import Cost
from nephos_metering.recommendations.models import (
    Recommendation,
    RecommendationRefresh,
    UtilisationDay,
)
from nephos_metering.recommendations.rules import ComputeSpend


async def save_day(session: AsyncSession, tenant: str, values: dict[str, Any]) -> None:
    """A re-sent day replaces the earlier one: monitoring may recompute a day."""
    statement = insert(UtilisationDay).values(tenant=tenant, **values)
    keys = {"tenant", "asset_id", "day"}
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=list(keys),
            set_={k: statement.excluded[k] for k in values if k not in keys},
        )
    )


async def utilisation(
    session: AsyncSession, tenant: str, since: date, before: date
) -> dict[uuid.UUID, list[UtilisationDay]]:
    rows = await session.scalars(
        select(UtilisationDay).where(
            UtilisationDay.tenant == tenant, UtilisationDay.day >= since,
            UtilisationDay.day < before,
        )
    )  # fmt: skip
    found: dict[uuid.UUID, list[UtilisationDay]] = {}
    for row in rows:
        found.setdefault(row.asset_id, []).append(row)
    return found


def _compute_usage() -> tuple[Any, ...]:
    return (Cost.charge_category == "Usage", Cost.service_category == "Compute")


async def compute_spend(
    session: AsyncSession, tenant: str, start: datetime, end: datetime
) -> list[ComputeSpend]:
    """Per billing account and currency: on-demand and commitment-covered compute
    usage over [start, end), and the least on-demand spend of a day."""
    day = func.date(func.timezone("UTC", Cost.charge_period_start))
    on_demand = func.sum(case((Cost.commitment_discount_id.is_(None), Cost.effective_cost),
                              else_=Decimal(0)))  # fmt: skip
    covered = func.sum(case((Cost.commitment_discount_id.is_not(None), Cost.effective_cost),
                            else_=Decimal(0)))  # fmt: skip
    daily = (
        select(Cost.billing_account_id.label("account"), Cost.billing_currency.label("currency"),
               day.label("day"), on_demand.label("on_demand"), covered.label("covered"))
        .where(Cost.tenant == tenant, Cost.charge_period_start >= start,
               Cost.charge_period_start < end, *_compute_usage())
        .group_by(Cost.billing_account_id, Cost.billing_currency, day)
        .subquery()
    )  # fmt: skip
    query = select(
        daily.c.account, daily.c.currency, func.sum(daily.c.on_demand),
        func.sum(daily.c.covered), func.min(daily.c.on_demand), func.count(),
    ).group_by(daily.c.account, daily.c.currency)  # fmt: skip
    return [ComputeSpend(*row) for row in (await session.execute(query)).all()]


async def upsert(session: AsyncSession, tenant: str, rows: Sequence[dict[str, Any]]) -> None:
    """Insert new advice, refresh the figures of advice already given (keeping its status)."""
    if not rows:
        return
    now = utcnow()
    values = [{"id": uuid.uuid4(), "tenant": tenant, "status": "open", "computed_at": now, **r}
              for r in rows]  # fmt: skip
    statement = insert(Recommendation).values(values)
    kept = {"id", "tenant", "kind", "subject", "status", "status_changed_by", "created_at"}
    await session.execute(
        statement.on_conflict_do_update(
            constraint="uq_recommendations_subject",
            set_={k: statement.excluded[k] for k in values[0] if k not in kept},
        )
    )


async def delete_others(
    session: AsyncSession, tenant: str, keep: Sequence[tuple[str, str]]
) -> None:
    """Advice no longer found (the resource is in use again, or gone) is withdrawn."""
    stale = delete(Recommendation).where(Recommendation.tenant == tenant)
    if keep:
        pairs = tuple_(Recommendation.kind, Recommendation.subject)
        stale = stale.where(pairs.not_in(list(keep)))
    await session.execute(stale)


async def stamp(session: AsyncSession, tenant: str) -> datetime:
    now = utcnow()
    statement = insert(RecommendationRefresh).values(tenant=tenant, computed_at=now)
    await session.execute(
        statement.on_conflict_do_update(index_elements=["tenant"], set_={"computed_at": now})
    )
    return now


async def computed_at(session: AsyncSession, tenant: str) -> datetime | None:
    refresh = await session.get(RecommendationRefresh, tenant)
    return refresh.computed_at if refresh is not None else None


def _filters(tenant: str, kind: str | None, status: str | None) -> Any:
    conditions = [Recommendation.tenant == tenant]
    if kind is not None:
        conditions.append(Recommendation.kind == kind)
    if status is not None:
        conditions.append(Recommendation.status == status)
    return and_(*conditions)


async def page(
    session: AsyncSession, tenant: str, kind: str | None, status: str | None,
    limit: int, after: tuple[Decimal, uuid.UUID] | None,
) -> list[Recommendation]:  # fmt: skip
    """Largest saving first; keyset pagination on (saving, id)."""
    query = select(Recommendation).where(_filters(tenant, kind, status))
    if after is not None:
        saving, last_id = after
        query = query.where(
            tuple_(-Recommendation.monthly_saving, Recommendation.id) > tuple_(-saving, last_id)
        )
    query = query.order_by(Recommendation.monthly_saving.desc(), Recommendation.id).limit(limit)
    return list(await session.scalars(query))


async def totals(
    session: AsyncSession, tenant: str, kind: str | None, status: str | None
) -> list[tuple[str, str | None, int, Decimal]]:
    """(kind, currency, count, monthly saving) of every recommendation the filters keep."""
    query = (
        select(Recommendation.kind, Recommendation.currency, func.count(),
               func.sum(Recommendation.monthly_saving))
        .where(_filters(tenant, kind, status))
        .group_by(Recommendation.kind, Recommendation.currency)
        .order_by(Recommendation.kind, Recommendation.currency)
    )  # fmt: skip
    return [(k, c, n, s) for k, c, n, s in (await session.execute(query)).all()]


async def get(session: AsyncSession, tenant: str, recommendation_id: uuid.UUID) -> Recommendation:
    found = await session.get(Recommendation, recommendation_id)
    if found is None or found.tenant != tenant:
        raise NotFound("no such recommendation", code="recommendation_not_found")
    return found
