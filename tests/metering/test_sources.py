"""Billing sources: CRUD checked against the real asset service's accounts, runs through
the JetStream work queue, the schedule, and tenant isolation on every route."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from decimal import Decimal

from nephos_metering.sources.models import BillingSource
from nephos_metering.sources.service import is_due
from tests.asset.helpers import register_azure
from tests.fixtures.asset import AssetService
from tests.fixtures.azure import ArmStandIn
from tests.fixtures.metering import MeteringService
from tests.fixtures.metering_jobs import wait_for_ingest_run
from tests.metering.cur_files import (
    BUCKET,
    EXPORT,
    PREFIX,
    csv_gzip,
    cur_row,
    lines_for,
    put_delivery,
    total,
)
from tests.metering.source_helpers import (
    aws_account,
    ce_result,
    create_source,
    days_between,
    queue_ce_results,
    run_source,
    summary,
)

CUR_CONFIG = {"bucket": BUCKET, "prefix": PREFIX, "export_name": EXPORT, "format": "cur2"}


async def test_crud_keeps_no_credentials_and_checks_the_input(
    metering_jobs: MeteringService, asset_service: AssetService, fresh_moto: str
) -> None:
    client, operator = metering_jobs.client, metering_jobs.auth("acme", "operator")
    account = await aws_account(asset_service, fresh_moto)

    created = await create_source(metering_jobs, account, "aws_cur", config=CUR_CONFIG,
                                  daily_hour=6)  # fmt: skip
    assert created.status_code == 201, created.text
    source = created.json()
    assert source["config"] == {**CUR_CONFIG, "region": "us-east-1"}
    assert "endpoint_url" not in source["config"] and "credentials" not in source
    again = await create_source(metering_jobs, account, "aws_cost_explorer")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "source_exists")

    changed = await client.patch(f"/sources/{source['id']}", headers=operator,
                                 json={"interval_minutes": 30, "daily_hour": None})  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert (changed.json()["interval_minutes"], changed.json()["daily_hour"]) == (30, None)
    viewer = metering_jobs.auth("acme", "viewer")
    assert (await client.get("/sources", headers=viewer)).json()["items"][0]["id"] == source["id"]
    refused = await client.patch(f"/sources/{source['id']}", headers=viewer, json={"name": "x"})
    assert refused.status_code == 403
    not_started = await client.post(f"/sources/{source['id']}/runs", headers=viewer, json={})
    assert not_started.status_code == 403
    not_created = await create_source(metering_jobs, account, "aws_cur", tenant="acme",
                                      config=CUR_CONFIG, role="viewer")  # fmt: skip
    assert not_created.status_code == 403

    bad = [
        {"config": {**CUR_CONFIG, "endpoint_url": "http://127.0.0.1:1"}},
        {"config": {"bucket": "Not A Bucket", "export_name": EXPORT}},
        {"interval_minutes": 5, "daily_hour": 3},
    ]
    for body in bad:
        answer = await client.patch(f"/sources/{source['id']}", headers=operator, json=body)
        assert answer.status_code == 422, body
        assert set(answer.json()["error"]) >= {"code", "message", "details"}
    stored = (await client.get(f"/sources/{source['id']}", headers=viewer)).json()
    assert stored["config"] == source["config"] and stored["interval_minutes"] == 30

    removed = await client.delete(f"/sources/{source['id']}", headers=operator)
    assert removed.status_code == 204
    assert (await client.get(f"/sources/{source['id']}", headers=viewer)).status_code == 404


async def test_a_source_needs_a_known_account_of_its_cloud(
    metering_jobs: MeteringService, asset_service: AssetService, fresh_moto: str
) -> None:
    unknown = await create_source(metering_jobs, str(uuid.uuid4()), "aws_cost_explorer")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (422, "unknown_account")
    account = await aws_account(asset_service, fresh_moto)
    mismatch = await create_source(metering_jobs, account, "azure_cost_management")
    assert (mismatch.status_code, mismatch.json()["error"]["code"]) == (422, "kind_mismatch")
    elsewhere = await create_source(metering_jobs, account, "aws_cost_explorer", tenant="globex")
    assert (elsewhere.status_code, elsewhere.json()["error"]["code"]) == (422, "unknown_account")
    assert (await metering_jobs.client.get("/sources", headers=metering_jobs.auth())).json() == {
        "items": []
    }


async def test_a_cur_source_runs_from_the_queue_with_the_accounts_session(
    metering_jobs: MeteringService, asset_service: AssetService, fresh_moto: str
) -> None:
    lines = lines_for("2026-08", 5)
    rows = [cur_row("2026-08", line) for line in lines]
    await asyncio.to_thread(put_delivery, fresh_moto, "2026-08",
                            {"part-1.csv.gz": csv_gzip(rows)})  # fmt: skip
    account = await aws_account(asset_service, fresh_moto)
    source = (await create_source(metering_jobs, account, "aws_cur", config=CUR_CONFIG)).json()

    run = await run_source(metering_jobs, source["id"], "2026-08")
    repeat = await run_source(metering_jobs, source["id"], "2026-08")

    assert run["status"] == "succeeded", run
    assert run["billing_periods"] == ["2026-08"] and run["periods_done"] == 1
    assert [r["outcome"] for r in repeat["results"]] == ["skipped"]
    first, last = days_between(datetime(2026, 8, 1).date(), datetime(2026, 8, 31).date())[::30]
    totals = await summary(metering_jobs, first, last, "charge_category")
    assert sum((billed for billed, _ in totals.values()), Decimal(0)) == total(lines)
    assert run["results"][0]["delivery_id"] == repeat["results"][0]["delivery_id"]


async def test_a_missing_bill_fails_the_run_with_the_reason(
    metering_jobs: MeteringService, asset_service: AssetService, fresh_moto: str
) -> None:
    account = await aws_account(asset_service, fresh_moto)
    source = (await create_source(metering_jobs, account, "aws_cur", config=CUR_CONFIG)).json()

    run = await run_source(metering_jobs, source["id"], "2026-07")

    assert run["status"] == "failed"
    assert run["error_details"]["code"] in {"s3_object_not_found", "s3_access_denied"}
    assert "2026-07" in run["error"]


async def test_the_schedule_queues_a_due_source_once(
    metering_jobs: MeteringService, asset_service: AssetService, fresh_moto: str
) -> None:
    today = datetime.now(UTC).date()
    await queue_ce_results(fresh_moto, ce_result(days_between(today.replace(day=1), today)))
    account = await aws_account(asset_service, fresh_moto)
    headers = metering_jobs.auth()
    disabled = await create_source(metering_jobs, account, "aws_cost_explorer",
                                   interval_minutes=60, enabled=False)  # fmt: skip
    assert disabled.status_code == 201
    await asyncio.sleep(1.0)
    assert (await metering_jobs.client.get("/ingest-runs", headers=headers)).json()["items"] == []

    source_id = disabled.json()["id"]
    operator = metering_jobs.auth("acme", "operator")
    enabled = await metering_jobs.client.patch(
        f"/sources/{source_id}", json={"enabled": True}, headers=operator
    )
    assert enabled.status_code == 200
    runs: list[dict[str, object]] = []
    for _ in range(100):
        runs = (await metering_jobs.client.get("/ingest-runs", headers=headers)).json()["items"]
        if runs:
            break
        await asyncio.sleep(0.1)
    finished = await wait_for_ingest_run(metering_jobs, str(runs[0]["id"]), headers)
    await asyncio.sleep(1.0)  # several scheduler ticks

    runs = (await metering_jobs.client.get("/ingest-runs", headers=headers)).json()["items"]
    assert len(runs) == 1
    assert (finished["trigger"], finished["status"]) == ("schedule", "succeeded"), finished
    assert finished["billing_periods"] == [f"{today:%Y-%m}"]


async def test_another_company_sees_and_starts_nothing(
    metering_jobs: MeteringService, asset_service: AssetService, arm: ArmStandIn
) -> None:
    account = await register_azure(asset_service.client, asset_service.auth(), arm)
    source = await create_source(metering_jobs, str(account["id"]), "azure_cost_management")
    assert source.status_code == 201, source.text
    source_id = source.json()["id"]
    started = await metering_jobs.client.post(
        f"/sources/{source_id}/runs", headers=metering_jobs.auth("acme", "operator")
    )
    run_id = started.json()["id"]
    await wait_for_ingest_run(metering_jobs, run_id, metering_jobs.auth())

    client = metering_jobs.client
    viewer, operator = metering_jobs.auth("globex", "viewer"), metering_jobs.auth("globex", "admin")
    assert (await client.get(f"/sources/{source_id}", headers=viewer)).status_code == 404
    assert (await client.get("/sources", headers=viewer)).json() == {"items": []}
    assert (await client.get(f"/ingest-runs/{run_id}", headers=viewer)).status_code == 404
    assert (await client.get("/ingest-runs", headers=viewer)).json() == {"items": []}
    assert (await client.get("/data-freshness", headers=viewer)).json() == {"items": []}
    for method, path, body in (("POST", f"/sources/{source_id}/runs", {}),
                               ("PATCH", f"/sources/{source_id}", {"name": "mine"}),
                               ("DELETE", f"/sources/{source_id}", None)):  # fmt: skip
        answer = await client.request(method, path, json=body, headers=operator)
        assert answer.status_code == 404, (method, path)
    mine = (await client.get(f"/sources/{source_id}", headers=metering_jobs.auth())).json()
    assert mine["name"] == "azure_cost_management bill"
    runs = (await client.get("/ingest-runs", headers=metering_jobs.auth())).json()["items"]
    assert [r["id"] for r in runs] == [run_id]


def test_a_daily_source_is_due_once_its_hour_has_come_each_day() -> None:
    source = BillingSource(daily_hour=6, interval_minutes=None, last_run_requested_at=None)
    morning = datetime(2026, 11, 26, 5, 59, tzinfo=UTC)
    assert not is_due(source, morning)
    assert is_due(source, morning.replace(hour=6, minute=0))
    source.last_run_requested_at = morning.replace(hour=6, minute=1)
    assert not is_due(source, morning.replace(hour=23))
    assert is_due(source, datetime(2026, 11, 27, 6, 0, tzinfo=UTC))
    hourly = BillingSource(daily_hour=None, interval_minutes=60,
                           last_run_requested_at=morning)  # fmt: skip
    assert not is_due(hourly, morning.replace(hour=6, minute=58))
    assert is_due(hourly, morning.replace(hour=6, minute=59))
