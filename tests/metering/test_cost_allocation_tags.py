"""Cost allocation tags: marked by admins, built by a job on the work queue, then read
by the questions narrowed to or grouped by them; unmarked, they read line items again.

That the answers from a tag's totals equal sums over the rows is proved by
``test_cost_filters`` (every question asked both ways) and that the totals follow
deliveries and direct writes by ``test_cost_partitions``.
"""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import text

from nephos_common.contracts.metering import CostTagTotalsRequested
from nephos_metering import sweep
from nephos_metering.costs.filtered import CostFilter
from nephos_metering.costs.readers import totals_scope
from nephos_metering.costtags.service import MAX_KEYS
from tests.fixtures.metering import (
    MeteringService,
    insert_daily_costs,
    mark_cost_allocation_tags,
    outbox_events,
)

MAY = {date(2024, 5, day): Decimal(day) / 4 for day in range(1, 11)}
WEB = CostFilter(tags=(("team", "web"),))


async def _scope_of(service: MeteringService, filters: CostFilter, tenant: str = "acme") -> Any:
    async with service.app.state.database.transaction() as session:
        return await totals_scope(session, tenant, filters)


async def _tag_totals(service: MeteringService, tenant: str = "acme") -> int:
    async with service.app.state.database.transaction() as session:
        found = await session.scalar(
            text("SELECT count(*) FROM cost_tag_daily_totals WHERE tenant = :t"), {"t": tenant}
        )
    return int(found)


async def _mark(
    service: MeteringService, key: str, tenant: str = "acme", role: str = "admin"
) -> httpx.Response:
    return await service.client.post("/cost-allocation-tags", json={"key": key},
                                     headers=service.auth(tenant, role))  # fmt: skip


async def _ready(service: MeteringService, key: str, timeout: float = 30.0) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        answer = await service.client.get(f"/cost-allocation-tags/{key}",
                                          headers=service.auth("acme", "viewer"))  # fmt: skip
        assert answer.status_code == 200, answer.text
        if answer.json()["ready_at"] is not None:
            body: dict[str, Any] = answer.json()
            return body
        assert asyncio.get_running_loop().time() < deadline, f"not built: {answer.json()}"
        await asyncio.sleep(0.1)


async def test_a_marked_tag_is_built_by_the_work_queue_then_answers_from_its_totals(
    metering_with_workers: MeteringService,
) -> None:
    service = metering_with_workers
    await insert_daily_costs(service, MAY, tags={"team": "web"})
    await insert_daily_costs(service, {d: Decimal(1) for d in MAY}, tags={"team": "data"})

    marked = await _mark(service, "team")
    assert marked.status_code == 202, marked.text
    assert marked.json()["key"] == "team" and marked.json()["marked_by"] == "user@acme"
    built = await _ready(service, "team")

    assert built["ready_at"] >= built["marked_at"]
    assert await _scope_of(service, WEB) is not None
    by_team = await service.client.get("/costs/summary", headers=service.auth("acme", "viewer"),
                                       params={"from": "2024-05-01", "to": "2024-05-31",
                                               "group_by": "tag", "tag_key": "team"})  # fmt: skip
    assert {i["key"]: Decimal(i["billed_cost"]) for i in by_team.json()["items"]} == {
        "web": sum(MAY.values()), "data": Decimal(len(MAY))
    }  # fmt: skip
    # 2 values x 10 days x 4 dimensions, one key per dimension
    assert await _tag_totals(service) == 2 * 10 * 4


async def test_marking_is_for_admins_checked_and_done_once_built(
    metering_service: MeteringService,
) -> None:
    service = metering_service

    assert (await _mark(service, "team", role="operator")).status_code == 403
    blank = await _mark(service, "   ")
    empty = await _mark(service, "")
    first, again = await _mark(service, "team"), await _mark(service, "team")

    assert (blank.status_code, blank.json()["error"]["code"]) == (422, "invalid_tag_key")
    assert empty.status_code == 422
    assert first.status_code == again.status_code == 202
    assert first.json() == again.json()
    jobs = await outbox_events(service, CostTagTotalsRequested.event_type)
    assert [(j["tenant"], j["data"]["tag_key"]) for j in jobs] == [("acme", "team")] * 2
    assert await _scope_of(service, WEB) is None  # marked, not built yet: line items
    await mark_cost_allocation_tags(service, "team")  # built
    built = await _mark(service, "team")
    assert built.json()["ready_at"] is not None
    assert len(await outbox_events(service, CostTagTotalsRequested.event_type)) == 3


async def test_a_company_marks_a_bounded_number_of_keys(metering_service: MeteringService) -> None:
    service = metering_service
    for n in range(MAX_KEYS):
        assert (await _mark(service, f"key{n}")).status_code == 202

    refused = await _mark(service, "one-too-many")
    elsewhere = await _mark(service, "one-too-many", tenant="globex")

    assert (refused.status_code, refused.json()["error"]["code"]) == (
        409, "too_many_cost_allocation_tags")  # fmt: skip
    assert elsewhere.status_code == 202
    listed = await service.client.get("/cost-allocation-tags", headers=service.auth("acme"))
    assert [t["key"] for t in listed.json()["items"]] == sorted(f"key{n}" for n in range(MAX_KEYS))


async def test_unmarking_drops_the_totals_and_reads_line_items_again(
    metering_service: MeteringService,
) -> None:
    service = metering_service
    key = "kubernetes.io/cluster"
    await insert_daily_costs(service, MAY, tags={key: "prod"})
    await mark_cost_allocation_tags(service, key)
    await insert_daily_costs(service, MAY, tags={key: "prod"}, tenant="globex")
    await mark_cost_allocation_tags(service, key, tenant="globex")
    prod = CostFilter(tags=((key, "prod"),))
    assert await _scope_of(service, prod) is not None
    acme_rows = await _tag_totals(service)

    not_theirs = await service.client.delete(f"/cost-allocation-tags/{key}x",
                                             headers=service.auth("acme"))  # fmt: skip
    by_viewer = await service.client.delete(f"/cost-allocation-tags/{key}",
                                            headers=service.auth("acme", "viewer"))  # fmt: skip
    gone = await service.client.delete(f"/cost-allocation-tags/{key}", headers=service.auth())
    asked = await service.client.get(f"/cost-allocation-tags/{key}", headers=service.auth())

    assert (not_theirs.status_code, not_theirs.json()["error"]["code"]) == (
        404, "cost_allocation_tag_not_found")  # fmt: skip
    assert by_viewer.status_code == 403
    assert gone.status_code == 204 and asked.status_code == 404
    assert acme_rows == 10 * 4 and await _tag_totals(service) == 0
    assert await _scope_of(service, prod) is None
    assert await _scope_of(service, prod, tenant="globex") is not None
    assert await _tag_totals(service, "globex") == 10 * 4


async def test_the_sweep_queues_again_the_build_of_keys_long_unbuilt(
    metering_service: MeteringService,
) -> None:
    """A build job lost, or dropped after failing too often, must not leave a key unbuilt."""
    service = metering_service
    database = service.app.state.database
    for key, tenant in (("team", "acme"), ("env", "acme"), ("team", "globex")):
        assert (await _mark(service, key, tenant=tenant)).status_code == 202
    await mark_cost_allocation_tags(service, "app")  # built
    async with database.transaction() as session:
        await session.execute(text(
            "UPDATE cost_allocation_tags SET build_queued_at = now() - interval '2 hours'"
            " WHERE tag_key IN ('team', 'app')"
        ))  # fmt: skip
    queued_before = len(await outbox_events(service, CostTagTotalsRequested.event_type))

    requeued = await sweep.sweep(database)
    again = await sweep.sweep(database)

    assert (requeued, again) == (2, 0)
    jobs = (await outbox_events(service, CostTagTotalsRequested.event_type))[queued_before:]
    assert sorted((j["tenant"], j["data"]["tag_key"]) for j in jobs) == [
        ("acme", "team"), ("globex", "team")
    ]  # fmt: skip
