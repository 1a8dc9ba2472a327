"""Budgets: scopes, status, and one ``metering.budget.exceeded`` per threshold and period."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from nephos_common.contracts.asset import (
    MembershipChanged,
    ResourceDiscovered,
    ServiceGroupChanged,
)
from nephos_metering.allocation import consumer as allocation
from nephos_metering.db import MESSAGING
from nephos_metering.main import EVENTS_STREAM
from tests.fixtures.metering import (
    MeteringService,
    insert_daily_costs,
    mark_cost_allocation_tags,
    outbox_events,
)
from tests.fixtures.monitoring import wait_for
from tests.metering.cur_files import csv_gzip, cur_row, ingest_body, lines_for, put_delivery, total
from tests.metering.test_ingest import ingest

EXCEEDED = "metering.budget.exceeded"


def flat(first: date, last: date, amount: str) -> dict[date, Decimal]:
    """The same cost every day from ``first`` to ``last``, both included."""
    return {first + timedelta(days=i): Decimal(amount) for i in range((last - first).days + 1)}


def budget(amount: str, *thresholds: tuple[int, str], **fields: Any) -> dict[str, Any]:
    return {
        "name": "cloud",
        "scope": {"type": "company"},
        "amount": amount,
        "currency": "USD",
        "thresholds": [{"percent": p, "basis": b} for p, b in thresholds],
        **fields,
    }


async def create(service: MeteringService, body: dict[str, Any], tenant: str = "acme") -> Any:
    return await service.client.post(
        "/budgets", json=body, headers=service.auth(tenant, "operator")
    )


async def created_id(service: MeteringService, body: dict[str, Any]) -> str:
    answer = await create(service, body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def stream_events(service: MeteringService, event_type: str) -> list[dict[str, Any]]:
    """Every event of ``event_type`` on the deployment's METERING stream."""
    nats = service.app.state.nats
    js = await nats.jetstream(timeout=10)
    count = (await js.stream_info(nats.stream(EVENTS_STREAM.name))).state.messages
    if not count:
        return []
    sub = await js.subscribe(nats.subject("metering.>"), ordered_consumer=True)
    try:
        events = [json.loads((await sub.next_msg(timeout=5)).data) for _ in range(count)]
    finally:
        await sub.unsubscribe()
    return [e for e in events if e["type"] == event_type]


async def handled(service: MeteringService, durable: str) -> int:
    """How many events the durable consumer has taken effect for."""
    inbox = MESSAGING.inbox
    query = select(func.count()).select_from(inbox).where(inbox.c.consumer == durable)
    async with service.app.state.database.sessions() as session:
        return int(await session.scalar(query) or 0)


async def _deliver(service: MeteringService, moto: str, scale: str) -> None:
    rows = [cur_row("2024-05", line) for line in lines_for("2024-05", 6, scale=scale)]
    await asyncio.to_thread(put_delivery, moto, "2024-05", {"a.csv.gz": csv_gzip(rows)})
    answer = await ingest(service, ingest_body(moto, "2024-05"))
    assert answer.json()["outcome"] == "ingested", answer.text


async def test_ingest_sends_one_event_per_crossed_threshold_and_period(
    metering_with_workers: MeteringService, fresh_moto: str
) -> None:
    service = metering_with_workers
    amount = Decimal(90)
    first, restated, higher = (total(lines_for("2024-05", 6, scale=s)) for s in ("1", "1.1", "1.3"))
    # The deliveries are built so: the first crosses 50 % and 80 %, the restatement
    # still crosses just those, the third crosses 100 % as well.
    assert 80 * amount <= first * 100 < restated * 100 < 100 * amount <= higher * 100
    await created_id(service, budget(str(amount), (50, "actual"), (80, "actual"), (100, "actual")))

    await _deliver(service, fresh_moto, "1")
    events = await wait_for(lambda: stream_events(service, EXCEEDED), lambda e: len(e) >= 2)
    await _deliver(service, fresh_moto, "1.1")
    await wait_for(lambda: handled(service, "metering-budgets"), lambda n: n == 2)
    after_restatement = await stream_events(service, EXCEEDED)
    await _deliver(service, fresh_moto, "1.3")
    final = await wait_for(lambda: stream_events(service, EXCEEDED), lambda e: len(e) >= 3)

    assert sorted(e["data"]["threshold_percent"] for e in events) == [50, 80]
    assert {e["data"]["amount"] for e in events} == {str(first)}
    assert {(e["data"]["period_start"], e["data"]["period_end"]) for e in events} == {
        ("2024-05-01", "2024-05-31")
    }
    assert len(after_restatement) == 2
    assert [e["data"]["threshold_percent"] for e in final[2:]] == [100]
    assert final[2]["data"]["amount"] == str(higher) and final[2]["tenant"] == "acme"
    await asyncio.sleep(0.5)
    assert len(await stream_events(service, EXCEEDED)) == 3


async def test_forecast_threshold_fires_before_the_spend_does(
    metering_service: MeteringService,
) -> None:
    await insert_daily_costs(metering_service, flat(date(2024, 4, 1), date(2024, 5, 31), "100"))
    budget_id = await created_id(
        metering_service, budget("3000", (80, "actual"), (100, "forecast"))
    )
    client, operator = metering_service.client, metering_service.auth("acme", "operator")
    url = f"/budgets/{budget_id}"

    first = await client.post(f"{url}/evaluate", params={"as_of": "2024-05-15"}, headers=operator)
    again = await client.post(f"{url}/evaluate", params={"as_of": "2024-05-16"}, headers=operator)
    later = await client.post(f"{url}/evaluate", params={"as_of": "2024-05-26"}, headers=operator)
    status = await client.get(
        f"{url}/status",
        params={"as_of": "2024-05-26"},
        headers=metering_service.auth("acme", "viewer"),
    )
    sent = await outbox_events(metering_service, EXCEEDED)

    body = first.json()
    # 14 days of 100 spent; 31 days of 100 forecast (four flat weeks: seasonal method).
    assert (body["spent"], body["forecast"]) == ("1400", "3100.00")
    assert (body["percent_spent"], body["percent_forecast"]) == ("46.67", "103.33")
    assert body["notified"] == [{"percent": 100, "basis": "forecast"}]
    assert again.json()["notified"] == []
    assert later.json()["notified"] == [{"percent": 80, "basis": "actual"}]
    assert [
        (e["data"]["threshold_percent"], e["data"]["basis"], e["data"]["amount"]) for e in sent
    ] == [(100, "forecast", "3100.00"), (80, "actual", "2500")]
    states = {(t["percent"], t["basis"]): t for t in status.json()["thresholds"]}
    assert all(t["crossed"] and t["notified_at"] for t in states.values())
    assert status.json()["spent"] == "2500"


async def test_custom_period_is_forecast_by_run_rate(metering_service: MeteringService) -> None:
    await insert_daily_costs(metering_service, flat(date(2024, 4, 1), date(2024, 5, 31), "100"))
    body = budget(
        "2500", (100, "forecast"), period="custom", start_date="2024-05-01", end_date="2024-05-20"
    )
    budget_id = await created_id(metering_service, body)

    status = await metering_service.client.get(
        f"/budgets/{budget_id}/status",
        params={"as_of": "2024-05-11"},
        headers=metering_service.auth("acme", "viewer"),
    )
    whole = await metering_service.client.get(
        f"/budgets/{budget_id}/status", headers=metering_service.auth("acme", "viewer")
    )

    # Ten days spent, ten to come at the trailing 28 days' mean of 100.
    assert (status.json()["spent"], status.json()["forecast"]) == ("1000", "2000.00")
    assert status.json()["thresholds"][0]["crossed"] is False
    # By default, as of the latest cost: the whole period is past.
    assert (whole.json()["spent"], whole.json()["forecast"]) == ("2000", "2000")
    assert (whole.json()["period_start"], whole.json()["period_end"]) == (
        "2024-05-01",
        "2024-05-20",
    )


async def _service_group(service: MeteringService, account: uuid.UUID) -> uuid.UUID:
    """A group holding one server, kept by allocation from the asset service's events."""
    group, asset = uuid.uuid4(), uuid.uuid4()
    server = ResourceDiscovered(
        asset_id=asset,
        account_id=account,
        provider="aws",
        region="us-east-1",
        category="server",
        native_type="ec2:instance",
        native_id="i-0aaa",
        name="web",
        state="running",
        tags={},
        spec={},
    )
    events = [
        server,
        ServiceGroupChanged(group_id=group, name="shop", rule=None),
        MembershipChanged(group_id=group, added=[asset], removed=[]),
    ]
    async with service.app.state.database.transaction() as session:
        for event in events:
            await allocation.handle(session, event.envelope(tenant="acme", source="asset"))
    return group


@pytest.mark.parametrize("marked", [(), ("team",)], ids=["line items", "tag totals"])
async def test_each_scope_counts_only_its_costs(
    metering_service: MeteringService, marked: tuple[str, ...]
) -> None:
    """With ``team`` a cost allocation tag, the tag scope reads its totals: the same sums."""
    await mark_cost_allocation_tags(metering_service, *marked)
    may = (date(2024, 5, 1), date(2024, 5, 10))
    ours, theirs = uuid.uuid4(), uuid.uuid4()
    await insert_daily_costs(
        metering_service, flat(*may, "10"), account=ours, tags={"team": "web"}, resource_id="i-0aaa"
    )
    await insert_daily_costs(
        metering_service, flat(*may, "1"), account=ours, tags={"team": "data"}, resource_id="i-0bbb"
    )
    await insert_daily_costs(metering_service, flat(*may, "100"), account=theirs)
    group = await _service_group(metering_service, ours)
    scopes = {
        "company": {"type": "company"},
        "account": {"type": "account", "account_id": str(ours)},
        "tag": {"type": "tag", "key": "team", "value": "data"},
        "group": {"type": "service_group", "group_id": str(group)},
    }

    spent = {}
    for name, scope in scopes.items():
        budget_id = await created_id(metering_service, budget("1000", scope=scope))
        answer = await metering_service.client.get(
            f"/budgets/{budget_id}/status",
            params={"as_of": "2024-05-31"},
            headers=metering_service.auth("acme", "viewer"),
        )
        spent[name] = answer.json()["spent"]

    assert spent == {"company": "1110", "account": "110", "tag": "10", "group": "100"}


async def test_another_company_never_sees_a_budget(metering_service: MeteringService) -> None:
    await insert_daily_costs(metering_service, flat(date(2024, 5, 1), date(2024, 5, 10), "50"))
    budget_id = await created_id(metering_service, budget("100", (50, "actual")))
    client, globex = metering_service.client, metering_service.auth("globex", "admin")
    url = f"/budgets/{budget_id}"

    assert (await client.get("/budgets", headers=globex)).json()["items"] == []
    for answer in (
        await client.get(url, headers=globex),
        await client.get(f"{url}/status", headers=globex),
        await client.post(f"{url}/evaluate", params={"as_of": "2024-05-11"}, headers=globex),
        await client.put(url, json=budget("1"), headers=globex),
        await client.delete(url, headers=globex),
    ):
        assert (answer.status_code, answer.json()["error"]["code"]) == (404, "budget_not_found")
    theirs = (await create(metering_service, budget("100", (50, "actual")), "globex")).json()
    evaluated = await client.post(
        f"/budgets/{theirs['id']}/evaluate", params={"as_of": "2024-05-11"}, headers=globex
    )
    assert (evaluated.json()["spent"], evaluated.json()["notified"]) == ("0", [])
    assert await outbox_events(metering_service, EXCEEDED) == []
    mine = await client.get(url, headers=metering_service.auth("acme", "viewer"))
    assert mine.json()["amount"] == "100"

    # The batch read answers only for the caller's company, one item per id asked.
    unknown = str(uuid.uuid4())
    ids = ",".join((budget_id, unknown, theirs["id"]))
    batch = await client.get(
        "/budgets/statuses", params={"ids": ids, "as_of": "2024-05-11"}, headers=globex
    )
    assert [(i["budget_id"], i["found"], i["status"] is None) for i in batch.json()["items"]] == [
        (budget_id, False, True), (unknown, False, True), (theirs["id"], True, False),
    ]  # fmt: skip
    single = await client.get(
        f"/budgets/{theirs['id']}/status", params={"as_of": "2024-05-11"}, headers=globex
    )
    assert batch.json()["items"][2]["status"] == single.json()
    bad = await client.get("/budgets/statuses", params={"ids": "x"}, headers=globex)
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "invalid_ids")


async def test_roles_and_bad_input_get_clear_errors(metering_service: MeteringService) -> None:
    client, viewer = metering_service.client, metering_service.auth("acme", "viewer")
    bad = {
        "invalid_amount": budget("-5"),
        "invalid_threshold": budget("10", (1001, "actual")),
        "invalid_period": budget(
            "10", period="custom", start_date="2024-05-10", end_date="2024-05-01"
        ),
        "unknown_scope": budget("10", scope={"type": "project"}),
    }
    more = [
        ("invalid_threshold", budget("10", (0, "forecast"))),
        ("invalid_period", budget("10", start_date="2024-05-01")),
        ("unknown_scope", budget("10", scope={"type": "account", "account_id": "nope"})),
        (
            "unknown_scope",
            budget("10", scope={"type": "account", "account_id": str(uuid.uuid4())}),
        ),
        (
            "unknown_scope",
            budget("10", scope={"type": "service_group", "group_id": str(uuid.uuid4())}),
        ),
        ("unknown_scope", budget("10", scope={"type": "tag", "key": "team"})),
    ]

    for code, body in [*bad.items(), *more]:
        answer = await create(metering_service, body)
        assert (answer.status_code, answer.json()["error"]["code"]) == (422, code), body
    as_viewer = await client.post("/budgets", json=budget("10"), headers=viewer)
    assert (as_viewer.status_code, as_viewer.json()["error"]["code"]) == (403, "forbidden")
    assert (await client.get("/budgets", headers=viewer)).json()["items"] == []

    budget_id = await created_id(metering_service, budget("10", (90, "actual")))
    evaluate_as_viewer = await client.post(f"/budgets/{budget_id}/evaluate", headers=viewer)
    renamed = await client.put(
        f"/budgets/{budget_id}",
        json={**budget("12.50"), "name": "ops"},
        headers=metering_service.auth("acme", "operator"),
    )
    refused = await client.put(
        f"/budgets/{budget_id}", json=budget("0"), headers=metering_service.auth("acme", "operator")
    )
    kept = await client.get(f"/budgets/{budget_id}", headers=viewer)
    assert evaluate_as_viewer.status_code == 403
    assert (renamed.json()["name"], renamed.json()["amount"]) == ("ops", "12.50")
    assert refused.json()["error"]["code"] == "invalid_amount"
    assert (kept.json()["name"], kept.json()["amount"]) == ("ops", "12.50")
