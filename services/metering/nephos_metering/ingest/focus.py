"""FOCUS 1.0-1.2 files (as AWS and Azure export them) to ``costs`` rows.

The columns already are FOCUS: each is read by its FOCUS name, checked the way
the CUR mapping checks its own output (exact decimals, ISO currency, UTC
timestamps, a charge period that does not end before it starts) and checked
against FOCUS's allowed values, so a file that is not valid FOCUS is refused
at the row and column where it breaks instead of being stored as it is.
Extension columns the providers add (``x_UsageType``, ``x_Operation``,
``x_ServiceCode``) land in the matching ``x_`` columns when present.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from nephos_metering.ingest.cur import ALLOWED_CHARGE_CATEGORIES, Stamp, cost_row
from nephos_metering.ingest.values import (
    ValueProblem,
    currency_of,
    decimal_of,
    map_of,
    optional_decimal,
    required_text,
    text_of,
    timestamp_of,
)

# Mandatory in FOCUS 1.0 and later and needed for a cost row.
REQUIRED_COLUMNS = frozenset({
    "BilledCost", "BillingAccountId", "BillingCurrency", "BillingPeriodStart", "BillingPeriodEnd",
    "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargePeriodStart", "ChargePeriodEnd",
    "ContractedCost", "EffectiveCost", "ListCost", "ServiceCategory", "ServiceName",
})  # fmt: skip

ALLOWED_CHARGE_CLASSES = frozenset({"Correction"})
ALLOWED_SERVICE_CATEGORIES = frozenset({
    "AI and Machine Learning", "Analytics", "Business Applications", "Compute", "Databases",
    "Developer Tools", "Multicloud", "Identity", "Integration", "Internet of Things",
    "Management and Governance", "Media", "Migration", "Mobile", "Networking", "Security",
    "Storage", "Web", "Other",
})  # fmt: skip
ALLOWED_COMMITMENT_TYPES = frozenset({"Spend", "Usage"})


def _allowed(raw: Mapping[str, Any], column: str, allowed: frozenset[str]) -> str | None:
    value = text_of(raw.get(column))
    if value is not None and value not in allowed:
        raise ValueProblem(column, value, "is not a value FOCUS allows")
    return value


def _required_allowed(raw: Mapping[str, Any], column: str, allowed: frozenset[str]) -> str:
    value = _allowed(raw, column, allowed)
    if value is None:
        raise ValueProblem(column, raw.get(column), "is missing")
    return value


def _money(raw: Mapping[str, Any], column: str) -> Any:
    return decimal_of(column, raw.get(column))


def _optional(raw: Mapping[str, Any], column: str) -> Any:
    return optional_decimal(column, raw.get(column))


def _time(raw: Mapping[str, Any], column: str) -> Any:
    return timestamp_of(column, raw.get(column))


def _text(raw: Mapping[str, Any], column: str) -> str | None:
    return text_of(raw.get(column))


def to_focus(raw: Mapping[str, Any], stamp: Stamp) -> tuple[Any, ...]:
    """One FOCUS row as a ``costs`` row in ``COST_COLUMNS`` order."""
    category = _required_allowed(raw, "ChargeCategory", ALLOWED_CHARGE_CATEGORIES)
    row: dict[str, Any] = {
        "billing_account_id": required_text("BillingAccountId", raw.get("BillingAccountId")),
        "sub_account_id": _text(raw, "SubAccountId"),
        "billing_period_start": _time(raw, "BillingPeriodStart"),
        "billing_period_end": _time(raw, "BillingPeriodEnd"),
        "charge_period_start": _time(raw, "ChargePeriodStart"),
        "charge_period_end": _time(raw, "ChargePeriodEnd"),
        "billed_cost": _money(raw, "BilledCost"),
        "effective_cost": _money(raw, "EffectiveCost"),
        "list_cost": _money(raw, "ListCost"),
        "contracted_cost": _money(raw, "ContractedCost"),
        "billing_currency": currency_of("BillingCurrency", raw.get("BillingCurrency")),
        "charge_category": category,
        "charge_class": _allowed(raw, "ChargeClass", ALLOWED_CHARGE_CLASSES),
        "charge_description": _text(raw, "ChargeDescription"),
        "service_name": required_text("ServiceName", raw.get("ServiceName")),
        "service_category": _required_allowed(raw, "ServiceCategory", ALLOWED_SERVICE_CATEGORIES),
        "region_id": _text(raw, "RegionId"),
        "resource_id": _text(raw, "ResourceId"),
        "resource_type": _text(raw, "ResourceType"),
        "sku_id": _text(raw, "SkuId"),
        "pricing_quantity": _optional(raw, "PricingQuantity"),
        "pricing_unit": _text(raw, "PricingUnit"),
        "consumed_quantity": _optional(raw, "ConsumedQuantity"),
        "consumed_unit": _text(raw, "ConsumedUnit"),
        "commitment_discount_id": _text(raw, "CommitmentDiscountId"),
        "commitment_discount_type": _text(raw, "CommitmentDiscountType"),
        "tags": json.dumps(map_of("Tags", raw.get("Tags"))),
        "x_line_item_type": None,
        "x_product_code": _text(raw, "x_ServiceCode"),
        "x_usage_type": _text(raw, "x_UsageType"),
        "x_operation": _text(raw, "x_Operation"),
        "invoice_id": _text(raw, "InvoiceId"),
    }
    _allowed(raw, "CommitmentDiscountCategory", ALLOWED_COMMITMENT_TYPES)
    if row["charge_period_end"] < row["charge_period_start"]:
        raise ValueProblem("ChargePeriodEnd", raw.get("ChargePeriodEnd"),
                           "is before ChargePeriodStart")  # fmt: skip
    if row["billing_period_end"] <= row["billing_period_start"]:
        raise ValueProblem("BillingPeriodEnd", raw.get("BillingPeriodEnd"),
                           "is not after BillingPeriodStart")  # fmt: skip
    return cost_row(stamp, row)
