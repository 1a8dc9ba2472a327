"""Monthly invoices of a company, as an MSP bills it: the provider's billed cost per
account and service, plus the company's markup or minus its discount.

Rounding is stated on the invoice (``schemas.ROUNDING_RULE``) and done once per
figure, half-up to the currency's minor unit, so every printed figure adds up.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal
from nephos_metering.costs.forecast import minor_unit
from nephos_metering.costs.service import add_months, day_start, exact, hot_bill_provisional
from nephos_metering.invoices import repository
from nephos_metering.invoices.models import InvoiceTerms
from nephos_metering.invoices.schemas import (
    Invoice,
    InvoiceLine,
    InvoiceSection,
    TermsIn,
    TermsOut,
)

Row = tuple[str | None, str | None, Decimal]


def to_minor_unit(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def section(currency: str, rows: list[Row], percent: Decimal) -> InvoiceSection:
    lines = [InvoiceLine(account=a, service=s, cost=exact(c),
                         amount=exact(to_minor_unit(c, currency)))
             for a, s, c in rows]  # fmt: skip
    subtotal = sum((to_minor_unit(c, currency) for _, _, c in rows), Decimal(0))
    adjustment = to_minor_unit(subtotal * percent / Decimal(100), currency)
    return InvoiceSection(
        currency=currency, lines=lines, subtotal=exact(subtotal),
        adjustment_percent=exact(percent), adjustment=exact(adjustment),
        total=exact(subtotal + adjustment),
    )  # fmt: skip


def _percent(terms: InvoiceTerms | None) -> Decimal:
    return terms.adjustment_percent if terms is not None else Decimal(0)


async def invoice(session: AsyncSession, tenant: str, first: date) -> Invoice:
    last = add_months(first, 1) - timedelta(days=1)
    percent = _percent(await repository.terms(session, tenant))
    by_currency: dict[str, list[Row]] = defaultdict(list)
    for currency, account, service, billed in await repository.billed_lines(
        session, tenant, day_start(first)
    ):
        by_currency[currency].append((account, service, billed))
    return Invoice(
        company=tenant, billing_period=f"{first:%Y-%m}", period_start=first, period_end=last,
        provisional=await hot_bill_provisional(session, tenant, last),
        sections=[section(c, rows, percent) for c, rows in sorted(by_currency.items())],
    )  # fmt: skip


def _terms_out(terms: InvoiceTerms | None) -> TermsOut:
    if terms is None:
        return TermsOut(adjustment_percent="0", note=None, updated_by=None, updated_at=None)
    return TermsOut(adjustment_percent=exact(terms.adjustment_percent), note=terms.note,
                    updated_by=terms.updated_by, updated_at=terms.updated_at)  # fmt: skip


async def get_terms(session: AsyncSession, tenant: str) -> TermsOut:
    return _terms_out(await repository.terms(session, tenant))


async def set_terms(session: AsyncSession, principal: Principal, body: TermsIn) -> TermsOut:
    saved = await repository.save_terms(
        session, principal.tenant, body.adjustment_percent, body.note, principal.subject
    )
    return _terms_out(saved)
