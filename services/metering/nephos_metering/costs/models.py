"""FOCUS 1.2 cost rows: one row per provider line item, in exact decimals.

Column names are the FOCUS names in snake case (``billed_cost`` is FOCUS
``BilledCost``); provider-specific facts FOCUS has no column for carry the
``x_`` prefix, as FOCUS asks of extension columns. Amounts are unconstrained
NUMERIC so that no line item is ever rounded: the sum must equal the bill.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Index, Numeric, Sequence, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nephos_metering.db import Base

Money = Numeric(asdecimal=True)


class Cost(Base):
    """Partitioned by (tenant, billing account, billing period): see migration 0009 and
    ``ingest.staging``. ``id`` is unique by its sequence, not by a constraint."""

    __tablename__ = "costs"
    __table_args__ = (
        Index("ix_costs_tenant_charge_period_start", "tenant", "charge_period_start"),
        Index("ix_costs_tenant_account_charge_period_start", "tenant", "account_id",
              "charge_period_start"),
        Index("ix_costs_tags", "tags", postgresql_using="gin"),
        {"postgresql_partition_by": "RANGE (tenant, billing_account_id, billing_period_start)"},
    )  # fmt: skip

    id: Mapped[int] = mapped_column(BigInteger, Sequence("costs_id_seq"), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(100))
    account_id: Mapped[uuid.UUID]
    delivery_id: Mapped[uuid.UUID]  # a delivery's id; no foreign key (see migration 0009)
    billing_account_id: Mapped[str] = mapped_column(String(100))
    sub_account_id: Mapped[str | None] = mapped_column(String(100))
    billing_period_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    billing_period_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    charge_period_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    charge_period_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    billed_cost: Mapped[Decimal] = mapped_column(Money)
    effective_cost: Mapped[Decimal] = mapped_column(Money)
    list_cost: Mapped[Decimal | None] = mapped_column(Money)
    contracted_cost: Mapped[Decimal | None] = mapped_column(Money)
    billing_currency: Mapped[str] = mapped_column(String(3))
    charge_category: Mapped[str] = mapped_column(String(20))
    charge_class: Mapped[str | None] = mapped_column(String(20))
    charge_description: Mapped[str | None] = mapped_column(Text)
    service_name: Mapped[str | None] = mapped_column(String(200))
    service_category: Mapped[str | None] = mapped_column(String(50))
    region_id: Mapped[str | None] = mapped_column(String(50))
    resource_id: Mapped[str | None] = mapped_column(Text(collation="C"))  # migration 0021
    resource_type: Mapped[str | None] = mapped_column(String(200))
    sku_id: Mapped[str | None] = mapped_column(String(100))
    pricing_quantity: Mapped[Decimal | None] = mapped_column(Money)
    pricing_unit: Mapped[str | None] = mapped_column(String(100))
    consumed_quantity: Mapped[Decimal | None] = mapped_column(Money)
    consumed_unit: Mapped[str | None] = mapped_column(String(100))
    commitment_discount_id: Mapped[str | None] = mapped_column(Text)
    commitment_discount_type: Mapped[str | None] = mapped_column(String(50))
    tags: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    x_line_item_type: Mapped[str | None] = mapped_column(String(50))
    x_product_code: Mapped[str | None] = mapped_column(String(100))
    x_usage_type: Mapped[str | None] = mapped_column(String(200))
    x_operation: Mapped[str | None] = mapped_column(String(200))
    invoice_id: Mapped[str | None] = mapped_column(String(100))
