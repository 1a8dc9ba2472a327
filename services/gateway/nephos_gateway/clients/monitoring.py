"""Typed client of the monitoring service's REST API: targets, rules, alerts, incidents
and their preferences, silences, maintenance windows, channels and their deliveries,
escalation policies, collection jobs, overviews and metrics.

``GET /targets`` answers every present target of the company and ``GET /alerts``
the newest alerts (at most 1,000); the gateway's loaders call each once per
GraphQL request and index the answer by asset (see ``schema.context``). Reads
by many ids (incidents of assets, latest points, series, group overviews) go to
the service's batch reads, at most ``MAX_BATCH`` ids per call.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from nephos_common.pagination import MAX_BATCH
from nephos_gateway.clients import monitoring_models as m
from nephos_gateway.clients.asset import canonical_id
from nephos_gateway.clients.base import ServiceClient
from nephos_gateway.clients.errors import NotFound

OPEN_INCIDENT_STATUSES = ("open", "acknowledged")
MAX_COLLECTION_JOBS = 500  # the service refuses larger /collection-jobs reads


def _path_id(value: str, what: str, code: str = "not_found") -> str:
    """The id in canonical form; text that is no UUID names nothing (and stays out of paths)."""
    canonical = canonical_id(value)
    if canonical is None:
        raise NotFound(f"no such {what}", service="monitoring", code=code)
    return canonical


def _policy_path(policy_id: str) -> str:
    code = "escalation_policy_not_found"
    return f"/escalation-policies/{_path_id(policy_id, 'escalation policy', code)}"


def _chunks(ids: Sequence[str]) -> Iterator[str]:
    """Distinct valid ids, comma-joined, in batches the service accepts."""
    wanted = sorted({c for c in map(canonical_id, ids) if c is not None})
    for start in range(0, len(wanted), MAX_BATCH):
        yield ",".join(wanted[start : start + MAX_BATCH])


@dataclass(frozen=True)
class IncidentQuery:
    """Every given condition must hold; an empty tuple means any."""

    statuses: tuple[str, ...] = ()
    assignee: str | None = None
    asset_ids: tuple[str, ...] = ()

    def params(self) -> list[tuple[str, Any]]:
        found: list[tuple[str, Any]] = [("status", s) for s in self.statuses]
        if self.assignee is not None:
            found.append(("assignee", self.assignee))
        if self.asset_ids:
            found.append(("asset_ids", ",".join(self.asset_ids)))
        return found


@dataclass(frozen=True)
class SeriesWindow:
    """One metric over a range, at the range's resolution or a coarser one."""

    metric: str
    start: datetime
    end: datetime
    resolution: str | None = None

    def params(self) -> dict[str, Any]:
        found = {"metric": self.metric, "from": self.start.isoformat(), "to": self.end.isoformat()}
        return found | ({"resolution": self.resolution} if self.resolution else {})


class MonitoringClient(ServiceClient):
    service = "monitoring"

    async def overview(self, service_group: str | None = None) -> m.Overview:
        params = {"service_group": service_group} if service_group is not None else {}
        return await self._aggregate(m.Overview, "/overview", params)

    async def group_overviews(self, group_ids: Sequence[str]) -> list[m.GroupOverview]:
        found: list[m.GroupOverview] = []
        for chunk in _chunks(group_ids):
            params = {"group_ids": chunk}
            path = "/overview/service-groups"
            found.extend((await self._call(m.GroupOverviewList, "GET", path, params=params)).items)
        return found

    async def targets(self, category: str | None = None) -> list[m.Target]:
        params = {"category": category} if category is not None else {}
        return (await self._call(m.TargetList, "GET", "/targets", params=params)).items

    async def rules(self) -> list[m.Rule]:
        return (await self._call(m.RuleList, "GET", "/rules")).items

    async def rule(self, rule_id: str) -> m.Rule:
        path = f"/rules/{_path_id(rule_id, 'alert rule', 'rule_not_found')}"
        return await self._call(m.Rule, "GET", path)

    async def create_rule(self, body: dict[str, Any]) -> m.Rule:
        return await self._call(m.Rule, "POST", "/rules", json=body)

    async def update_rule(self, rule_id: str, body: dict[str, Any]) -> m.Rule:
        path = f"/rules/{_path_id(rule_id, 'alert rule', 'rule_not_found')}"
        return await self._call(m.Rule, "PATCH", path, json=body)

    async def delete_rule(self, rule_id: str) -> None:
        await self._send("DELETE", f"/rules/{_path_id(rule_id, 'alert rule', 'rule_not_found')}")

    async def alerts(self, state: str | None = None) -> list[m.Alert]:
        params: dict[str, Any] = {"state": state} if state is not None else {}
        return (await self._call(m.AlertList, "GET", "/alerts", params=params)).items

    async def incidents(self, query: IncidentQuery) -> list[m.Incident]:
        """The newest incidents (at most 1,000) that match; one call."""
        params = query.params()
        return (await self._call(m.IncidentList, "GET", "/incidents", params=params)).items

    async def incidents_of_assets(
        self, asset_ids: Sequence[str], statuses: tuple[str, ...] = OPEN_INCIDENT_STATUSES
    ) -> list[m.Incident]:
        found: list[m.Incident] = []
        for chunk in _chunks(asset_ids):
            found.extend(await self.incidents(IncidentQuery(statuses, asset_ids=(chunk,))))
        return found

    async def incident(self, incident_id: str) -> m.IncidentDetail:
        path = f"/incidents/{_path_id(incident_id, 'incident')}"
        return await self._call(m.IncidentDetail, "GET", path)

    async def incidents_by_ids(self, ids: Sequence[str]) -> list[m.IncidentDetail]:
        found: list[m.IncidentDetail] = []
        for chunk in _chunks(ids):
            answer = await self._call(
                m.IncidentDetailList, "GET", "/incidents/batch", params={"ids": chunk}
            )
            found.extend(answer.items)
        return found

    async def act_on_incident(
        self, incident_id: str, action: str, body: dict[str, Any] | None = None
    ) -> m.IncidentDetail:
        """``action``: acknowledge, assign, comments or resolve; answers the incident after it."""
        path = f"/incidents/{_path_id(incident_id, 'incident')}/{action}"
        return await self._call(m.IncidentDetail, "POST", path, json=body)

    async def silences(self, include_expired: bool = False) -> list[m.Silence]:
        params = {"include_expired": "true"} if include_expired else {}
        return (await self._call(m.SilenceList, "GET", "/silences", params=params)).items

    async def create_silence(self, body: dict[str, Any]) -> m.Silence:
        return await self._call(m.Silence, "POST", "/silences", json=body)

    async def replace_silence(self, silence_id: str, body: dict[str, Any]) -> m.Silence:
        path = f"/silences/{_path_id(silence_id, 'silence')}"
        return await self._call(m.Silence, "PUT", path, json=body)

    async def delete_silence(self, silence_id: str) -> None:
        await self._send("DELETE", f"/silences/{_path_id(silence_id, 'silence')}")

    async def maintenance_windows(self) -> list[m.MaintenanceWindow]:
        return (await self._call(m.MaintenanceWindowList, "GET", "/maintenance-windows")).items

    async def create_maintenance_window(self, body: dict[str, Any]) -> m.MaintenanceWindow:
        return await self._call(m.MaintenanceWindow, "POST", "/maintenance-windows", json=body)

    async def replace_maintenance_window(
        self, window_id: str, body: dict[str, Any]
    ) -> m.MaintenanceWindow:
        path = f"/maintenance-windows/{_path_id(window_id, 'maintenance window')}"
        return await self._call(m.MaintenanceWindow, "PUT", path, json=body)

    async def delete_maintenance_window(self, window_id: str) -> None:
        path = f"/maintenance-windows/{_path_id(window_id, 'maintenance window')}"
        await self._send("DELETE", path)

    async def channels(self) -> list[m.Channel]:
        return (await self._call(m.ChannelList, "GET", "/channels")).items

    async def create_channel(self, body: dict[str, Any]) -> m.Channel:
        return await self._call(m.Channel, "POST", "/channels", json=body)

    async def delete_channel(self, channel_id: str) -> None:
        await self._send("DELETE", f"/channels/{_path_id(channel_id, 'channel')}")

    async def deliveries(self, status: str | None, alert_id: str | None) -> list[m.Delivery]:
        """The newest deliveries (at most 500), each with its attempts; one call."""
        if alert_id is not None and canonical_id(alert_id) is None:
            return []  # not an id, so no alert of the company
        params: dict[str, Any] = {"status": status} if status is not None else {}
        if alert_id is not None:
            params["alert_id"] = alert_id
        return (await self._call(m.DeliveryList, "GET", "/deliveries", params=params)).items

    async def escalation_policies(self) -> list[m.EscalationPolicy]:
        return (await self._call(m.EscalationPolicyList, "GET", "/escalation-policies")).items

    async def escalation_policy(self, policy_id: str) -> m.EscalationPolicy:
        return await self._call(m.EscalationPolicy, "GET", _policy_path(policy_id))

    async def create_escalation_policy(self, body: dict[str, Any]) -> m.EscalationPolicy:
        return await self._call(m.EscalationPolicy, "POST", "/escalation-policies", json=body)

    async def replace_escalation_policy(
        self, policy_id: str, body: dict[str, Any]
    ) -> m.EscalationPolicy:
        return await self._call(m.EscalationPolicy, "PUT", _policy_path(policy_id), json=body)

    async def delete_escalation_policy(self, policy_id: str) -> None:
        await self._send("DELETE", _policy_path(policy_id))

    async def incident_preferences(self) -> m.IncidentPreferences:
        return await self._call(m.IncidentPreferences, "GET", "/incident-preferences")

    async def set_incident_preferences(self, body: dict[str, Any]) -> m.IncidentPreferences:
        return await self._call(m.IncidentPreferences, "PUT", "/incident-preferences", json=body)

    async def start_collection(self, account_id: str) -> m.CollectionJob:
        """Queue a collection job of an account the company has monitored targets in."""
        body = {"account_id": _path_id(account_id, "account", "account_not_found")}
        return await self._call(m.CollectionJob, "POST", "/collection-jobs", json=body)

    async def collection_jobs(self, account_id: str | None, limit: int) -> list[m.CollectionJob]:
        """The newest jobs first, of one account or of all."""
        if account_id is not None and canonical_id(account_id) is None:
            return []  # not an id, so no account of the company
        params: dict[str, Any] = {"limit": min(limit, MAX_COLLECTION_JOBS)}
        if account_id is not None:
            params["account_id"] = account_id
        answer = await self._call(m.CollectionJobList, "GET", "/collection-jobs", params=params)
        return answer.items

    async def collection_job(self, job_id: str) -> m.CollectionJob:
        path = f"/collection-jobs/{_path_id(job_id, 'collection job', 'job_not_found')}"
        return await self._call(m.CollectionJob, "GET", path)

    async def series(self, asset_id: str, window: SeriesWindow) -> m.Series:
        params = {"asset_id": _path_id(asset_id, "asset"), **window.params()}
        return await self._call(m.Series, "GET", "/series", params=params)

    async def series_of_assets(
        self, asset_ids: Sequence[str], window: SeriesWindow
    ) -> list[m.Series]:
        found: list[m.Series] = []
        for chunk in _chunks(asset_ids):
            params = {"asset_ids": chunk, **window.params()}
            found.extend(
                (await self._call(m.SeriesList, "GET", "/series/batch", params=params)).items
            )
        return found

    async def latest_points(self, asset_ids: Sequence[str]) -> list[m.LatestPoint]:
        """The newest point of every metric of these assets."""
        found: list[m.LatestPoint] = []
        for chunk in _chunks(asset_ids):
            params = {"asset_ids": chunk}
            found.extend((await self._call(m.LatestList, "GET", "/latest", params=params)).items)
        return found
