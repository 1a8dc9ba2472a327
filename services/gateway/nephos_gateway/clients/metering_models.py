"""The metering service's REST answers as the gateway reads them.

Defined here, not imported from the service (see ``asset_models``). Amounts
are exact decimals: the service sends them as strings and they are parsed
as ``Decimal``, never as floats.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class CostOverview(_Answer):
    as_of: date
    currency: str | None = None
    hot_bill: Decimal
    month_to_date: Decimal
    data_through: datetime | None = None


class GroupTotal(_Answer):
    key: str | None = None
    currency: str
    billed_cost: Decimal
    effective_cost: Decimal


class OtherTotal(_Answer):
    currency: str
    groups: int
    billed_cost: Decimal
    effective_cost: Decimal


class CostSummary(_Answer):
    start: date
    end: date
    group_by: str
    tag_key: str | None = None
    limit: int | None = None
    items: list[GroupTotal]
    other: list[OtherTotal] = []


class Delivery(_Answer):
    """One billing delivery (a CUR billing period of an account) and how its ingest went."""

    id: str
    account_id: str
    source: str
    bucket: str
    manifest_key: str
    files: list[str]
    billing_account_id: str | None = None
    billing_period_start: datetime
    billing_period_end: datetime
    status: str
    row_count: int
    billed_cost_total: Decimal | None = None
    billing_currency: str | None = None
    error: str | None = None
    requested_at: datetime
    finished_at: datetime | None = None


class DeliveryList(_Answer):
    items: list[Delivery]


class Forecast(_Answer):
    """A month-end total: ``forecast`` within [``low``, ``high``] (about 95 %)."""

    as_of: date
    currency: str | None = None
    actual_to_date: Decimal
    forecast: Decimal
    low: Decimal
    high: Decimal
    method: str
    basis_days: int


class ComparisonPeriod(_Answer):
    month: str
    start: date
    end: date
    billed_cost: Decimal


class Comparison(_Answer):
    as_of: date
    currency: str | None = None
    periods: list[ComparisonPeriod]


class TrendDay(_Answer):
    day: int
    this_month: Decimal | None = None
    last_month: Decimal | None = None
    month_before: Decimal | None = None
    average_11_months: Decimal | None = None
    min_11_months: Decimal | None = None
    max_11_months: Decimal | None = None


class Trend(_Answer):
    as_of: date
    currency: str | None = None
    months_in_average: int
    days: list[TrendDay]


class CurrencyTotal(_Answer):
    currency: str
    billed_cost: Decimal
    effective_cost: Decimal


class DayCost(CurrencyTotal):
    day: date


class ServiceCost(CurrencyTotal):
    service: str | None = None


class AssetCost(_Answer):
    """One asset's cost over a period; ``found`` is false when metering does not know it.

    The service sends the period once per batch; the client copies it onto each item.
    """

    asset_id: str
    found: bool
    start: date | None = None
    end: date | None = None
    totals: list[CurrencyTotal] = []
    daily: list[DayCost] | None = None


class AssetCostBatch(_Answer):
    start: date
    end: date
    items: list[AssetCost]


class GroupCost(_Answer):
    """One service group's cost over a period (copied onto it as for ``AssetCost``)."""

    group_id: str
    found: bool
    start: date | None = None
    end: date | None = None
    totals: list[CurrencyTotal] = []
    by_service: list[ServiceCost] = []
    daily: list[DayCost] = []


class GroupCostBatch(_Answer):
    start: date
    end: date
    items: list[GroupCost]


class Threshold(_Answer):
    percent: int
    basis: str


class ThresholdState(Threshold):
    crossed: bool
    notified_at: datetime | None = None


class BudgetStatusItem(_Answer):
    budget_id: str
    found: bool
    status: BudgetStatus | None = None


class BudgetStatusBatch(_Answer):
    items: list[BudgetStatusItem]


class Budget(_Answer):
    id: str
    name: str
    scope: dict[str, str]
    amount: Decimal
    currency: str
    period: str
    start_date: date | None = None
    end_date: date | None = None
    thresholds: list[Threshold]
    created_at: datetime
    updated_at: datetime


class BudgetList(_Answer):
    items: list[Budget]


class BudgetStatus(_Answer):
    budget_id: str
    period_start: date
    period_end: date
    as_of: date
    currency: str
    budget_amount: Decimal
    spent: Decimal
    forecast: Decimal
    percent_spent: Decimal
    percent_forecast: Decimal
    thresholds: list[ThresholdState]


class BudgetEvaluation(BudgetStatus):
    """The status, and the thresholds whose notice this evaluation sent."""

    notified: list[Threshold]


class Anomaly(_Answer):
    id: str
    account_id: str
    service_name: str
    day: date
    currency: str
    actual: Decimal
    expected: Decimal
    expected_low: Decimal
    expected_high: Decimal
    detected_at: datetime
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None


class AnomalyList(_Answer):
    items: list[Anomaly]


class Detection(_Answer):
    detected: list[Anomaly]
    """Anomalies new to this run."""


class Recommendation(_Answer):
    id: str
    kind: str
    asset_id: str | None = None
    provider: str | None = None
    native_type: str | None = None
    resource_id: str | None = None
    reason: str
    details: dict[str, Any]
    monthly_saving: Decimal
    currency: str | None = None
    status: str
    computed_at: datetime


class SavingTotal(_Answer):
    kind: str
    currency: str | None = None
    count: int
    monthly_saving: Decimal


class RecommendationPage(_Answer):
    items: list[Recommendation]
    next_cursor: str | None = None
    totals: list[SavingTotal]
    computed_at: datetime | None = None


class RecommendationRefresh(_Answer):
    computed_at: datetime
    found: int


class CostSetFilters(_Answer):
    account_ids: list[str] = []
    services: list[str] = []
    regions: list[str] = []
    charge_categories: list[str] = []
    tags: dict[str, str] = {}


class CostSet(_Answer):
    id: str
    name: str
    filters: CostSetFilters
    group_by: str
    period: str | None = None
    created_at: datetime
    updated_at: datetime


class CostSetList(_Answer):
    items: list[CostSet]


class Freshness(_Answer):
    account_id: str
    data_through: datetime | None = None
    last_delivery_at: datetime | None = None
    provisional_from: datetime | None = None


class FreshnessList(_Answer):
    items: list[Freshness]


class Source(_Answer):
    id: str
    account_id: str
    kind: str
    name: str
    config: dict[str, Any]
    interval_minutes: int | None = None
    daily_hour: int | None = None
    enabled: bool
    last_run_requested_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class SourceList(_Answer):
    items: list[Source]


class IngestRun(_Answer):
    id: str
    source_id: str
    account_id: str
    kind: str
    trigger: str
    status: str
    billing_periods: list[str]
    periods_done: int
    error: str | None = None
    requested_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None


class IngestRunList(_Answer):
    items: list[IngestRun]


class InvoiceLine(_Answer):
    account: str | None = None
    service: str | None = None
    cost: Decimal
    amount: Decimal


class InvoiceSection(_Answer):
    currency: str
    lines: list[InvoiceLine]
    subtotal: Decimal
    adjustment_percent: Decimal
    adjustment: Decimal
    total: Decimal


class Invoice(_Answer):
    company: str
    billing_period: str
    period_start: date
    period_end: date
    provisional: bool
    rounding_rule: str
    sections: list[InvoiceSection]


class InvoiceTerms(_Answer):
    adjustment_percent: Decimal
    note: str | None = None
    updated_by: str | None = None
    updated_at: datetime | None = None


class CostAllocationTag(_Answer):
    key: str
    marked_by: str
    marked_at: datetime
    ready_at: datetime | None = None


class CostAllocationTagList(_Answer):
    items: list[CostAllocationTag]


class CostTagKey(_Answer):
    key: str
    marked: bool


class CostTagKeyList(_Answer):
    items: list[CostTagKey]


class ItemError(_Answer):
    code: str
    message: str


class CostSetCostsItem(_Answer):
    cost_set_id: str
    found: bool
    costs: CostSummary | None = None
    error: ItemError | None = None


class CostSetCostsBatch(_Answer):
    items: list[CostSetCostsItem]
