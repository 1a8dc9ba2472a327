"""Where the time-series cost questions read from: the daily totals, or the line items.

A question about the whole company, or narrowed to cloud accounts alone, reads
the daily totals (a few thousand rows whatever the bill's size). A question
narrowed to a service group or tag reads ``costs`` through the filter's
conditions, which the indexes of migration 0007 keep to the rows concerned.
Both answer the same shapes, so overview, forecast, comparison and trend are
written once against ``CostReader``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_metering.costs import filtered, repository
from nephos_metering.costs.filtered import CostFilter, Where


class CostReader(Protocol):
    """Days are UTC midnights; every range is [start, end)."""

    async def billed_by_currency(
        self, session: AsyncSession, start: datetime, end: datetime
    ) -> dict[str, Decimal]: ...

    async def currencies(self, session: AsyncSession) -> list[str]: ...

    async def daily_billed(
        self, session: AsyncSession, start: datetime, end: datetime, currency: str
    ) -> dict[date, Decimal]: ...

    async def first_day(self, session: AsyncSession, currency: str) -> date | None: ...

    async def data_through(self, session: AsyncSession) -> datetime | None: ...


@dataclass(frozen=True)
class DailyTotals:
    """Every cost of the company, or of some of its accounts, from the daily totals."""

    tenant: str
    accounts: tuple[uuid.UUID, ...] = ()

    async def billed_by_currency(
        self, session: AsyncSession, start: datetime, end: datetime
    ) -> dict[str, Decimal]:
        return await repository.billed_by_currency(session, self.tenant, start, end,
                                                   self.accounts)  # fmt: skip

    async def currencies(self, session: AsyncSession) -> list[str]:
        return await repository.currencies(session, self.tenant, self.accounts)

    async def daily_billed(
        self, session: AsyncSession, start: datetime, end: datetime, currency: str
    ) -> dict[date, Decimal]:
        return await repository.daily_billed(session, self.tenant, start, end, currency,
                                             self.accounts)  # fmt: skip

    async def first_day(self, session: AsyncSession, currency: str) -> date | None:
        return await repository.first_day(session, self.tenant, currency, self.accounts)

    async def data_through(self, session: AsyncSession) -> datetime | None:
        if not self.accounts:
            return await repository.data_through(session, self.tenant)
        where = CostFilter(account_ids=self.accounts).conditions(self.tenant)
        return await filtered.data_through(session, self.tenant, where)


@dataclass(frozen=True)
class LineItems:
    """The cost rows ``where`` keeps, from the line items."""

    tenant: str
    where: Where

    async def billed_by_currency(
        self, session: AsyncSession, start: datetime, end: datetime
    ) -> dict[str, Decimal]:
        return await filtered.billed_by_currency(session, self.tenant, start, end, self.where)

    async def currencies(self, session: AsyncSession) -> list[str]:
        """The company's currency when it holds one (the common case, read from the daily
        totals); only a company holding several scans the rows kept for theirs."""
        held = await repository.currencies(session, self.tenant)
        if len(held) <= 1:
            return held
        return await filtered.currencies(session, self.tenant, self.where)

    async def daily_billed(
        self, session: AsyncSession, start: datetime, end: datetime, currency: str
    ) -> dict[date, Decimal]:
        return await filtered.daily_billed(session, self.tenant, start, end, currency, self.where)

    async def first_day(self, session: AsyncSession, currency: str) -> date | None:
        return await filtered.first_day(session, self.tenant, currency, self.where)

    async def data_through(self, session: AsyncSession) -> datetime | None:
        return await filtered.data_through(session, self.tenant, self.where)


def reader(tenant: str, filters: CostFilter | None) -> CostReader:
    accounts = filters.totals_scope() if filters is not None else ()
    if accounts is not None:
        return DailyTotals(tenant, accounts)
    assert filters is not None  # only a filter narrows a question to line items
    return LineItems(tenant, filters.conditions(tenant))
