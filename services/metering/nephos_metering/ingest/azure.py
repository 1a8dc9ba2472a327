"""Azure cost details exports (EA and MCA, actual or amortized) to FOCUS 1.2 columns.

=========================  ===================================================
FOCUS column               Cost details source
=========================  ===================================================
BillingAccountId           BillingAccountId
SubAccountId               SubscriptionId
BillingPeriodStart/End     BillingPeriodStartDate / BillingPeriodEndDate + 1 day
                           (Azure states the period's last day, FOCUS the end)
ChargePeriodStart/End      Date / Date + 1 day
BilledCost                 actual: CostInBillingCurrency. amortized: the same,
                           except commitment-covered usage and unused
                           commitment, which were paid for by the purchase: 0
EffectiveCost              amortized: CostInBillingCurrency, except commitment
                           purchases (spread over the usage instead): 0.
                           actual: CostInBillingCurrency (no amortisation known)
ListCost                   PayGPrice x Quantity
ContractedCost             UnitPrice x Quantity, else BilledCost
BillingCurrency            BillingCurrencyCode (EA), BillingCurrency (MCA)
ChargeCategory             ChargeType (``CHARGE_CATEGORY``)
ServiceName                MeterCategory, else ProductName
ServiceCategory            MeterCategory (``SERVICE_CATEGORY``)
RegionId                   ResourceLocation, lower case without spaces
ResourceId / ResourceType  ResourceId / its provider type
SkuId                      MeterId
PricingQuantity/Unit       Quantity / UnitOfMeasure (Usage rows also consumed)
CommitmentDiscountId/Type  BenefitId (or ReservationId) / by PricingModel
Tags                       Tags (JSON; EA writes it without the outer braces)
x_line_item_type           ChargeType; x_product_code MeterCategory;
                           x_usage_type MeterSubCategory; x_operation MeterName
=========================  ===================================================

EA files use ``PascalCase`` headers and MCA files ``camelCase``: headers are
matched without regard to case and brought to the names above.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

from nephos_metering.ingest.cur import Stamp, cost_row
from nephos_metering.ingest.values import (
    ValueProblem,
    blank,
    currency_of,
    day_of,
    decimal_of,
    map_of,
    optional_decimal,
    required_text,
    text_of,
)

COLUMNS = (
    "BillingAccountId", "BillingPeriodStartDate", "BillingPeriodEndDate", "Date",
    "SubscriptionId", "ResourceId", "ResourceLocation", "MeterCategory", "MeterSubCategory",
    "MeterName", "MeterId", "ProductName", "Quantity", "UnitOfMeasure", "UnitPrice",
    "CostInBillingCurrency", "PayGPrice", "BillingCurrencyCode", "BillingCurrency",
    "ChargeType", "PricingModel", "BenefitId", "ReservationId", "Tags",
)  # fmt: skip
_BY_LOWER = {name.lower(): name for name in COLUMNS}

REQUIRED_COLUMNS = frozenset({
    "BillingAccountId", "BillingPeriodStartDate", "BillingPeriodEndDate", "Date",
    "CostInBillingCurrency", "ChargeType",
})  # fmt: skip

CHARGE_CATEGORY = {
    "Usage": "Usage", "UnusedReservation": "Usage", "UnusedSavingsPlan": "Usage",
    "Purchase": "Purchase", "Tax": "Tax", "Refund": "Credit", "Credit": "Credit",
    "Adjustment": "Adjustment", "RoundingAdjustment": "Adjustment",
}  # fmt: skip
COMMITMENT_TYPE = {"Reservation": "Reservation", "SavingsPlan": "Savings Plan"}
PREPAID_CHARGES = frozenset({"Usage", "UnusedReservation", "UnusedSavingsPlan"})

SERVICE_CATEGORY = {
    "Virtual Machines": "Compute", "Azure Kubernetes Service": "Compute",
    "Container Instances": "Compute", "Functions": "Compute", "Azure App Service": "Web",
    "Storage": "Storage", "Backup": "Storage", "SQL Database": "Databases",
    "Azure Cosmos DB": "Databases", "Azure Database for PostgreSQL": "Databases",
    "Redis Cache": "Databases", "Bandwidth": "Networking", "Virtual Network": "Networking",
    "Load Balancer": "Networking", "Azure DNS": "Networking", "Azure Monitor":
    "Management and Governance", "Log Analytics": "Management and Governance",
    "Key Vault": "Security", "Microsoft Defender for Cloud": "Security",
    "Cognitive Services": "AI and Machine Learning",
}  # fmt: skip


def column_name(header: str) -> str:
    """``costInBillingCurrency`` (MCA) and ``CostInBillingCurrency`` (EA) are one column."""
    return _BY_LOWER.get(header.strip().lower(), header)


def charge_category(charge_type: str | None) -> str:
    """Unknown charge types are refused: a guessed category would misstate the bill."""
    category = CHARGE_CATEGORY.get(charge_type or "")
    if category is None:
        raise ValueProblem("ChargeType", charge_type, "is not a known charge type")
    return category


def costs(cost: Decimal, charge: str, pricing: str | None, amortized: bool) -> tuple[Decimal, ...]:
    """(billed, effective) of one row of an actual or amortized export (see module doc)."""
    committed = pricing in COMMITMENT_TYPE
    if not amortized:
        return cost, cost
    billed = Decimal(0) if committed and charge in PREPAID_CHARGES else cost
    effective = Decimal(0) if committed and charge == "Purchase" else cost
    return billed, effective


def tags_of(value: Any) -> dict[str, str]:
    """Tags as JSON; EA writes ``"a": "b","c": "d"`` without the braces."""
    if isinstance(value, str) and value.strip() and not value.strip().startswith("{"):
        value = "{" + value.strip() + "}"
    return map_of("Tags", value)


def resource_type(resource_id: str | None) -> str | None:
    """The provider type in an ARM id (``Microsoft.Compute/virtualMachines``)."""
    if not resource_id:
        return None
    parts = resource_id.strip("/").split("/")
    lowered = [p.lower() for p in parts]
    if "providers" not in lowered:
        return None
    at = len(lowered) - 1 - lowered[::-1].index("providers")
    kind = parts[at + 1 : at + 3]
    return "/".join(kind) if len(kind) == 2 else None


def _product(raw: Mapping[str, Any], first: str, second: str) -> Decimal | None:
    a = optional_decimal(first, raw.get(first))
    b = optional_decimal(second, raw.get(second))
    return None if a is None or b is None else a * b


def _currency(raw: Mapping[str, Any]) -> str:
    column = "BillingCurrency" if blank(raw.get("BillingCurrencyCode")) else "BillingCurrencyCode"
    return currency_of(column, raw.get(column))


def _region(raw: Mapping[str, Any]) -> str | None:
    location = text_of(raw.get("ResourceLocation"))
    return location.lower().replace(" ", "") if location else None


def to_focus(raw: Mapping[str, Any], stamp: Stamp, *, amortized: bool) -> tuple[Any, ...]:
    """One cost details row as a ``costs`` row in ``COST_COLUMNS`` order."""
    charge = required_text("ChargeType", raw.get("ChargeType"))
    category = charge_category(charge)
    pricing = text_of(raw.get("PricingModel"))
    cost = decimal_of("CostInBillingCurrency", raw.get("CostInBillingCurrency"))
    billed, effective = costs(cost, charge, pricing, amortized)
    day = day_of("Date", raw.get("Date"))
    quantity = optional_decimal("Quantity", raw.get("Quantity"))
    unit = text_of(raw.get("UnitOfMeasure"))
    contracted = _product(raw, "UnitPrice", "Quantity")
    meter_category = text_of(raw.get("MeterCategory"))
    resource_id = text_of(raw.get("ResourceId"))
    benefit = text_of(raw.get("BenefitId")) or text_of(raw.get("ReservationId"))
    row: dict[str, Any] = {
        "billing_account_id": required_text("BillingAccountId", raw.get("BillingAccountId")),
        "sub_account_id": text_of(raw.get("SubscriptionId")),
        "billing_period_start": day_of("BillingPeriodStartDate", raw.get("BillingPeriodStartDate")),
        "billing_period_end": day_of("BillingPeriodEndDate", raw.get("BillingPeriodEndDate"))
        + timedelta(days=1),
        "charge_period_start": day,
        "charge_period_end": day + timedelta(days=1),
        "billed_cost": billed,
        "effective_cost": effective,
        "list_cost": _product(raw, "PayGPrice", "Quantity"),
        "contracted_cost": billed if contracted is None else contracted,
        "billing_currency": _currency(raw),
        "charge_category": category,
        "charge_class": None,
        "charge_description": text_of(raw.get("MeterName")) or text_of(raw.get("ProductName")),
        "service_name": meter_category or text_of(raw.get("ProductName")),
        "service_category": SERVICE_CATEGORY.get(meter_category or "", "Other"),
        "region_id": _region(raw),
        "resource_id": resource_id,
        "resource_type": resource_type(resource_id),
        "sku_id": text_of(raw.get("MeterId")),
        "pricing_quantity": quantity,
        "pricing_unit": unit,
        "consumed_quantity": quantity if category == "Usage" else None,
        "consumed_unit": unit if category == "Usage" else None,
        "commitment_discount_id": benefit if pricing in COMMITMENT_TYPE else None,
        "commitment_discount_type": COMMITMENT_TYPE.get(pricing or ""),
        "tags": json.dumps(tags_of(raw.get("Tags"))),
        "x_line_item_type": charge,
        "x_product_code": meter_category,
        "x_usage_type": text_of(raw.get("MeterSubCategory")),
        "x_operation": text_of(raw.get("MeterName")),
        "invoice_id": text_of(raw.get("InvoiceId")),
    }
    if row["billing_period_end"] <= row["billing_period_start"]:
        raise ValueProblem("BillingPeriodEndDate", raw.get("BillingPeriodEndDate"),
                           "is before BillingPeriodStartDate")  # fmt: skip
    return cost_row(stamp, row)
