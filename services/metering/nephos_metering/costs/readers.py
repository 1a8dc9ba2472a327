"""Where the time-series cost questions read from: the daily totals, or the line items.

A question about the whole company, narrowed to cloud accounts, to one cost
allocation tag whose totals are built or one service group whose totals are
built for its current members, or to accounts and either, reads daily totals
(a few thousand rows whatever the bill's size; see ``repository``). A question
narrowed to a tag that is not a cost allocation tag, to a group just changed,
or to several tags or groups, reads ``costs`` through the filter's conditions,
which the indexes of migration 0007 keep to the rows concerned. Both answer the same
shapes, so overview, forecast, comparison and trend are written once against
``CostReader``.

Freshness (``data_through``) is that of the data held for the accounts
concerned (all of the company's when no account is named), whatever else
narrows the question: a tag whose resources cost nothing lately is not stale
data.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_metering.allocation import repository as allocation
from nephos_metering.costs import filtered, repository
from nephos_metering.costs.filtered import CostFilter, Narrowing, Where
from nephos_metering.costs.repository import Scope, TagRows
from nephos_metering.costtags import repository as costtags


class CostReader(Protocol):
    """Days are UTC midnights; every range is [start, end)."""

    async def currencies(self, session: AsyncSession) -> list[str]: ...

    async def daily_billed(
        self, session: AsyncSession, start: datetime, end: datetime, currency: str
    ) -> dict[date, Decimal]: ...

    async def first_day(self, session: AsyncSession, currency: str) -> date | None: ...

    async def data_through(self, session: AsyncSession) -> datetime | None: ...


@dataclass(frozen=True)
class DailyTotals:
    """The costs of a ``Scope``, from its daily totals."""

    scope: Scope

    async def currencies(self, session: AsyncSession) -> list[str]:
        return await repository.currencies(session, self.scope)

    async def daily_billed(
        self, session: AsyncSession, start: datetime, end: datetime, currency: str
    ) -> dict[date, Decimal]:
        return await repository.daily_billed(session, self.scope, start, end, currency)

    async def first_day(self, session: AsyncSession, currency: str) -> date | None:
        return await repository.first_day(session, self.scope, currency)

    async def data_through(self, session: AsyncSession) -> datetime | None:
        return await repository.data_through(session, self.scope.tenant, self.scope.accounts)


@dataclass(frozen=True)
class LineItems:
    """The cost rows ``where`` keeps (in ``accounts``, when named), from the line items."""

    tenant: str
    accounts: tuple[uuid.UUID, ...]
    where: Where

    async def currencies(self, session: AsyncSession) -> list[str]:
        """The company's currency when it holds one (the common case, read from the daily
        totals); only a company holding several scans the rows kept for theirs."""
        held = await repository.currencies(session, Scope(self.tenant))
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
        return await repository.data_through(session, self.tenant, self.accounts)


async def totals_scope(
    session: AsyncSession, tenant: str, filters: CostFilter | None, by_tag: str | None = None
) -> Scope | None:
    """The daily totals answering a question about the rows ``filters`` keeps (grouped by
    the values of the tag key ``by_tag``, when given); None when only the line items can."""
    narrowing = filters.totals_narrowing() if filters is not None else Narrowing()
    if narrowing is None:
        return None
    if narrowing.group is not None:
        group = narrowing.group
        ready = by_tag is None and await allocation.totals_ready(session, tenant, group)
        return Scope(tenant, narrowing.accounts, group_id=group) if ready else None
    key, value = narrowing.tag if narrowing.tag is not None else (None, None)
    rows: TagRows | None = None if key is None else "valued" if value is not None else "tagged"
    if by_tag is not None:
        if key is None:
            key, rows = by_tag, "every"
        elif key != by_tag:
            return None
    if key is not None and not await costtags.is_ready(session, tenant, key):
        return None
    return Scope(tenant, narrowing.accounts, key, value, rows)


async def reader(session: AsyncSession, tenant: str, filters: CostFilter | None) -> CostReader:
    scope = await totals_scope(session, tenant, filters)
    if scope is not None:
        return DailyTotals(scope)
    assert filters is not None  # only a filter narrows a question to line items
    return LineItems(tenant, filters.account_ids, filters.conditions(tenant))
