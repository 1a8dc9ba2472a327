"""Shapes of invoices and invoice terms; amounts are exact decimal strings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

ROUNDING_RULE = (
    "Each line is the period's billed cost of one account and service, rounded half-up "
    "to the currency's minor unit; the subtotal is the sum of the rounded lines; the "
    "adjustment is the subtotal times the company's percent, rounded half-up the same "
    "way; the total is subtotal plus adjustment. Every figure shown adds up exactly."
)


class TermsIn(BaseModel):
    adjustment_percent: Decimal = Field(
        ge=Decimal(-100), le=Decimal(1000), decimal_places=4,
        description="Markup (positive) or discount (negative) in percent",
    )  # fmt: skip
    note: str | None = Field(default=None, max_length=500)


class TermsOut(BaseModel):
    adjustment_percent: str
    note: str | None
    updated_by: str | None
    updated_at: datetime | None


class InvoiceLine(BaseModel):
    account: str | None
    service: str | None
    cost: str
    """The exact billed cost of the line, before rounding."""
    amount: str
    """``cost`` rounded to the minor unit: what the line bills."""


class InvoiceSection(BaseModel):
    """One currency's part of the invoice; currencies are never summed together."""

    currency: str
    lines: list[InvoiceLine]
    subtotal: str
    adjustment_percent: str
    adjustment: str
    total: str


class Invoice(BaseModel):
    company: str
    billing_period: str
    period_start: date
    period_end: date
    provisional: bool
    """The provider may still restate costs of this period; the figures may change."""
    rounding_rule: str = ROUNDING_RULE
    sections: list[InvoiceSection]
