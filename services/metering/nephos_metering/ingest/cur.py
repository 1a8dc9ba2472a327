"""AWS CUR 2.0 line items to FOCUS 1.2 columns: the one place the mapping lives.

=========================  ===================================================
FOCUS column               CUR 2.0 source
=========================  ===================================================
BillingAccountId           bill_payer_account_id
SubAccountId               line_item_usage_account_id
BillingPeriodStart/End     bill_billing_period_start_date / _end_date
ChargePeriodStart/End      line_item_usage_start_date / _end_date
BilledCost                 line_item_unblended_cost (what the invoice charges)
EffectiveCost              amortised, per line item type (``effective_cost``)
ListCost                   pricing_public_on_demand_cost
ContractedCost             line_item_net_unblended_cost when exported (private
                           rates and EDP applied), else line_item_unblended_cost
BillingCurrency            line_item_currency_code
ChargeCategory             line_item_line_item_type (``CHARGE_CATEGORY``)
ChargeClass                null: every CUR delivery restates its whole period,
                           so no row corrects an earlier period
ChargeDescription          line_item_line_item_description
ServiceName                product["product_name"], else line_item_product_code
ServiceCategory            line_item_product_code (``SERVICE_CATEGORY``)
RegionId                   product_region_code
ResourceId / ResourceType  line_item_resource_id / product_product_family
SkuId                      product_sku
PricingQuantity/Unit       line_item_usage_amount / pricing_unit
ConsumedQuantity/Unit      the same, for Usage rows only
CommitmentDiscountId/Type  savings plan or reservation ARN, by line item type
Tags                       resource_tags (map)
InvoiceId                  bill_invoice_id (blank until AWS issues the invoice)
x_line_item_type, x_product_code, x_usage_type, x_operation: kept as they are
=========================  ===================================================

Amortisation follows AWS's own FOCUS export: covered usage costs its share of
the commitment; upfront fees and negations cost nothing effective; the
recurring fee's effective cost is only its unused part.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from nephos_metering.ingest.values import (
    ValueProblem,
    currency_of,
    decimal_of,
    map_json,
    map_of,
    optional_decimal,
    required_text,
    text_of,
    timestamp_of,
)

REQUIRED_COLUMNS = frozenset({
    "bill_payer_account_id", "bill_billing_period_start_date", "bill_billing_period_end_date",
    "line_item_usage_account_id", "line_item_usage_start_date", "line_item_usage_end_date",
    "line_item_line_item_type", "line_item_unblended_cost", "line_item_currency_code",
    "line_item_product_code",
})  # fmt: skip

ALLOWED_CHARGE_CATEGORIES = frozenset({"Usage", "Purchase", "Tax", "Credit", "Adjustment"})

CHARGE_CATEGORY = {
    "Usage": "Usage", "DiscountedUsage": "Usage", "SavingsPlanCoveredUsage": "Usage",
    "SavingsPlanNegation": "Usage",
    "Fee": "Purchase", "RIFee": "Purchase", "SavingsPlanRecurringFee": "Purchase",
    "SavingsPlanUpfrontFee": "Purchase",
    "Tax": "Tax",
    "Credit": "Credit", "Refund": "Credit", "BundledDiscount": "Credit", "Discount": "Credit",
    "EdpDiscount": "Credit", "PrivateRateDiscount": "Credit", "DistributorDiscount": "Credit",
}  # fmt: skip

SERVICE_CATEGORY = {
    "AmazonEC2": "Compute", "AWSLambda": "Compute", "AmazonECS": "Compute",
    "AmazonEKS": "Compute", "AmazonS3": "Storage", "AmazonEFS": "Storage",
    "AWSBackup": "Storage", "AmazonRDS": "Databases", "AmazonDynamoDB": "Databases",
    "AmazonElastiCache": "Databases", "AmazonRedshift": "Databases",
    "AmazonVPC": "Networking", "AmazonCloudFront": "Networking",
    "AmazonRoute53": "Networking", "AWSDataTransfer": "Networking",
    "AmazonCloudWatch": "Management and Governance", "AWSConfig": "Management and Governance",
    "awskms": "Security", "AWSSecretsManager": "Security", "AmazonGuardDuty": "Security",
}  # fmt: skip

SAVINGS_PLAN_TYPES = frozenset(
    {"SavingsPlanCoveredUsage", "SavingsPlanNegation", "SavingsPlanRecurringFee",
     "SavingsPlanUpfrontFee"}
)  # fmt: skip
RESERVATION_TYPES = frozenset({"DiscountedUsage", "RIFee"})

COST_COLUMNS: tuple[str, ...] = (
    "tenant", "account_id", "delivery_id", "billing_account_id", "sub_account_id",
    "billing_period_start", "billing_period_end", "charge_period_start", "charge_period_end",
    "billed_cost", "effective_cost", "list_cost", "contracted_cost", "billing_currency",
    "charge_category", "charge_class", "charge_description", "service_name", "service_category",
    "region_id", "resource_id", "resource_type", "sku_id", "pricing_quantity", "pricing_unit",
    "consumed_quantity", "consumed_unit", "commitment_discount_id", "commitment_discount_type",
    "tags", "x_line_item_type", "x_product_code", "x_usage_type", "x_operation", "invoice_id",
)  # fmt: skip
SHARED_COLUMNS = ("tenant", "account_id", "delivery_id", "billing_period_start",
                  "billing_period_end")  # fmt: skip
"""The columns every row of a delivery shares: its ``Stamp`` and its billing period (which
the rows' own are checked against as they are read, ``staging.Tally``)."""
CSV_COLUMNS = tuple(column for column in COST_COLUMNS if column not in SHARED_COLUMNS)
"""The columns of the CSV a CUR 2.0 file is staged as: the shared ones are the load's
defaults."""


@dataclass(frozen=True)
class Stamp:
    """What every row of one delivery shares: whose it is and where it came from."""

    tenant: str
    account_id: uuid.UUID
    delivery_id: uuid.UUID


def charge_category(line_item_type: str | None) -> str:
    """Unknown line item types are refused: a guessed category would misstate the bill."""
    category = CHARGE_CATEGORY.get(line_item_type or "")
    if category is None:
        raise ValueProblem("line_item_line_item_type", line_item_type, "is not a known type")
    return category


def effective_cost(raw: Mapping[str, Any], kind: str, billed: Decimal) -> Decimal:
    """FOCUS EffectiveCost: the amortised cost of the line item (see module doc)."""
    if kind == "SavingsPlanCoveredUsage":
        return _amount(raw, "savings_plan_savings_plan_effective_cost")
    if kind == "SavingsPlanRecurringFee":
        to_date = _amount(raw, "savings_plan_total_commitment_to_date")
        return to_date - _amount(raw, "savings_plan_used_commitment")
    if kind in ("SavingsPlanNegation", "SavingsPlanUpfrontFee"):
        return Decimal(0)
    if kind == "DiscountedUsage":
        return _amount(raw, "reservation_effective_cost")
    if kind == "RIFee":
        upfront = _amount(raw, "reservation_unused_amortized_upfront_fee_for_billing_period")
        return upfront + _amount(raw, "reservation_unused_recurring_fee")
    if kind == "Fee" and text_of(raw.get("reservation_reservation_a_r_n")):
        return Decimal(0)
    return billed


def commitment(raw: Mapping[str, Any], kind: str) -> tuple[str | None, str | None]:
    if kind in SAVINGS_PLAN_TYPES:
        return text_of(raw.get("savings_plan_savings_plan_a_r_n")), "Savings Plan"
    if kind in RESERVATION_TYPES:
        return text_of(raw.get("reservation_reservation_a_r_n")), "Reservation"
    return None, None


def to_focus(raw: Mapping[str, Any], stamp: Stamp) -> tuple[Any, ...]:
    """One CUR 2.0 line item as a ``costs`` row in ``COST_COLUMNS`` order.

    Built straight as a tuple, column by column in that order: this runs once
    per line item, millions of times per delivery.
    """
    get = raw.get
    kind = text_of(get("line_item_line_item_type")) or ""
    category = charge_category(kind)
    usage = category == "Usage"
    billed = decimal_of("line_item_unblended_cost", get("line_item_unblended_cost"))
    net = optional_decimal("line_item_net_unblended_cost", get("line_item_net_unblended_cost"))
    product_name, product_region, product_sku = product_facts(get("product"))
    product_code = text_of(get("line_item_product_code"))
    quantity = optional_decimal("line_item_usage_amount", get("line_item_usage_amount"))
    unit = text_of(get("pricing_unit"))
    commitment_id, commitment_type = commitment(raw, kind)
    resource_id = text_of(get("line_item_resource_id"))
    usage_start = timestamp_of("line_item_usage_start_date", get("line_item_usage_start_date"))
    usage_end = timestamp_of("line_item_usage_end_date", get("line_item_usage_end_date"))
    if usage_end < usage_start:
        raise ValueProblem("line_item_usage_end_date", get("line_item_usage_end_date"),
                           "is before line_item_usage_start_date")  # fmt: skip
    return (
        stamp.tenant, stamp.account_id, stamp.delivery_id,
        required_text("bill_payer_account_id", get("bill_payer_account_id")),  # billing_account_id
        text_of(get("line_item_usage_account_id")),  # sub_account_id
        # billing_period_start, billing_period_end
        timestamp_of("bill_billing_period_start_date", get("bill_billing_period_start_date")),
        timestamp_of("bill_billing_period_end_date", get("bill_billing_period_end_date")),
        usage_start, usage_end,  # charge_period_start, charge_period_end
        billed,  # billed_cost
        effective_cost(raw, kind, billed),  # effective_cost
        optional_decimal("pricing_public_on_demand_cost",
                         get("pricing_public_on_demand_cost")),  # list_cost
        billed if net is None else net,  # contracted_cost
        currency(raw),  # billing_currency
        category, None,  # charge_category, charge_class
        text_of(get("line_item_line_item_description")),  # charge_description
        product_name or product_code,  # service_name
        SERVICE_CATEGORY.get(product_code or "", "Other"),  # service_category
        text_of(get("product_region_code")) or product_region,  # region_id
        resource_id,  # resource_id
        text_of(get("product_product_family")) if resource_id else None,  # resource_type
        text_of(get("product_sku")) or product_sku,  # sku_id
        quantity, unit,  # pricing_quantity, pricing_unit
        quantity if usage else None, unit if usage else None,  # consumed_quantity, _unit
        commitment_id, commitment_type,  # commitment_discount_id, _type
        map_json("resource_tags", get("resource_tags")),  # tags
        kind, product_code,  # x_line_item_type, x_product_code
        text_of(get("line_item_usage_type")),  # x_usage_type
        text_of(get("line_item_operation")),  # x_operation
        text_of(get("bill_invoice_id")),  # invoice_id
    )  # fmt: skip


def cost_row(stamp: Stamp, row: Mapping[str, Any]) -> tuple[Any, ...]:
    """A mapped line item (FOCUS names, snake case) as a tuple in ``COST_COLUMNS`` order."""
    return (stamp.tenant, stamp.account_id, stamp.delivery_id,
            *(row[name] for name in COST_COLUMNS[3:]))  # fmt: skip


ProductFacts = tuple[str | None, str | None, str | None]


def product_facts(value: Any) -> ProductFacts:
    """product_name, region and sku of the ``product`` map column (blank is None)."""
    if type(value) is str:
        return _product_of_text(value)
    return _facts(map_of("product", value))


@lru_cache(maxsize=8192)
def _product_of_text(text: str) -> ProductFacts:
    """Cached: a file names a few hundred products, not one per line item."""
    return _facts(map_of("product", text))


def _facts(product: dict[str, str]) -> ProductFacts:
    return (
        text_of(product.get("product_name")),
        text_of(product.get("region")),
        text_of(product.get("sku")),
    )


def _amount(raw: Mapping[str, Any], column: str) -> Decimal:
    return decimal_of(column, raw.get(column))


def currency(raw: Mapping[str, Any]) -> str:
    value = raw.get("line_item_currency_code")
    return _CURRENCIES.get(value) or currency_of("line_item_currency_code", value)


_CURRENCIES: dict[Any, str] = {"USD": "USD", "EUR": "EUR", "GBP": "GBP", "JPY": "JPY",
                               "CNY": "CNY"}  # fmt: skip
"""The usual codes, already checked: a dict lookup instead of a check per line item."""
