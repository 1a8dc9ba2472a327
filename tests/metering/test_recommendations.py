"""Savings recommendations on seeded data: each kind is found with its saving from
the resource's own bill, and not found when the resource is in use; dismissals
survive recomputation; advice is recomputed after an ingest; companies apart."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from nephos_common.contracts.metering import DeliveryIngested
from nephos_common.contracts.monitoring import UtilisationDaily
from nephos_common.messaging.envelope import Envelope
from tests.fixtures.monitoring import wait_for
from tests.metering.live import (
    LiveMetering,
    cost_row,
    discovered,
    insert_costs,
    metering_live,  # noqa: F401
)

AS_OF = date(2026, 11, 1)
ARN = "arn:aws:ec2:us-east-1:111122223333"
COVERED = "999900000002"


def _utilisation(event: Envelope, cpu_p95: float, days: int, network: float = 1e5) -> list[Any]:
    data = event.data
    return [
        UtilisationDaily(
            asset_id=data["asset_id"], account_id=data["account_id"], provider="aws",
            native_id=data["native_id"], category="server", day=AS_OF - timedelta(days=d),
            samples=288, cpu_avg=cpu_p95 / 2, cpu_p95=cpu_p95, cpu_max=cpu_p95 + 1,
            network_in_bytes=network / 2, network_out_bytes=network / 2,
        ).envelope(tenant=event.tenant, source="monitoring")
        for d in range(1, days + 1)
    ]  # fmt: skip


def _daily(resource_id: str | None, amount: str, days: range, **overrides: Any) -> list[Any]:
    return [cost_row(date(2026, 10, d), amount, resource_id, **overrides) for d in days]


def _seen_at(event: Envelope, when: datetime) -> Envelope:
    return event.model_copy(update={"time": when})


async def _seed(service: LiveMetering) -> dict[str, Envelope]:
    server = {"category": "server", "native_type": "aws.ec2.instance"}
    assets = {
        "idle": discovered(native_id="i-0idle", **server),
        "oversized": discovered(native_id="i-0big", **server),
        "busy": discovered(native_id="i-0busy", **server),
        "stopped": discovered(native_id="i-0stopped", state="stopped", **server),
        "unmeasured": discovered(native_id="i-0new", **server),
        "loose_volume": discovered(native_id="vol-0loose", native_type="aws.ec2.volume",
                                   category="disk", state="other",
                                   spec={"attached": False, "size_gb": 100}),
        "used_volume": discovered(native_id="vol-0used", native_type="aws.ec2.volume",
                                  category="disk", spec={"attached": True}),
        "loose_disk": discovered(provider="azure", native_type="azure.compute.disk",
                                 category="disk", native_id="/subscriptions/s1/resourceGroups/"
                                 "rg/providers/Microsoft.Compute/disks/old-os",
                                 spec={"attached": False, "disk_state": "Unattached"}),
        "old_snapshot": _seen_at(discovered(native_id="snap-0old", category="snapshot",
                                            native_type="aws.ec2.snapshot"),
                                 datetime(2026, 6, 1, tzinfo=UTC)),
        "young_snapshot": _seen_at(discovered(native_id="snap-0young", category="snapshot",
                                              native_type="aws.ec2.snapshot"),
                                   datetime(2026, 10, 20, tzinfo=UTC)),
        "loose_ip": discovered(native_id="eipalloc-0loose", native_type="aws.ec2.elastic_ip",
                               category="ip", spec={"associated": False,
                                                    "public_ip": "198.51.100.7"}),
        "used_ip": discovered(native_id="eipalloc-0used", native_type="aws.ec2.elastic_ip",
                              category="ip", spec={"associated": True}),
    }  # fmt: skip
    await service.publish(*assets.values(), discovered("globex", native_id="eipalloc-0theirs",
                          native_type="aws.ec2.elastic_ip", category="ip",
                          spec={"associated": False}))  # fmt: skip
    await service.publish(
        *_utilisation(assets["idle"], 2.0, 10), *_utilisation(assets["oversized"], 22.0, 10),
        *_utilisation(assets["busy"], 85.0, 10), *_utilisation(assets["stopped"], 1.0, 10),
        *_utilisation(assets["unmeasured"], 1.0, 3),
    )  # fmt: skip
    window = range(12, 32)
    await insert_costs(service, [
        *_daily("i-0idle", "1.00", window), cost_row(date(2026, 10, 1), "50", "i-0idle"),
        *_daily(f"{ARN}:instance/i-0big", "2.00", window), *_daily("i-0busy", "3.00", window),
        *_daily(f"{ARN}:volume/vol-0loose", "0.10", range(2, 32), service_category="Storage"),
        *_daily(f"{ARN}:snapshot/snap-0old", "0.05", range(2, 32), service_category="Storage"),
        *_daily("198.51.100.7", "0.12", range(2, 32), service_category="Networking"),
        *_daily(None, "4.00", range(2, 32), billing_account_id=COVERED,
                commitment_discount_id="sp-1", commitment_discount_type="Savings Plan"),
    ])  # fmt: skip
    return assets


async def _refresh(service: LiveMetering, tenant: str = "acme") -> dict[str, Any]:
    answer = await service.client.post("/recommendations/refresh", params={"as_of": str(AS_OF)},
                                       headers=service.auth(tenant, "operator"))  # fmt: skip
    assert answer.status_code == 200, answer.text
    return await service.get("/recommendations", tenant)


def _by_subject(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["asset_id"] or item["resource_id"]: item for item in body["items"]}


async def test_each_kind_is_found_with_the_saving_of_its_bill(
    metering_live: LiveMetering,  # noqa: F811
) -> None:
    service = metering_live
    assets = await _seed(service)
    body = await wait_for(lambda: _refresh(service), lambda b: len(b["items"]) == 7, 20)
    found = _by_subject(body)
    ids = {name: event.data["asset_id"] for name, event in assets.items()}
    expected = {  # kind, saving: the resource's effective cost of 2 Oct..31 Oct
        ids["idle"]: ("idle_server", Decimal("20.00")),  # 20 days x 1.00, not 1 Oct's 50
        ids["oversized"]: ("oversized_server", Decimal("20.00")),  # half of 20 x 2.00
        ids["loose_volume"]: ("unattached_volume", Decimal("3.00")),
        ids["loose_disk"]: ("unattached_volume", Decimal("0.00")),  # no bill rows held
        ids["old_snapshot"]: ("old_snapshot", Decimal("1.50")),
        ids["loose_ip"]: ("unused_public_ip", Decimal("3.60")),  # billed under its address
        # Billing account 111122223333: 20 days of on-demand compute only, at least
        # 6.00 a day (1 + 2 + 3): 6.00 x 30 days x 30 % assumed discount.
        "111122223333": ("commitment_coverage", Decimal("54.00")),
    }
    assert {k: (v["kind"], Decimal(v["monthly_saving"])) for k, v in found.items()} == expected
    assert found[ids["loose_disk"]]["details"]["cost_known"] is False
    assert all(item["status"] == "open" for item in body["items"])
    totals = {t["kind"]: Decimal(t["monthly_saving"]) for t in body["totals"] if t["currency"]}
    assert totals["unattached_volume"] == Decimal("3.00")
    assert sum(t["count"] for t in body["totals"]) == 7

    pages, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 3, **({"after": cursor} if cursor else {})}
        page = await service.get("/recommendations", **params)
        pages.append([i["id"] for i in page["items"]])
        if (cursor := page["next_cursor"]) is None:
            break
    assert [i for p in pages for i in p] == [i["id"] for i in body["items"]]
    assert [len(p) for p in pages] == [3, 3, 1]
    savings = [Decimal(i["monthly_saving"]) for i in body["items"]]
    assert savings == sorted(savings, reverse=True)
    only = await service.get("/recommendations", kind="unattached_volume")
    assert sorted(Decimal(i["monthly_saving"]) for i in only["items"]) == [0, 3]

    theirs = await _refresh(service, "globex")
    assert [i["kind"] for i in theirs["items"]] == ["unused_public_ip"]


async def test_dismissal_survives_and_advice_in_use_is_withdrawn(
    metering_live: LiveMetering,  # noqa: F811
) -> None:
    service = metering_live
    assets = await _seed(service)
    body = await wait_for(lambda: _refresh(service), lambda b: len(b["items"]) == 7, 20)
    idle = _by_subject(body)[assets["idle"].data["asset_id"]]

    async def set_status(status: str, tenant: str = "acme", role: str = "operator") -> Any:
        return await service.client.patch(f"/recommendations/{idle['id']}",
                                          json={"status": status},
                                          headers=service.auth(tenant, role))  # fmt: skip

    assert (await set_status("dismissed", "globex")).status_code == 404
    assert (await set_status("dismissed", role="viewer")).status_code == 403
    assert (await set_status("gone")).status_code == 422
    assert (await set_status("dismissed")).json()["status"] == "dismissed"

    again = _by_subject(await _refresh(service))[idle["asset_id"]]
    assert (again["id"], again["status"]) == (idle["id"], "dismissed")
    dismissed = await service.get("/recommendations", status="dismissed")
    assert [i["id"] for i in dismissed["items"]] == [idle["id"]]

    # The server gets busy one day: no longer idle, nor oversized.
    busy_day = _utilisation(assets["idle"], 90.0, 1)
    await service.publish(*[e.model_copy(update={"id": uuid.uuid4()}) for e in busy_day])
    await wait_for(lambda: _refresh(service),
                   lambda b: idle["asset_id"] not in _by_subject(b), 20)  # fmt: skip


async def test_recommendations_are_recomputed_after_an_ingest(
    metering_live: LiveMetering,  # noqa: F811
) -> None:
    service = metering_live
    loose = discovered(native_id="eipalloc-0after", native_type="aws.ec2.elastic_ip",
                       category="ip", spec={"associated": False})  # fmt: skip
    await service.publish(loose)
    await wait_for(lambda: service.get("/asset-costs", ids=loose.data["asset_id"]),
                   lambda b: b["items"][0]["found"])  # fmt: skip
    assert (await service.get("/recommendations"))["items"] == []
    ingested = DeliveryIngested(
        delivery_id=uuid.uuid4(), account_id=uuid.uuid4(),
        billing_period_start=date(2026, 10, 1), billing_period_end=date(2026, 11, 1),
    ).envelope(tenant="acme", source="metering")  # fmt: skip
    await service.publish(ingested)
    body = await wait_for(lambda: service.get("/recommendations"), lambda b: b["items"], 20)
    assert [i["asset_id"] for i in body["items"]] == [loose.data["asset_id"]]
    assert body["computed_at"] is not None
    assert (await service.get("/recommendations", "globex"))["items"] == []
