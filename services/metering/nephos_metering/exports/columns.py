"""The FOCUS 1.2 CostAndUsage columns of an export, in the specification's order,
with their Parquet types and how each is read from a stored cost row.

Stored rows carry the FOCUS columns the bill provides; the columns a bill
cannot supply (names we do not hold, unit prices of AWS CUR lines, capacity
reservations) are exported as null, which FOCUS allows for them. Provider
facts outside FOCUS leave with the ``x_`` prefix FOCUS reserves for them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyarrow as pa

DECIMAL = pa.decimal128(38, 18)
"""Exact to 18 places: every amount a provider bills fits without rounding."""
DATETIME = pa.timestamp("us", tz="UTC")
STRING = pa.string()

Getter = Callable[["ExportRow"], Any]


@dataclass(frozen=True)
class ExportRow:
    """A stored cost row (any object with the ``costs`` columns as attributes) and the
    source of the delivery it came from."""

    cost: Any
    source: str


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    get: Getter


def provider_name(row: ExportRow) -> str:
    """Who provides the service; the delivery's source says, else the id's form does."""
    source = row.source.lower()
    arm_id = (row.cost.resource_id or "").lower().startswith("/subscriptions/")
    if source.startswith("aws"):
        return "AWS"
    if source.startswith("azure") or arm_id:
        return "Microsoft"
    return "AWS" if row.cost.x_product_code else "Unknown"


RECURRING_FEES = frozenset({"RIFee", "SavingsPlanRecurringFee"})


def charge_frequency(row: ExportRow) -> str:
    """Usage is usage-based; commitment fees recur monthly; anything else is one-time."""
    if row.cost.charge_category == "Usage":
        return "Usage-Based"
    return "Recurring" if row.cost.x_line_item_type in RECURRING_FEES else "One-Time"


def commitment_category(row: ExportRow) -> str | None:
    kind = (row.cost.commitment_discount_type or "").lower()
    if not row.cost.commitment_discount_id:
        return None
    return "Spend" if "saving" in kind else "Usage"


def commitment_status(row: ExportRow) -> str | None:
    """Used when usage consumed it; Unused for the leftover a commitment fee covers."""
    cost = row.cost
    if not cost.commitment_discount_id or cost.charge_category != "Usage":
        return None
    return "Unused" if (cost.x_line_item_type or "").startswith("Unused") else "Used"


def pricing_category(row: ExportRow) -> str | None:
    if row.cost.charge_category != "Usage":
        return None
    return "Committed" if row.cost.commitment_discount_id else "Standard"


def service_category(row: ExportRow) -> str:
    """FOCUS has a category for everything: ``Other`` when the bill named none."""
    return row.cost.service_category or "Other"


def service_subcategory(row: ExportRow) -> str:
    """The bill names no subcategory; FOCUS's catch-all of the category is the honest one."""
    return f"Other ({service_category(row)})"


def tags(row: ExportRow) -> str | None:
    return (
        json.dumps(row.cost.tags, sort_keys=True, separators=(",", ":")) if row.cost.tags else None
    )


def _attr(name: str) -> Getter:
    return lambda row: getattr(row.cost, name)


def _none(_: ExportRow) -> None:
    return None


AWS_UNITS = {"Hrs": "Hours", "hours": "Hours", "GB-Mo": "GB-Months", "GB-Hours": "GB-Hours",
             "Hour": "Hours", "IOs": "IOs", "Requests": "Requests", "GB": "GB"}  # fmt: skip
"""CUR's unit spellings in FOCUS UnitFormat; units not listed pass unchanged."""


def _unit(name: str) -> Getter:
    def get(row: ExportRow) -> str | None:
        value: str | None = getattr(row.cost, name)
        return AWS_UNITS.get(value, value) if value else value

    return get


def _decimal_or_zero(name: str) -> Getter:
    """FOCUS requires ListCost and ContractedCost; a bill without them prices at cost."""

    def get(row: ExportRow) -> Decimal:
        value = getattr(row.cost, name)
        return value if value is not None else row.cost.effective_cost

    return get


COLUMNS: tuple[Column, ...] = (
    Column("AvailabilityZone", STRING, _none),
    Column("BilledCost", DECIMAL, _attr("billed_cost")),
    Column("BillingAccountId", STRING, _attr("billing_account_id")),
    Column("BillingAccountName", STRING, _attr("billing_account_id")),
    Column("BillingAccountType", STRING, _none),
    Column("BillingCurrency", STRING, _attr("billing_currency")),
    Column("BillingPeriodEnd", DATETIME, _attr("billing_period_end")),
    Column("BillingPeriodStart", DATETIME, _attr("billing_period_start")),
    Column("CapacityReservationId", STRING, _none),
    Column("CapacityReservationStatus", STRING, _none),
    Column("ChargeCategory", STRING, _attr("charge_category")),
    Column("ChargeClass", STRING, _attr("charge_class")),
    Column("ChargeDescription", STRING, _attr("charge_description")),
    Column("ChargeFrequency", STRING, charge_frequency),
    Column("ChargePeriodEnd", DATETIME, _attr("charge_period_end")),
    Column("ChargePeriodStart", DATETIME, _attr("charge_period_start")),
    Column("CommitmentDiscountCategory", STRING, commitment_category),
    Column("CommitmentDiscountId", STRING, _attr("commitment_discount_id")),
    Column("CommitmentDiscountName", STRING, _none),
    Column("CommitmentDiscountQuantity", DECIMAL, _none),
    Column("CommitmentDiscountStatus", STRING, commitment_status),
    Column("CommitmentDiscountType", STRING, _attr("commitment_discount_type")),
    Column("CommitmentDiscountUnit", STRING, _none),
    Column("ConsumedQuantity", DECIMAL, _attr("consumed_quantity")),
    Column("ConsumedUnit", STRING, _unit("consumed_unit")),
    Column("ContractedCost", DECIMAL, _decimal_or_zero("contracted_cost")),
    Column("ContractedUnitPrice", DECIMAL, _none),
    Column("EffectiveCost", DECIMAL, _attr("effective_cost")),
    Column("InvoiceId", STRING, _attr("invoice_id")),
    Column("InvoiceIssuerName", STRING, provider_name),
    Column("ListCost", DECIMAL, _decimal_or_zero("list_cost")),
    Column("ListUnitPrice", DECIMAL, _none),
    Column("PricingCategory", STRING, pricing_category),
    Column("PricingQuantity", DECIMAL, _attr("pricing_quantity")),
    Column("PricingUnit", STRING, _unit("pricing_unit")),
    Column("ProviderName", STRING, provider_name),
    Column("PublisherName", STRING, provider_name),
    Column("RegionId", STRING, _attr("region_id")),
    Column("RegionName", STRING, _attr("region_id")),
    Column("ResourceId", STRING, _attr("resource_id")),
    Column("ResourceName", STRING, _attr("resource_id")),
    Column("ResourceType", STRING, _attr("resource_type")),
    Column("ServiceCategory", STRING, service_category),
    Column("ServiceName", STRING, _attr("service_name")),
    Column("ServiceSubcategory", STRING, service_subcategory),
    Column("SkuId", STRING, _attr("sku_id")),
    Column("SkuMeter", STRING, _none),
    Column("SkuPriceDetails", STRING, _none),
    Column("SkuPriceId", STRING, _none),
    Column("SubAccountId", STRING, _attr("sub_account_id")),
    Column("SubAccountName", STRING, _attr("sub_account_id")),
    Column("SubAccountType", STRING, _none),
    Column("Tags", STRING, tags),
    Column("x_LineItemType", STRING, _attr("x_line_item_type")),
    Column("x_ProductCode", STRING, _attr("x_product_code")),
    Column("x_UsageType", STRING, _attr("x_usage_type")),
    Column("x_Operation", STRING, _attr("x_operation")),
)

SCHEMA = pa.schema([pa.field(c.name, c.type) for c in COLUMNS])
