"""Shapes of budgets and their status; amounts go out as exact decimal strings.

Input is checked loosely here (types) and strictly in ``service`` (rules), so
that each broken rule answers 422 with its own code.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Basis = Literal["actual", "forecast"]
PeriodKind = Literal["monthly", "custom"]
MAX_THRESHOLDS = 20


class Threshold(BaseModel):
    model_config = ConfigDict(extra="forbid")

    percent: int = Field(description="Of the budget amount, 1..1000")
    basis: Basis = Field(default="actual", description="Spend so far, or the period's forecast")


class BudgetScope(BaseModel):
    """``company``; ``account`` (``account_id``); ``service_group`` (``group_id``);
    ``tag`` (``key`` and ``value``)."""

    model_config = ConfigDict(extra="forbid")

    type: str
    account_id: str | None = None
    group_id: str | None = None
    key: str | None = None
    value: str | None = None


class BudgetCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    scope: BudgetScope
    amount: Decimal
    currency: str = Field(pattern=r"^[A-Za-z]{3}$")
    period: PeriodKind = "monthly"
    start_date: date | None = Field(default=None, description="Custom periods: first day")
    end_date: date | None = Field(default=None, description="Custom periods: last day, included")
    thresholds: list[Threshold] = Field(default_factory=list, max_length=MAX_THRESHOLDS)


class BudgetOut(BaseModel):
    id: uuid.UUID
    name: str
    scope: dict[str, str]
    amount: str
    currency: str
    period: PeriodKind
    start_date: date | None
    end_date: date | None
    thresholds: list[Threshold]
    created_at: datetime
    updated_at: datetime


class BudgetList(BaseModel):
    items: list[BudgetOut]


class ThresholdState(Threshold):
    crossed: bool
    notified_at: datetime | None = Field(description="When its notice went out this period")


class BudgetStatus(BaseModel):
    """The budget's period containing ``as_of``; days before ``as_of`` are actual."""

    budget_id: uuid.UUID
    period_start: date
    period_end: date
    as_of: date
    currency: str
    budget_amount: str
    spent: str
    forecast: str
    percent_spent: str
    percent_forecast: str
    thresholds: list[ThresholdState]


class BudgetStatusItem(BaseModel):
    """A batch item: ``status`` when the company has the budget (``found``), else null."""

    budget_id: uuid.UUID
    found: bool
    status: BudgetStatus | None = None


class BudgetStatusBatch(BaseModel):
    items: list[BudgetStatusItem] = Field(description="One per id, in the order asked")


class Evaluation(BudgetStatus):
    notified: list[Threshold] = Field(description="Thresholds whose notice this evaluation sent")
