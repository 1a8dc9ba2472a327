"""The metering service's REST answers as the gateway reads them.

Defined here, not imported from the service (see ``asset_models``). Amounts
are exact decimals: the service sends them as strings and they are parsed
as ``Decimal``, never as floats.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

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


class CostSummary(_Answer):
    start: date
    end: date
    group_by: str
    items: list[GroupTotal]


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
