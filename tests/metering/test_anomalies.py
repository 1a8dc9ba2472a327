"""Cost anomalies: a weekday-aware robust range per (account, service), once per day."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from nephos_metering.anomalies.detection import Sensitivity, judge
from tests.fixtures.metering import MeteringService, insert_daily_costs, outbox_events
from tests.fixtures.monitoring import wait_for
from tests.metering.cur_files import Line, csv_gzip, cur_row, ingest_body, put_delivery
from tests.metering.history import seasonal_history
from tests.metering.test_budgets import handled, stream_events
from tests.metering.test_ingest import ingest

DETECTED = "metering.anomaly.detected"
EC2, S3 = "Amazon Elastic Compute Cloud", "Amazon Simple Storage Service"
SPIKE = date(2024, 5, 15)


def _like_its_weekday(history: dict[date, Decimal], day: date, expected: str) -> bool:
    """Whether ``expected`` lies within 5 % of the four same weekdays before ``day``
    (a range from all weekdays, or one moved by the spike, would not)."""
    same = [history[day - timedelta(weeks=w)] for w in range(1, 5)]
    return min(same) * Decimal("0.95") <= Decimal(expected) <= max(same) * Decimal("1.05")


def _lines(days: int, spike_day: int | None, cents: str = "0.05") -> list[Line]:
    """EC2 near 100 a day (a spike of 500 on ``spike_day``), S3 at a few cents."""
    out = []
    for day in range(1, days + 1):
        ec2 = Decimal(500) if day == spike_day else Decimal(100) + Decimal(day % 3)
        out += [Line(day, 0, ec2), Line(day, 1, Decimal(cents) * (1 + day % 2))]
    return out


async def _deliver(service: MeteringService, moto: str, period: str, lines: list[Line]) -> None:
    rows = [cur_row(period, line) for line in lines]
    await asyncio.to_thread(put_delivery, moto, period, {"a.csv.gz": csv_gzip(rows)})
    answer = await ingest(service, ingest_body(moto, period))
    assert answer.json()["outcome"] == "ingested", answer.text


async def test_ingest_detects_a_spiked_day_once(
    metering_with_workers: MeteringService, fresh_moto: str
) -> None:
    service = metering_with_workers
    await _deliver(service, fresh_moto, "2024-04", _lines(30, None))
    await _deliver(service, fresh_moto, "2024-05", _lines(20, SPIKE.day))
    found = await wait_for(lambda: stream_events(service, DETECTED), lambda e: len(e) >= 1)
    # A restatement of May (S3 cents changed) is judged again and announces nothing new.
    await _deliver(service, fresh_moto, "2024-05", _lines(20, SPIKE.day, cents="0.06"))
    await wait_for(lambda: handled(service, "metering-anomalies"), lambda n: n == 3)
    await asyncio.sleep(0.5)
    listed = await service.client.get("/anomalies", headers=service.auth("acme", "viewer"))

    assert len(await stream_events(service, DETECTED)) == 1
    data = found[0]["data"]
    assert (data["service_name"], data["day"], data["actual"]) == (EC2, "2024-05-15", "500")
    ec2 = {
        date(2024, m, line.day): line.cost
        for m, lines in ((4, _lines(30, None)), (5, _lines(20, SPIKE.day)))
        for line in lines
        if line.service == 0
    }
    assert _like_its_weekday(ec2, SPIKE, data["expected"])
    assert Decimal(data["expected_low"]) < Decimal(100) and Decimal(data["expected_high"]) < 500
    assert [(a["id"], a["day"]) for a in listed.json()["items"]] == [
        (data["anomaly_id"], "2024-05-15")
    ]


async def test_detection_on_demand_follows_the_weekday_pattern(
    metering_service: MeteringService,
) -> None:
    account = uuid.uuid4()
    history = seasonal_history(date(2024, 3, 25), date(2024, 5, 20), base=1000)
    spiked = {**history, SPIKE: history[SPIKE] * 3}
    await insert_daily_costs(metering_service, spiked, account=account)
    cents = {d: Decimal("0.02") for d in history} | {SPIKE: Decimal("0.90")}
    await insert_daily_costs(metering_service, cents, account=account, service_name=S3)
    client, operator = metering_service.client, metering_service.auth("acme", "operator")
    window = {"from": "2024-05-01", "to": "2024-05-20"}

    first = await client.post("/anomalies/detect", json=window, headers=operator)
    second = await client.post("/anomalies/detect", json=window, headers=operator)

    detected = first.json()["detected"]
    # Only the spiked EC2 day: not the quiet weekends, not S3's 45-fold jump of cents.
    assert [(a["service_name"], a["day"]) for a in detected] == [(EC2, "2024-05-15")]
    anomaly = detected[0]
    assert Decimal(anomaly["actual"]) == spiked[SPIKE]
    assert _like_its_weekday(history, SPIKE, anomaly["expected"])
    weekend = min(v for d, v in history.items() if d.weekday() >= 5)
    assert Decimal(anomaly["expected_low"]) > weekend
    assert Decimal(anomaly["expected_low"]) < history[SPIKE] < Decimal(anomaly["expected_high"])
    assert Decimal(anomaly["expected_high"]) < spiked[SPIKE]
    assert second.json()["detected"] == []
    sent = await outbox_events(metering_service, DETECTED)
    assert [e["data"]["anomaly_id"] for e in sent] == [anomaly["id"]]
    assert sent[0]["data"]["expected_high"] == anomaly["expected_high"]


async def test_list_filters_and_acknowledge(metering_service: MeteringService) -> None:
    ours, other = uuid.uuid4(), uuid.uuid4()
    for account in (ours, other):
        history = seasonal_history(date(2024, 4, 1), date(2024, 5, 20), base=500)
        await insert_daily_costs(
            metering_service, {**history, SPIKE: history[SPIKE] * 4}, account=account
        )
    client, operator = metering_service.client, metering_service.auth("acme", "operator")
    viewer = metering_service.auth("acme", "viewer")
    await client.post(
        "/anomalies/detect", json={"from": "2024-05-01", "to": "2024-05-20"}, headers=operator
    )

    async def listed(**params: Any) -> list[str]:
        answer = await client.get("/anomalies", params=params, headers=viewer)
        assert answer.status_code == 200, answer.text
        return sorted(a["account_id"] for a in answer.json()["items"])

    everything = await listed()
    assert everything == sorted([str(ours), str(other)])
    assert await listed(account_id=str(ours)) == [str(ours)]
    assert await listed(service=EC2, **{"from": "2024-05-15", "to": "2024-05-15"}) == everything
    assert await listed(service=S3) == []
    assert await listed(**{"from": "2024-05-16"}) == []
    one = (await client.get("/anomalies", params={"account_id": str(ours)}, headers=viewer)).json()[
        "items"
    ][0]
    refused = await client.post(f"/anomalies/{one['id']}/acknowledge", headers=viewer)
    acked = await client.post(f"/anomalies/{one['id']}/acknowledge", headers=operator)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
    assert acked.json()["acknowledged_by"] == "user@acme" and acked.json()["acknowledged_at"]
    assert await listed(acknowledged="true") == [str(ours)]
    assert await listed(acknowledged="false") == [str(other)]


async def test_another_company_never_sees_an_anomaly(metering_service: MeteringService) -> None:
    history = seasonal_history(date(2024, 4, 1), date(2024, 5, 20), base=500)
    await insert_daily_costs(metering_service, {**history, SPIKE: history[SPIKE] * 4})
    client = metering_service.client
    window = {"from": "2024-05-01", "to": "2024-05-20"}
    ours = await client.post(
        "/anomalies/detect", json=window, headers=metering_service.auth("acme", "operator")
    )
    anomaly_id = ours.json()["detected"][0]["id"]
    globex = metering_service.auth("globex", "admin")

    theirs = await client.post("/anomalies/detect", json=window, headers=globex)
    listed = await client.get("/anomalies", headers=globex)
    one = await client.get(f"/anomalies/{anomaly_id}", headers=globex)
    ack = await client.post(f"/anomalies/{anomaly_id}/acknowledge", headers=globex)
    backwards = await client.post(
        "/anomalies/detect", json={"from": "2024-05-02", "to": "2024-05-01"}, headers=globex
    )

    assert theirs.json()["detected"] == [] and listed.json()["items"] == []
    assert (one.status_code, one.json()["error"]["code"]) == (404, "anomaly_not_found")
    assert ack.status_code == 404
    assert (backwards.status_code, backwards.json()["error"]["code"]) == (422, "invalid_period")
    mine = await client.get(f"/anomalies/{anomaly_id}", headers=metering_service.auth())
    assert mine.json()["acknowledged_at"] is None


def test_a_drop_is_an_anomaly_and_cents_never_are() -> None:
    start = date(2024, 5, 1)
    steady = {start + timedelta(days=i): Decimal(200 + i % 2) for i in range(28)}
    day = start + timedelta(days=28)
    tuning = Sensitivity(history_days=28, k=Decimal(3), min_amount=Decimal(10))

    drop = judge({**steady, day: Decimal(20)}, day, "USD", tuning)
    normal = judge({**steady, day: Decimal(201)}, day, "USD", tuning)
    small = judge(
        {d: v / 1000 for d, v in {**steady, day: Decimal(20)}.items()}, day, "USD", tuning
    )

    assert drop.anomalous and drop.actual < drop.low
    assert not normal.anomalous and normal.low <= normal.actual <= normal.high
    assert not small.anomalous and small.actual < small.low
