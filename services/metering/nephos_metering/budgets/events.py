"""Budget events, built from the budget and the measure that crossed a threshold."""

from __future__ import annotations

from nephos_common.contracts.metering import BudgetExceeded
from nephos_common.messaging.envelope import Envelope
from nephos_metering.budgets.evaluation import Measure
from nephos_metering.budgets.models import Budget
from nephos_metering.costs.service import exact

SOURCE = "metering"


def exceeded(budget: Budget, measure: Measure, percent: int, basis: str) -> Envelope:
    amount = measure.spent if basis == "actual" else measure.forecast
    return BudgetExceeded(
        budget_id=budget.id,
        budget_name=budget.name,
        scope=budget.scope,
        period_start=measure.period.first,
        period_end=measure.period.last,
        threshold_percent=percent,
        basis=basis,
        amount=exact(amount),
        budget_amount=exact(budget.amount),
        currency=budget.currency,
    ).envelope(tenant=budget.tenant, source=SOURCE)
