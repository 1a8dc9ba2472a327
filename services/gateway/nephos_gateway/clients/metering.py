"""Typed client of the metering service's REST API: one method per endpoint.

Cost questions (overview, summary, trend, forecast, comparison), each of the
whole company or narrowed by a ``CostQuery``, cost per
asset and per service group (batch reads for DataLoaders), budgets and
their evaluation, anomalies and their detection, recommendations and their
recomputation, cost sets, billing sources and their ingest runs, deliveries,
invoices and invoice terms. Ids are checked before they
reach a URL path; a bad one names nothing, so it is not found.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

from nephos_gateway.clients import metering_models as m
from nephos_gateway.clients.asset import canonical_id, checked_id
from nephos_gateway.clients.base import ServiceClient
from nephos_gateway.clients.errors import InvalidInput

MAX_DELIVERIES = 500  # the service refuses larger /deliveries reads
MAX_INGEST_RUNS = 500  # ... larger /ingest-runs reads
MAX_RECOMMENDATIONS = 500  # ... larger /recommendations pages
MAX_BATCH = 500  # ... more ids per /asset-costs or /service-group-costs read
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_TAGS = "/cost-allocation-tags"


def _params(**given: Any) -> dict[str, Any]:
    """Query parameters without the unset ones; dates as ISO text."""
    return {
        k: v.isoformat() if isinstance(v, date) else v for k, v in given.items() if v is not None
    }


def billing_month(value: str) -> str:
    """A ``YYYY-MM`` month, refused before it reaches a URL path."""
    if not MONTH.match(value):
        raise InvalidInput(
            "billingPeriod must be a month as YYYY-MM",
            service="metering",
            code="invalid_billing_period",
            details={"field": "billing_period"},
        )
    return value


@dataclass(frozen=True)
class AnomalyQuery:
    """The anomaly list's filter, in the service's query-parameter terms."""

    account_id: str | None = None
    service: str | None = None
    start: date | None = None
    end: date | None = None
    acknowledged: bool | None = None

    def params(self) -> dict[str, Any]:
        acknowledged = None if self.acknowledged is None else str(self.acknowledged).lower()
        dates = {"from": self.start, "to": self.end}
        return _params(
            account_id=self.account_id, service=self.service, acknowledged=acknowledged, **dates
        )


@dataclass(frozen=True)
class CostQuery:
    """A cost question's filter, in the service's query-parameter terms; all given
    conditions must hold, none given asks about the whole company."""

    account_id: str | None = None
    service_group_id: str | None = None
    tag: str | None = None

    def params(self) -> dict[str, Any]:
        return _params(
            account_id=self.account_id, service_group_id=self.service_group_id, tag=self.tag
        )


@dataclass(frozen=True)
class Grouping:
    """How a summary groups: ``tag_key`` goes with ``tag``; ``limit`` caps the groups."""

    group_by: str
    tag_key: str | None = None
    limit: int | None = None

    def params(self) -> dict[str, Any]:
        return _params(group_by=self.group_by, tag_key=self.tag_key, limit=self.limit)


WHOLE_COMPANY = CostQuery()


class MeteringClient(ServiceClient):
    service = "metering"

    async def overview(
        self, as_of: date | None, currency: str | None, query: CostQuery = WHOLE_COMPANY
    ) -> m.CostOverview:
        params = _params(as_of=as_of, currency=currency) | query.params()
        return await self._aggregate(m.CostOverview, "/costs/overview", params)

    async def summary(
        self, start: date, end: date, grouping: Grouping, query: CostQuery = WHOLE_COMPANY
    ) -> m.CostSummary:
        params = _params(**{"from": start, "to": end}) | grouping.params() | query.params()
        return await self._aggregate(m.CostSummary, "/costs/summary", params)

    async def period_summary(
        self, period: str, as_of: date | None, grouping: Grouping,
        query: CostQuery = WHOLE_COMPANY,
    ) -> m.CostSummary:  # fmt: skip
        """Totals over an inquiry period (``2m``, ``3m``, ``6m``, ``12m``) ending with ``as_of``."""
        params = _params(period=period, as_of=as_of) | grouping.params() | query.params()
        return await self._aggregate(m.CostSummary, "/costs/summary", params)

    async def forecast(
        self, as_of: date | None, currency: str | None, method: str | None,
        query: CostQuery = WHOLE_COMPANY,
    ) -> m.Forecast:  # fmt: skip
        params = _params(as_of=as_of, currency=currency, method=method) | query.params()
        return await self._aggregate(m.Forecast, "/costs/forecast", params)

    async def comparison(
        self, as_of: date | None, months: int, currency: str | None,
        query: CostQuery = WHOLE_COMPANY,
    ) -> m.Comparison:  # fmt: skip
        params = _params(as_of=as_of, months=months, currency=currency) | query.params()
        return await self._aggregate(m.Comparison, "/costs/comparison", params)

    async def trend(
        self, as_of: date | None, currency: str | None, query: CostQuery = WHOLE_COMPANY
    ) -> m.Trend:
        params = _params(as_of=as_of, currency=currency) | query.params()
        return await self._aggregate(m.Trend, "/costs/trend", params)

    async def asset_costs(
        self, asset_ids: Sequence[str], start: date | None, end: date | None
    ) -> dict[str, m.AssetCost]:
        """Cost and daily figures per asset id, in batches the service accepts."""
        found: dict[str, m.AssetCost] = {}
        for chunk in _chunks(asset_ids):
            params = _params(ids=chunk, daily="true", **{"from": start, "to": end})
            answer = await self._call(m.AssetCostBatch, "GET", "/asset-costs", params=params)
            dated = {"start": answer.start, "end": answer.end}
            found.update({i.asset_id: i.model_copy(update=dated) for i in answer.items})
        return found

    async def group_costs(
        self, group_ids: Sequence[str], start: date | None, end: date | None
    ) -> dict[str, m.GroupCost]:
        """Cost, cost by service and daily figures per service group id, in batches."""
        found: dict[str, m.GroupCost] = {}
        for chunk in _chunks(group_ids):
            params = _params(ids=chunk, **{"from": start, "to": end})
            answer = await self._call(
                m.GroupCostBatch, "GET", "/service-group-costs", params=params
            )
            dated = {"start": answer.start, "end": answer.end}
            found.update({i.group_id: i.model_copy(update=dated) for i in answer.items})
        return found

    async def deliveries(self, account_id: str | None, limit: int) -> list[m.Delivery]:
        params: dict[str, Any] = {"limit": limit}
        if account_id is not None:
            params["account_id"] = checked_id(account_id, "account")
        return (await self._call(m.DeliveryList, "GET", "/deliveries", params=params)).items

    async def budgets(self) -> list[m.Budget]:
        return (await self._call(m.BudgetList, "GET", "/budgets")).items

    async def budget(self, budget_id: str) -> m.Budget:
        return await self._call(m.Budget, "GET", _budget_path(budget_id))

    async def budget_statuses(
        self, budget_ids: Sequence[str], as_of: date | None
    ) -> dict[str, m.BudgetStatusItem]:
        """Status per budget id, in batches the service accepts."""
        found: dict[str, m.BudgetStatusItem] = {}
        for chunk in _chunks(budget_ids):
            params = _params(ids=chunk, as_of=as_of)
            answer = await self._call(m.BudgetStatusBatch, "GET", "/budgets/statuses",
                                      params=params)  # fmt: skip
            found.update({i.budget_id: i for i in answer.items})
        return found

    async def create_budget(self, body: dict[str, Any]) -> m.Budget:
        return await self._call(m.Budget, "POST", "/budgets", json=body)

    async def replace_budget(self, budget_id: str, body: dict[str, Any]) -> m.Budget:
        return await self._call(m.Budget, "PUT", _budget_path(budget_id), json=body)

    async def delete_budget(self, budget_id: str) -> None:
        await self._send("DELETE", _budget_path(budget_id))

    async def evaluate_budget(self, budget_id: str, as_of: date | None) -> m.BudgetEvaluation:
        """The status, after sending the notices of thresholds crossed first this period."""
        path = f"{_budget_path(budget_id)}/evaluate"
        params = _params(as_of=as_of)
        return await self._call(m.BudgetEvaluation, "POST", path, params=params)

    async def anomalies(self, query: AnomalyQuery) -> list[m.Anomaly]:
        if query.account_id is not None and canonical_id(query.account_id) is None:
            return []  # not an id, so no account of the company
        answer = await self._call(m.AnomalyList, "GET", "/anomalies", params=query.params())
        return answer.items

    async def detect_anomalies(self, body: dict[str, Any]) -> list[m.Anomaly]:
        """Judge a range of days now; the anomalies new to this run."""
        answer = await self._call(m.Detection, "POST", "/anomalies/detect", json=body)
        return answer.detected

    async def acknowledge_anomaly(self, anomaly_id: str) -> m.Anomaly:
        path = f"/anomalies/{checked_id(anomaly_id, 'anomaly')}/acknowledge"
        return await self._call(m.Anomaly, "POST", path)

    async def recommendations(
        self, kind: str | None, status: str | None, limit: int, after: str | None
    ) -> m.RecommendationPage:
        params = _params(kind=kind, status=status, limit=min(limit, MAX_RECOMMENDATIONS),
                         after=after)  # fmt: skip
        return await self._call(m.RecommendationPage, "GET", "/recommendations", params=params)

    async def refresh_recommendations(self, as_of: date | None) -> m.RecommendationRefresh:
        params = _params(as_of=as_of)
        path = "/recommendations/refresh"
        return await self._call(m.RecommendationRefresh, "POST", path, params=params)

    async def change_recommendation(self, recommendation_id: str, status: str) -> m.Recommendation:
        path = f"/recommendations/{checked_id(recommendation_id, 'recommendation')}"
        return await self._call(m.Recommendation, "PATCH", path, json={"status": status})

    async def cost_sets(self) -> list[m.CostSet]:
        return (await self._call(m.CostSetList, "GET", "/cost-sets")).items

    async def cost_set(self, set_id: str) -> m.CostSet:
        return await self._call(m.CostSet, "GET", _cost_set_path(set_id))

    async def cost_sets_costs(
        self, set_ids: Sequence[str], start: date | None, end: date | None,
        as_of: date | None, group_by: str | None,
    ) -> dict[str, m.CostSetCostsItem]:  # fmt: skip
        """Costs per cost set id, in batches the service accepts."""
        found: dict[str, m.CostSetCostsItem] = {}
        for chunk in _chunks(set_ids):
            params = _params(ids=chunk, start=start, end=end, as_of=as_of, group_by=group_by)
            answer = await self._call(m.CostSetCostsBatch, "GET", "/cost-sets/costs",
                                      params=params)  # fmt: skip
            found.update({i.cost_set_id: i for i in answer.items})
        return found

    async def create_cost_set(self, body: dict[str, Any]) -> m.CostSet:
        return await self._call(m.CostSet, "POST", "/cost-sets", json=body)

    async def replace_cost_set(self, set_id: str, body: dict[str, Any]) -> m.CostSet:
        return await self._call(m.CostSet, "PUT", _cost_set_path(set_id), json=body)

    async def delete_cost_set(self, set_id: str) -> None:
        await self._send("DELETE", _cost_set_path(set_id))

    async def cost_allocation_tags(self) -> list[m.CostAllocationTag]:
        return (await self._call(m.CostAllocationTagList, "GET", _TAGS)).items

    async def cost_tag_keys(self) -> list[m.CostTagKey]:
        """Every tag key the company's bill carries, sorted."""
        return (await self._call(m.CostTagKeyList, "GET", "/cost-tag-keys")).items

    async def mark_cost_allocation_tag(self, key: str) -> m.CostAllocationTag:
        return await self._call(m.CostAllocationTag, "POST", _TAGS, json={"key": key})

    async def unmark_cost_allocation_tag(self, key: str) -> None:
        await self._send("DELETE", f"{_TAGS}/{quote(key, safe='')}")

    async def data_freshness(self) -> list[m.Freshness]:
        return (await self._call(m.FreshnessList, "GET", "/data-freshness")).items

    async def sources(self, account_id: str | None) -> list[m.Source]:
        if account_id is not None and canonical_id(account_id) is None:
            return []
        params = _params(account_id=account_id)
        return (await self._call(m.SourceList, "GET", "/sources", params=params)).items

    async def create_source(self, body: dict[str, Any]) -> m.Source:
        return await self._call(m.Source, "POST", "/sources", json=body)

    async def update_source(self, source_id: str, body: dict[str, Any]) -> m.Source:
        return await self._call(m.Source, "PATCH", _source_path(source_id), json=body)

    async def delete_source(self, source_id: str) -> None:
        await self._send("DELETE", _source_path(source_id))

    async def start_ingest(self, source_id: str, billing_period: str | None) -> m.IngestRun:
        body = {"billing_period": billing_month(billing_period)} if billing_period else {}
        path = f"{_source_path(source_id)}/runs"
        return await self._call(m.IngestRun, "POST", path, json=body)

    async def ingest_runs(self, source_id: str | None, limit: int) -> list[m.IngestRun]:
        if source_id is not None and canonical_id(source_id) is None:
            return []
        params = _params(source_id=source_id, limit=min(limit, MAX_INGEST_RUNS))
        return (await self._call(m.IngestRunList, "GET", "/ingest-runs", params=params)).items

    async def invoice(self, billing_period: str) -> m.Invoice:
        return await self._call(m.Invoice, "GET", invoice_path(billing_period))

    async def invoice_terms(self) -> m.InvoiceTerms:
        return await self._call(m.InvoiceTerms, "GET", "/invoice-terms")

    async def set_invoice_terms(self, body: dict[str, Any]) -> m.InvoiceTerms:
        return await self._call(m.InvoiceTerms, "PUT", "/invoice-terms", json=body)


def invoice_path(billing_period: str) -> str:
    """The invoice's REST path; ``?format=csv`` or ``pdf`` downloads it as a document."""
    return f"/invoices/{billing_month(billing_period)}"


def _chunks(ids: Sequence[str]) -> list[str]:
    """Distinct canonical ids as comma-joined batches; text that is no id is left out."""
    wanted = sorted({c for c in map(canonical_id, ids) if c is not None})
    return [",".join(wanted[i : i + MAX_BATCH]) for i in range(0, len(wanted), MAX_BATCH)]


def _budget_path(budget_id: str) -> str:
    return f"/budgets/{checked_id(budget_id, 'budget')}"


def _cost_set_path(set_id: str) -> str:
    return f"/cost-sets/{checked_id(set_id, 'cost_set')}"


def _source_path(source_id: str) -> str:
    return f"/sources/{checked_id(source_id, 'source')}"
