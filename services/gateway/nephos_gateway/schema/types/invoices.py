"""The company's invoice of a month and its terms (markup or discount).

Figures are exact ``Decimal`` values that add up as the rounding rule says.
The CSV and PDF documents are served by the metering service's REST API;
the invoice names their paths so that a client can download them there.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import strawberry

from nephos_gateway.clients import metering_models as m
from nephos_gateway.clients.metering import invoice_path
from nephos_gateway.schema.types.common import UserError


@strawberry.type(description="One account's and service's billed cost in the month.")
class InvoiceLine:
    account: str | None
    service: str | None
    cost: Decimal = strawberry.field(description="The exact billed cost, before rounding.")
    amount: Decimal = strawberry.field(description="cost rounded to the minor unit: what it bills.")


@strawberry.type(description="One currency's part of the invoice; currencies are never summed.")
class InvoiceSection:
    currency: str
    lines: list[InvoiceLine]
    subtotal: Decimal
    adjustment_percent: Decimal
    adjustment: Decimal
    total: Decimal

    @classmethod
    def of(cls, s: m.InvoiceSection) -> InvoiceSection:
        lines = [
            InvoiceLine(
                account=line.account, service=line.service, cost=line.cost, amount=line.amount
            )
            for line in s.lines
        ]
        return cls(
            currency=s.currency,
            lines=lines,
            subtotal=s.subtotal,
            adjustment_percent=s.adjustment_percent,
            adjustment=s.adjustment,
            total=s.total,
        )


@strawberry.type
class Invoice:
    company: str
    billing_period: str = strawberry.field(description="YYYY-MM.")
    period_start: date
    period_end: date
    provisional: bool = strawberry.field(
        description="The provider may still restate costs of this month; figures may change."
    )
    rounding_rule: str
    sections: list[InvoiceSection]
    csv_path: str = strawberry.field(description="The metering REST path of the CSV document.")
    pdf_path: str = strawberry.field(description="The metering REST path of the PDF document.")

    @classmethod
    def of(cls, i: m.Invoice) -> Invoice:
        path = invoice_path(i.billing_period)
        return cls(
            company=i.company,
            billing_period=i.billing_period,
            period_start=i.period_start,
            period_end=i.period_end,
            provisional=i.provisional,
            rounding_rule=i.rounding_rule,
            sections=[InvoiceSection.of(s) for s in i.sections],
            csv_path=f"{path}?format=csv",
            pdf_path=f"{path}?format=pdf",
        )


@strawberry.type(description="The company's markup (positive percent) or discount (negative).")
class InvoiceTerms:
    adjustment_percent: Decimal
    note: str | None
    updated_by: str | None
    updated_at: datetime | None

    @classmethod
    def of(cls, t: m.InvoiceTerms) -> InvoiceTerms:
        return cls(
            adjustment_percent=t.adjustment_percent,
            note=t.note,
            updated_by=t.updated_by,
            updated_at=t.updated_at,
        )


@strawberry.input
class InvoiceTermsInput:
    adjustment_percent: Decimal = strawberry.field(description="-100..1000, 4 decimals at most.")
    note: str | None = None

    def body(self) -> dict[str, Any]:
        return {"adjustment_percent": str(self.adjustment_percent), "note": self.note}


@strawberry.type
class InvoiceTermsPayload:
    terms: InvoiceTerms | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
