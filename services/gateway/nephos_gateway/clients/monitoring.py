"""Typed client of the monitoring service's REST API: targets, rules, alerts, overview.

The service has no read of targets or alerts by asset ids: ``GET /targets``
answers every present target of the company and ``GET /alerts`` the newest
alerts (at most 1,000). The gateway's loaders call each once per GraphQL
request and index the answer by asset (see ``schema.context``).
"""

from __future__ import annotations

from typing import Any

from nephos_gateway.clients import monitoring_models as m
from nephos_gateway.clients.base import ServiceClient


class MonitoringClient(ServiceClient):
    service = "monitoring"

    async def overview(self) -> m.Overview:
        return await self._call(m.Overview, "GET", "/overview")

    async def targets(self, category: str | None = None) -> list[m.Target]:
        params = {"category": category} if category is not None else {}
        return (await self._call(m.TargetList, "GET", "/targets", params=params)).items

    async def rules(self) -> list[m.Rule]:
        return (await self._call(m.RuleList, "GET", "/rules")).items

    async def alerts(self, state: str | None = None) -> list[m.Alert]:
        params: dict[str, Any] = {"state": state} if state is not None else {}
        return (await self._call(m.AlertList, "GET", "/alerts", params=params)).items
