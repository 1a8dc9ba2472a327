"""Cost sets: a user's saved filters, and the cost summary seen through them."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from typing import Any

from nephos_common.auth import issue_token
from tests.fixtures.metering import MeteringService
from tests.metering.cur_files import Line, csv_gzip, cur_row, ingest_body, lines_for, put_delivery
from tests.metering.test_ingest import ACCOUNT, ingest

EC2, RDS = "Amazon Elastic Compute Cloud", "Amazon Relational Database Service"
FILTERS = {"services": [EC2, RDS], "regions": ["us-east-1"], "tags": {"team": "t0"}}


async def _ingest_may(service: MeteringService, moto: str) -> list[Line]:
    lines = lines_for("2024-05", 6)
    rows = [cur_row("2024-05", line) for line in lines]
    await asyncio.to_thread(put_delivery, moto, "2024-05", {"a.csv.gz": csv_gzip(rows)})
    answer = await ingest(service, ingest_body(moto, "2024-05"))
    assert answer.status_code == 201, answer.text
    return lines


async def _create(service: MeteringService, body: dict[str, Any], **auth: Any) -> Any:
    headers = auth.get("headers") or service.auth("acme", "viewer")
    return await service.client.post("/cost-sets", json=body, headers=headers)


def _billed(summary: dict[str, Any]) -> dict[str | None, Decimal]:
    return {item["key"]: Decimal(item["billed_cost"]) for item in summary["items"]}


async def test_a_cost_set_answers_the_summary_of_its_filters(
    metering_service: MeteringService, fresh_moto: str
) -> None:
    lines = await _ingest_may(metering_service, fresh_moto)
    created = await _create(
        metering_service,
        {"name": "EC2 of team t0", "filters": FILTERS, "group_by": "service", "period": "2m"},
    )
    set_id, viewer = created.json()["id"], metering_service.auth("acme", "viewer")
    url = f"/cost-sets/{set_id}/costs"

    by_dates = await metering_service.client.get(
        url, params={"start": "2024-05-01", "end": "2024-05-31"}, headers=viewer
    )
    by_period = await metering_service.client.get(
        url, params={"as_of": "2024-05-31"}, headers=viewer
    )

    # Only EC2 (us-east-1) rows tagged team=t0: not S3 (eu-west-1), not untagged tax.
    expected = sum(line.cost for line in lines if line.service == 0 and line.tags == {"team": "t0"})
    assert created.status_code == 201, created.text
    assert _billed(by_dates.json()) == {EC2: expected}
    assert (by_period.json()["start"], by_period.json()["end"]) == ("2024-04-01", "2024-05-31")
    assert _billed(by_period.json()) == {EC2: expected}


async def test_each_filter_narrows_the_rows(
    metering_service: MeteringService, fresh_moto: str
) -> None:
    lines = await _ingest_may(metering_service, fresh_moto)
    viewer = metering_service.auth("acme", "viewer")
    dates = {"start": "2024-05-01", "end": "2024-05-31"}

    async def billed(name: str, filters: dict[str, Any], group_by: str) -> dict[Any, Decimal]:
        body = {"name": name, "filters": filters, "group_by": group_by}
        set_id = (await _create(metering_service, body)).json()["id"]
        answer = await metering_service.client.get(
            f"/cost-sets/{set_id}/costs", params=dates, headers=viewer
        )
        assert answer.status_code == 200, answer.text
        return _billed(answer.json())

    taxes = await billed("tax", {"charge_categories": ["Tax"]}, "charge_category")
    ours = await billed("ours", {"account_ids": [ACCOUNT]}, "charge_category")
    other = await billed("other", {"account_ids": [str(uuid.uuid4())]}, "service")
    europe = await billed("europe", {"regions": ["eu-west-1"]}, "region")

    assert taxes == {"Tax": sum(line.cost for line in lines if line.kind == "Tax")}
    assert sum(ours.values()) == sum(line.cost for line in lines)
    assert other == {}
    assert europe == {"eu-west-1": sum(line.cost for line in lines if line.service == 1)}


async def test_a_cost_set_is_its_owners_alone(
    metering_service: MeteringService, fresh_moto: str
) -> None:
    await _ingest_may(metering_service, fresh_moto)
    client = metering_service.client
    created = await _create(metering_service, {"name": "mine", "filters": FILTERS})
    url = f"/cost-sets/{created.json()['id']}"
    colleague = {
        "Authorization": "Bearer "
        + issue_token(
            metering_service.settings, subject="colleague@acme", tenant="acme", role="admin"
        )
    }
    globex = metering_service.auth("globex", "admin")

    for headers in (colleague, globex):
        assert (await client.get("/cost-sets", headers=headers)).json()["items"] == []
        assert (await client.get(url, headers=headers)).status_code == 404
        costs = await client.get(
            f"{url}/costs", params={"start": "2024-05-01", "end": "2024-05-31"}, headers=headers
        )
        assert costs.json()["error"]["code"] == "cost_set_not_found"
        batch = await client.get(
            "/cost-sets/costs",
            params={"ids": created.json()["id"], "start": "2024-05-01", "end": "2024-05-31"},
            headers=headers,
        )
        assert batch.json()["items"] == [
            {"cost_set_id": created.json()["id"], "found": False, "costs": None, "error": None}
        ]
        put = await client.put(url, json={"name": "taken over"}, headers=headers)
        assert put.status_code == 404
        assert (await client.delete(url, headers=headers)).status_code == 404
    # Another company's own set with the same filters sees none of acme's costs.
    theirs = await _create(metering_service, {"name": "mine", "filters": FILTERS}, headers=globex)
    seen = await client.get(
        f"/cost-sets/{theirs.json()['id']}/costs",
        params={"start": "2024-05-01", "end": "2024-05-31"},
        headers=globex,
    )
    assert seen.json()["items"] == []
    mine = await client.get(url, headers=metering_service.auth("acme", "viewer"))
    assert mine.json()["name"] == "mine"
    own = await client.get(
        "/cost-sets/costs",
        params={"ids": created.json()["id"], "start": "2024-05-01", "end": "2024-05-31"},
        headers=metering_service.auth("acme", "viewer"),
    )
    single = await client.get(
        f"{url}/costs", params={"start": "2024-05-01", "end": "2024-05-31"},
        headers=metering_service.auth("acme", "viewer"),
    )  # fmt: skip
    (item,) = own.json()["items"]
    assert item["found"] and item["costs"] == single.json() and item["costs"]["items"]


async def test_cost_set_changes_and_bad_input(metering_service: MeteringService) -> None:
    client, viewer = metering_service.client, metering_service.auth("acme", "viewer")
    created = await _create(metering_service, {"name": "first"})
    url = f"/cost-sets/{created.json()['id']}"

    unknown_category = await _create(
        metering_service, {"name": "x", "filters": {"charge_categories": ["Refund"]}}
    )
    duplicate = await _create(metering_service, {"name": "first"})
    no_dates = await client.get(f"{url}/costs", headers=viewer)
    backwards = await client.get(
        f"{url}/costs", params={"start": "2024-05-02", "end": "2024-05-01"}, headers=viewer
    )
    renamed = await client.put(
        url,
        json={"name": "renamed", "group_by": "region", "filters": {"regions": ["us-east-1"]}},
        headers=viewer,
    )
    listed = await client.get("/cost-sets", headers=viewer)
    deleted = await client.delete(url, headers=viewer)
    gone = await client.get(url, headers=viewer)

    assert (unknown_category.status_code, unknown_category.json()["error"]["code"]) == (
        422,
        "invalid_filter",
    )
    assert (duplicate.status_code, duplicate.json()["error"]["code"]) == (409, "cost_set_exists")
    assert (no_dates.status_code, no_dates.json()["error"]["code"]) == (422, "invalid_period")
    assert backwards.json()["error"]["code"] == "invalid_period"
    assert renamed.json()["filters"]["regions"] == ["us-east-1"]
    assert renamed.json()["group_by"] == "region"
    assert [s["name"] for s in listed.json()["items"]] == ["renamed"]
    assert (deleted.status_code, gone.status_code) == (204, 404)
