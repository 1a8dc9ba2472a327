"""Savings recommendations: found on the asset projection, monitoring's utilisation
days and the bill; recomputed after every ingest and on demand.

A recomputation replaces the company's advice with what holds now: advice that
still holds keeps its id and status (a dismissal stays dismissed), advice that
no longer holds is withdrawn.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal
from nephos_common.pagination import decode_cursor, encode_cursor
from nephos_metering.allocation import repository as projection
from nephos_metering.allocation.models import AllocationAsset
from nephos_metering.allocation.repository import KeyCost
from nephos_metering.allocation.service import rows_per_asset
from nephos_metering.costs.service import day_start, exact
from nephos_metering.recommendations import repository, rules
from nephos_metering.recommendations.models import Kind, Recommendation
from nephos_metering.recommendations.rules import Thresholds, Verdict
from nephos_metering.recommendations.schemas import (
    RecommendationOut,
    RecommendationPage,
    RefreshResult,
    SavingTotal,
    StatusChange,
)
from nephos_metering.settings import Settings

COST_WINDOW_DAYS = 30
UTILISATION_WINDOW_DAYS = 14


def thresholds(settings: Settings) -> Thresholds:
    return Thresholds(
        idle_cpu_percent=settings.recommend_idle_cpu_percent,
        idle_network_bytes_per_day=settings.recommend_idle_network_bytes,
        oversized_cpu_percent=settings.recommend_oversized_cpu_percent,
        min_days=settings.recommend_min_days,
        snapshot_max_age_days=settings.recommend_snapshot_max_age_days,
        commitment_min_coverage=settings.recommend_commitment_min_coverage,
        commitment_discount_percent=settings.recommend_commitment_discount_percent,
    )


def _monthly_cost(rows: list[KeyCost]) -> tuple[Decimal, str | None]:
    """The resource's effective cost over the window in its main currency."""
    by_currency: dict[str, Decimal] = {}
    for row in rows:
        by_currency[row.currency] = by_currency.get(row.currency, Decimal(0)) + row.effective
    if not by_currency:
        return Decimal(0), None
    currency = max(by_currency, key=lambda c: by_currency[c])
    return by_currency[currency], currency


def _asset_advice(asset: AllocationAsset, verdict: Verdict, rows: list[KeyCost]) -> dict[str, Any]:
    cost, currency = _monthly_cost(rows)
    details = {**verdict.details, "cost_last_30_days": exact(cost), "cost_known": bool(rows)}
    return {
        "kind": verdict.kind.value, "subject": str(asset.asset_id), "asset_id": asset.asset_id,
        "provider": asset.provider, "native_type": asset.native_type,
        "resource_id": asset.native_id, "reason": verdict.reason, "details": details,
        "monthly_saving": rules.cents(cost * verdict.share), "currency": currency,
    }  # fmt: skip


async def _assets(
    session: AsyncSession, tenant: str, as_of: date, limits: Thresholds
) -> list[dict[str, Any]]:
    since = as_of - timedelta(days=UTILISATION_WINDOW_DAYS)
    days = await repository.utilisation(session, tenant, since, as_of)
    verdicts: list[tuple[AllocationAsset, Verdict]] = []
    for asset in await projection.live_assets(session, tenant):
        verdict = rules.asset_verdict(asset, days.get(asset.asset_id, []), as_of, limits)
        if verdict is not None:
            verdicts.append((asset, verdict))
    first, last = as_of - timedelta(days=COST_WINDOW_DAYS), as_of - timedelta(days=1)
    found = [a for a, _ in verdicts]
    costs = await rows_per_asset(session, tenant, found, first, last, detailed=False)
    return [_asset_advice(a, v, costs[a.asset_id]) for a, v in verdicts]


async def _commitments(
    session: AsyncSession, tenant: str, as_of: date, limits: Thresholds
) -> list[dict[str, Any]]:
    start = day_start(as_of - timedelta(days=COST_WINDOW_DAYS))
    found = []
    for spend in await repository.compute_spend(session, tenant, start, day_start(as_of)):
        advice = rules.commitment(spend, limits)
        if advice is None:
            continue
        saving, reason, details = advice
        found.append({
            "kind": Kind.COMMITMENT_COVERAGE.value, "asset_id": None, "provider": None,
            "subject": f"{spend.billing_account_id}:{spend.currency}", "native_type": None,
            "resource_id": spend.billing_account_id, "reason": reason, "details": details,
            "monthly_saving": saving, "currency": spend.currency,
        })  # fmt: skip
    return found


async def refresh(
    session: AsyncSession, tenant: str, limits: Thresholds, as_of: date | None = None
) -> RefreshResult:
    today = as_of or datetime.now(UTC).date()
    found = await _assets(session, tenant, today, limits)
    found += await _commitments(session, tenant, today, limits)
    await repository.upsert(session, tenant, found)
    await repository.delete_others(session, tenant, [(f["kind"], f["subject"]) for f in found])
    return RefreshResult(computed_at=await repository.stamp(session, tenant), found=len(found))


def _out(row: Recommendation) -> RecommendationOut:
    values = {name: getattr(row, name) for name in RecommendationOut.model_fields}
    return RecommendationOut.model_validate({**values, "monthly_saving": exact(row.monthly_saving)})


async def listing(
    session: AsyncSession, tenant: str, kind: str | None, status: str | None, limit: int,
    after: str | None,
) -> RecommendationPage:  # fmt: skip
    key = None
    if after is not None:
        saving, last_id = decode_cursor(after, 2)
        key = (Decimal(str(saving)), uuid.UUID(str(last_id)))
    rows = await repository.page(session, tenant, kind, status, limit, key)
    cursor = (
        encode_cursor(str(rows[-1].monthly_saving), rows[-1].id) if len(rows) == limit else None
    )
    found = await repository.totals(session, tenant, kind, status)
    totals = [SavingTotal.model_validate({"kind": k, "currency": c, "count": n,
                                          "monthly_saving": exact(s)})
              for k, c, n, s in found]  # fmt: skip
    computed = await repository.computed_at(session, tenant)
    items = [_out(r) for r in rows]
    return RecommendationPage(items=items, next_cursor=cursor, totals=totals, computed_at=computed)


async def change_status(
    session: AsyncSession, principal: Principal, recommendation_id: uuid.UUID, body: StatusChange
) -> RecommendationOut:
    found = await repository.get(session, principal.tenant, recommendation_id)
    found.status = body.status
    found.status_changed_by = principal.subject
    await session.flush()
    return _out(found)
