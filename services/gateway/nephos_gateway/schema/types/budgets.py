"""Budgets: an amount per month (or a custom period) for the company, an account,
a service group or a tag, with thresholds on spend or forecast.

Viewers read them and their status; operators change them. Amounts are exact
``Decimal`` values.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

import strawberry

from nephos_gateway.clients import metering_models as m
from nephos_gateway.clients.errors import NotFound
from nephos_gateway.schema.context import GatewayContext
from nephos_gateway.schema.types.common import UserError

# Service codes of a refused budget and the input they are about.
INPUT_OF_CODE = {
    "invalid_amount": "input.amount",
    "invalid_threshold": "input.thresholds",
    "invalid_period": "input.period",
    "unknown_scope": "input.scope",
}


@strawberry.enum(description="What a budget covers.")
class BudgetScopeType(enum.Enum):
    COMPANY = "company"
    ACCOUNT = "account"
    SERVICE_GROUP = "service_group"
    TAG = "tag"


@strawberry.enum
class BudgetPeriod(enum.Enum):
    MONTHLY = "monthly"
    CUSTOM = "custom"


@strawberry.enum(description="What a threshold compares: spend so far, or the period's forecast.")
class ThresholdBasis(enum.Enum):
    ACTUAL = "actual"
    FORECAST = "forecast"


@strawberry.type(description="What a budget covers; only the fields of its type are set.")
class BudgetScope:
    type: BudgetScopeType
    account_id: strawberry.ID | None = None
    group_id: strawberry.ID | None = None
    key: str | None = None
    value: str | None = None

    @classmethod
    def of(cls, scope: dict[str, str]) -> BudgetScope:
        def given(name: str) -> strawberry.ID | None:
            return strawberry.ID(scope[name]) if name in scope else None

        return cls(
            type=BudgetScopeType(scope["type"]),
            account_id=given("account_id"),
            group_id=given("group_id"),
            key=scope.get("key"),
            value=scope.get("value"),
        )


@strawberry.type
class BudgetThreshold:
    percent: int = strawberry.field(description="Of the budget amount, 1..1000.")
    basis: ThresholdBasis


def thresholds_of(found: Sequence[m.Threshold]) -> list[BudgetThreshold]:
    return [BudgetThreshold(percent=t.percent, basis=ThresholdBasis(t.basis)) for t in found]


@strawberry.type(description="A threshold in the current period: crossed, and when it was told.")
class BudgetThresholdState(BudgetThreshold):
    crossed: bool
    notified_at: datetime | None


@strawberry.type(description="A budget's period as of a day: days before it are actual.")
class BudgetStatus:
    period_start: date
    period_end: date
    as_of: date
    currency: str
    budget_amount: Decimal
    spent: Decimal
    forecast: Decimal = strawberry.field(description="The period's expected total.")
    percent_spent: Decimal
    percent_forecast: Decimal
    thresholds: list[BudgetThresholdState]

    @classmethod
    def of(cls, s: m.BudgetStatus) -> BudgetStatus:
        thresholds = [
            BudgetThresholdState(
                percent=t.percent,
                basis=ThresholdBasis(t.basis),
                crossed=t.crossed,
                notified_at=t.notified_at,
            )
            for t in s.thresholds
        ]
        return cls(
            period_start=s.period_start,
            period_end=s.period_end,
            as_of=s.as_of,
            currency=s.currency,
            budget_amount=s.budget_amount,
            spent=s.spent,
            forecast=s.forecast,
            percent_spent=s.percent_spent,
            percent_forecast=s.percent_forecast,
            thresholds=thresholds,
        )


@strawberry.type
class Budget:
    id: strawberry.ID
    name: str
    scope: BudgetScope
    amount: Decimal
    currency: str
    period: BudgetPeriod
    start_date: date | None = strawberry.field(description="Custom periods only.")
    end_date: date | None = strawberry.field(description="Custom periods only, included.")
    thresholds: list[BudgetThreshold]
    created_at: datetime
    updated_at: datetime

    @strawberry.field(
        description="Spent, forecast and crossed thresholds of the period containing asOf "
        "(by default the current one); null, with an error, if the budget is deleted "
        "meanwhile."
    )
    async def status(
        self,
        info: strawberry.Info[GatewayContext],
        as_of: Annotated[date | None, strawberry.argument(description="Latest costs.")] = None,
    ) -> BudgetStatus | None:
        found = await info.context.metering_loaders.budget_statuses.load((str(self.id), as_of))
        if found is None or found.status is None:
            raise NotFound(
                f"budget {self.id} not found", service="metering", code="budget_not_found"
            )
        return BudgetStatus.of(found.status)

    @classmethod
    def of(cls, b: m.Budget) -> Budget:
        return cls(
            id=strawberry.ID(b.id),
            name=b.name,
            scope=BudgetScope.of(b.scope),
            amount=b.amount,
            currency=b.currency,
            period=BudgetPeriod(b.period),
            start_date=b.start_date,
            end_date=b.end_date,
            thresholds=thresholds_of(b.thresholds),
            created_at=b.created_at,
            updated_at=b.updated_at,
        )


@strawberry.input(description="Give the fields of the scope's type: accountId, groupId, key+value.")
class BudgetScopeInput:
    type: BudgetScopeType
    account_id: strawberry.ID | None = None
    group_id: strawberry.ID | None = None
    key: str | None = None
    value: str | None = None

    def body(self) -> dict[str, Any]:
        given = {
            "type": self.type.value,
            "account_id": str(self.account_id) if self.account_id is not None else None,
            "group_id": str(self.group_id) if self.group_id is not None else None,
            "key": self.key,
            "value": self.value,
        }
        return {k: v for k, v in given.items() if v is not None}


@strawberry.input
class BudgetThresholdInput:
    percent: int
    basis: ThresholdBasis = ThresholdBasis.ACTUAL


@strawberry.input(description="The whole budget; an update replaces every field.")
class BudgetInput:
    name: str
    scope: BudgetScopeInput
    amount: Decimal = strawberry.field(description="Positive, in the currency.")
    currency: str = strawberry.field(description="ISO 4217, e.g. USD.")
    period: BudgetPeriod = BudgetPeriod.MONTHLY
    start_date: date | None = None
    end_date: date | None = None
    thresholds: list[BudgetThresholdInput] = strawberry.field(default_factory=list)

    def body(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "scope": self.scope.body(),
            "amount": str(self.amount),
            "currency": self.currency,
            "period": self.period.value,
            "start_date": self.start_date.isoformat() if self.start_date else None,
            "end_date": self.end_date.isoformat() if self.end_date else None,
            "thresholds": [{"percent": t.percent, "basis": t.basis.value} for t in self.thresholds],
        }


@strawberry.type
class BudgetPayload:
    budget: Budget | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteBudgetPayload:
    deleted_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class EvaluateBudgetPayload:
    status: BudgetStatus | None = None
    notified: list[BudgetThreshold] | None = strawberry.field(
        default=None,
        description="Thresholds crossed for the first time this period: their notice went now.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def of(cls, e: m.BudgetEvaluation) -> EvaluateBudgetPayload:
        return cls(status=BudgetStatus.of(e), notified=thresholds_of(e.notified))
