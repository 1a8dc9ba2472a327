"""Typed client of the metering service's REST API: cost questions and billing deliveries."""

from __future__ import annotations

from datetime import date
from typing import Any

from nephos_gateway.clients import metering_models as m
from nephos_gateway.clients.asset import checked_id
from nephos_gateway.clients.base import ServiceClient

MAX_DELIVERIES = 500  # the service refuses larger /deliveries reads


class MeteringClient(ServiceClient):
    service = "metering"

    async def overview(self, as_of: date | None, currency: str | None) -> m.CostOverview:
        given = {"as_of": as_of.isoformat() if as_of else None, "currency": currency}
        params = {k: v for k, v in given.items() if v is not None}
        return await self._call(m.CostOverview, "GET", "/costs/overview", params=params)

    async def summary(self, start: date, end: date, group_by: str) -> m.CostSummary:
        params = {"from": start.isoformat(), "to": end.isoformat(), "group_by": group_by}
        return await self._call(m.CostSummary, "GET", "/costs/summary", params=params)

    async def deliveries(self, account_id: str | None, limit: int) -> list[m.Delivery]:
        params: dict[str, Any] = {"limit": limit}
        if account_id is not None:
            params["account_id"] = checked_id(account_id, "account")
        return (await self._call(m.DeliveryList, "GET", "/deliveries", params=params)).items
