"""Budgets: their rules, their status, and threshold notices once per threshold and period.

A notice is claimed in ``budget_notices`` in the same transaction as its event
is written to the outbox, so an event goes out exactly when its claim is kept;
a later evaluation that finds the threshold still crossed (a restatement, a
repeated ingest, an on-demand call) claims nothing and sends nothing.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import cast

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.contracts.metering import DeliveryIngested
from nephos_common.errors import InvalidInput
from nephos_common.messaging.envelope import Envelope
from nephos_metering.budgets import events, repository, scopes
from nephos_metering.budgets.evaluation import (
    Measure,
    measure,
    percent_of,
    period_on,
    periods_overlapping,
    reached,
)
from nephos_metering.budgets.models import Budget
from nephos_metering.budgets.schemas import (
    BudgetCreate,
    BudgetOut,
    BudgetStatus,
    BudgetStatusBatch,
    BudgetStatusItem,
    Evaluation,
    PeriodKind,
    Threshold,
    ThresholdState,
)
from nephos_metering.costs.service import MAX_RANGE_DAYS, exact

MIN_PERCENT, MAX_PERCENT = 1, 1000


def _check_thresholds(thresholds: list[Threshold]) -> None:
    for threshold in thresholds:
        if not MIN_PERCENT <= threshold.percent <= MAX_PERCENT:
            raise InvalidInput(f"threshold percents run from {MIN_PERCENT} to {MAX_PERCENT}",
                               code="invalid_threshold", percent=threshold.percent)  # fmt: skip
    keys = [(t.percent, t.basis) for t in thresholds]
    if len(set(keys)) != len(keys):
        raise InvalidInput("a threshold is listed twice", code="invalid_threshold")


def _check_period(body: BudgetCreate) -> None:
    if body.period == "monthly":
        if body.start_date is not None or body.end_date is not None:
            raise InvalidInput("a monthly budget takes no dates", code="invalid_period")
        return
    if body.start_date is None or body.end_date is None:
        raise InvalidInput("a custom budget needs start_date and end_date", code="invalid_period")
    if body.end_date < body.start_date:
        raise InvalidInput("end_date is before start_date", code="invalid_period")
    if (body.end_date - body.start_date).days > MAX_RANGE_DAYS:
        raise InvalidInput(f"a period spans at most {MAX_RANGE_DAYS} days", code="invalid_period")


def _check(body: BudgetCreate) -> None:
    if not body.amount.is_finite() or body.amount <= 0:
        raise InvalidInput("the amount must be a positive number", code="invalid_amount",
                           amount=str(body.amount))  # fmt: skip
    _check_thresholds(body.thresholds)
    _check_period(body)


async def _apply(session: AsyncSession, budget: Budget, body: BudgetCreate) -> None:
    _check(body)
    budget.scope = await scopes.normalise(session, budget.tenant, body.scope)
    budget.name, budget.amount, budget.currency = body.name, body.amount, body.currency.upper()
    budget.period, budget.start_date, budget.end_date = body.period, body.start_date, body.end_date
    budget.thresholds = [t.model_dump() for t in body.thresholds]


async def create(session: AsyncSession, tenant: str, actor: str, body: BudgetCreate) -> Budget:
    budget = Budget(tenant=tenant, created_by=actor)
    await _apply(session, budget, body)
    session.add(budget)
    await session.flush()
    await session.refresh(budget)
    return budget


async def update(session: AsyncSession, budget: Budget, body: BudgetCreate) -> Budget:
    """Replace the definition; notices already sent this period stay sent."""
    await _apply(session, budget, body)
    await session.flush()
    await session.refresh(budget)
    return budget


def out(budget: Budget) -> BudgetOut:
    return BudgetOut(
        id=budget.id, name=budget.name, scope=budget.scope, amount=exact(budget.amount),
        currency=budget.currency, period=cast(PeriodKind, budget.period),
        start_date=budget.start_date, end_date=budget.end_date,
        thresholds=_thresholds(budget),
        created_at=budget.created_at, updated_at=budget.updated_at,
    )  # fmt: skip


def _thresholds(budget: Budget) -> list[Threshold]:
    return [Threshold.model_validate(t) for t in budget.thresholds]


async def _status(session: AsyncSession, budget: Budget, found: Measure) -> BudgetStatus:
    sent = await repository.notices(session, budget.id, found.period.first)
    states = [
        ThresholdState(percent=t.percent, basis=t.basis,
                       crossed=reached(found, t.basis, t.percent, budget.amount),
                       notified_at=sent.get((t.percent, t.basis)))
        for t in _thresholds(budget)
    ]  # fmt: skip
    return BudgetStatus(
        budget_id=budget.id, period_start=found.period.first, period_end=found.period.last,
        as_of=found.as_of, currency=budget.currency, budget_amount=exact(budget.amount),
        spent=exact(found.spent), forecast=exact(found.forecast),
        percent_spent=exact(percent_of(found.spent, budget.amount)),
        percent_forecast=exact(percent_of(found.forecast, budget.amount)), thresholds=states,
    )  # fmt: skip


async def _measure(session: AsyncSession, budget: Budget, as_of: date | None) -> Measure:
    """``as_of`` given: its period, split there; else today's period as of the latest data."""
    period = period_on(budget, as_of or datetime.now(UTC).date())
    return await measure(session, budget, period, as_of)


async def status(session: AsyncSession, budget: Budget, as_of: date | None) -> BudgetStatus:
    return await _status(session, budget, await _measure(session, budget, as_of))


async def statuses(
    session: AsyncSession, tenant: str, ids: list[uuid.UUID], as_of: date | None
) -> BudgetStatusBatch:
    """``status`` of each of the company's budgets among ``ids``, in the order asked."""
    found = await repository.by_ids(session, tenant, ids)
    items = []
    for budget_id in ids:
        budget = found.get(budget_id)
        current = None if budget is None else await status(session, budget, as_of)
        items.append(BudgetStatusItem(budget_id=budget_id, found=budget is not None,
                                      status=current))  # fmt: skip
    return BudgetStatusBatch(items=items)


async def _notify(session: AsyncSession, budget: Budget, found: Measure) -> list[Threshold]:
    """Claim every crossed threshold not yet noticed this period; the claimed ones."""
    claimed = []
    for t in _thresholds(budget):
        if not reached(found, t.basis, t.percent, budget.amount):
            continue
        value = found.spent if t.basis == "actual" else found.forecast
        if await repository.claim_notice(session, budget.id, found.period.first, t.percent,
                                         t.basis, value):  # fmt: skip
            claimed.append(t)
    return claimed


def _events(budget: Budget, found: Measure, claimed: list[Threshold]) -> list[Envelope]:
    return [events.exceeded(budget, found, t.percent, t.basis) for t in claimed]


async def evaluate(
    session: AsyncSession, budget: Budget, as_of: date | None
) -> tuple[Evaluation, list[Envelope]]:
    """The status, and the events of thresholds crossed for the first time this period."""
    found = await _measure(session, budget, as_of)
    claimed = await _notify(session, budget, found)
    current = await _status(session, budget, found)
    return Evaluation(**current.model_dump(), notified=claimed), _events(budget, found, claimed)


async def after_ingest(
    session: AsyncSession, tenant: str, ingested: DeliveryIngested
) -> list[Envelope]:
    """Evaluate every budget of the company over the periods the delivery touched."""
    sent: list[Envelope] = []
    for budget in await repository.list_for(session, tenant):
        for period in periods_overlapping(budget, ingested.billing_period_start,
                                          ingested.billing_period_end):  # fmt: skip
            found = await measure(session, budget, period, None)
            sent += _events(budget, found, await _notify(session, budget, found))
    return sent
