"""Helpers of the billing-source tests: accounts registered in the real asset service,
sources and runs through metering's API, Cost Explorer answers configured in moto."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from tests.asset.helpers import register_aws
from tests.fixtures.asset import AssetService
from tests.fixtures.metering import MeteringService
from tests.fixtures.metering_jobs import wait_for_ingest_run

LINKED = ("444455556666", "777788889999")
SERVICES = ("Amazon Elastic Compute Cloud - Compute", "Amazon Simple Storage Service")


async def aws_account(asset: AssetService, moto: str, tenant: str = "acme") -> str:
    account = await register_aws(asset.client, asset.auth(tenant), moto, regions=("us-east-1",))
    return str(account["id"])


async def create_source(
    metering: MeteringService, account_id: str, kind: str, tenant: str = "acme",
    role: str = "operator", **extra: Any,
) -> Any:  # fmt: skip
    body = {"account_id": account_id, "kind": kind, "name": f"{kind} bill", **extra}
    return await metering.client.post("/sources", json=body, headers=metering.auth(tenant, role))


async def run_source(
    metering: MeteringService, source_id: str, period: str | None = None, tenant: str = "acme"
) -> dict[str, Any]:
    """Start a run on demand (202) and wait until a worker has finished it."""
    body = {"billing_period": period} if period else {}
    answer = await metering.client.post(f"/sources/{source_id}/runs", json=body,
                                        headers=metering.auth(tenant, "operator"))  # fmt: skip
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "queued"
    return await wait_for_ingest_run(metering, answer.json()["id"], metering.auth(tenant))


def _post_json(url: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 201


async def queue_ce_results(moto: str, *results: dict[str, Any]) -> None:
    """moto answers each new GetCostAndUsage request with the next of these, in order."""
    url = f"{moto}/moto-api/static/ce/cost-and-usage-results"
    await asyncio.to_thread(_post_json, url, {"results": list(results)})


def day_cost(day: date, service: int, linked: int, scale: str = "1") -> Decimal:
    """Awkward decimals, different for every day, service and linked account."""
    return Decimal(f"{day.day}.{service + 1}{linked}0567891") * Decimal(scale)


def ce_result(days: list[date], scale: str = "1", next_token: str | None = None) -> dict[str, Any]:
    """A GetCostAndUsage answer: one group per service and linked account per day."""
    by_time = []
    for day in days:
        groups = []
        for s, service in enumerate(SERVICES):
            for a, linked in enumerate(LINKED):
                cost = day_cost(day, s, a, scale)
                groups.append({"Keys": [service, linked], "Metrics": {
                    "UnblendedCost": {"Amount": str(cost), "Unit": "USD"},
                    "AmortizedCost": {"Amount": str(cost * Decimal("0.9")), "Unit": "USD"},
                }})  # fmt: skip
        after = day + timedelta(days=1)
        by_time.append({
            "TimePeriod": {"Start": f"{day:%Y-%m-%d}", "End": f"{after:%Y-%m-%d}"},
            "Total": {}, "Groups": groups, "Estimated": False,
        })  # fmt: skip
    result: dict[str, Any] = {"ResultsByTime": by_time, "DimensionValueAttributes": []}
    if next_token:
        result["NextPageToken"] = next_token
    return result


def ce_total(days: list[date], scale: str = "1") -> Decimal:
    return sum(
        (day_cost(d, s, a, scale) for d in days for s in range(len(SERVICES))
         for a in range(len(LINKED))),
        Decimal(0),
    )  # fmt: skip


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


async def summary(
    metering: MeteringService, start: date, end: date, group_by: str, tenant: str = "acme"
) -> dict[str, tuple[Decimal, Decimal]]:
    """Billed and effective cost per group, as the costs API reports them."""
    params = {"from": start.isoformat(), "to": end.isoformat(), "group_by": group_by}
    answer = await metering.client.get("/costs/summary", params=params,
                                       headers=metering.auth(tenant, "viewer"))  # fmt: skip
    assert answer.status_code == 200, answer.text
    return {
        str(item["key"]): (Decimal(item["billed_cost"]), Decimal(item["effective_cost"]))
        for item in answer.json()["items"]
    }


async def deliveries(metering: MeteringService, tenant: str = "acme") -> list[dict[str, Any]]:
    answer = await metering.client.get("/deliveries", headers=metering.auth(tenant, "viewer"))
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items
