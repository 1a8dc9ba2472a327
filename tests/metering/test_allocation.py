"""Cost per asset and per service group: asset events build metering's projection,
and an asset's cost is the sum of the bill rows of its resource, whatever form
of id the bill uses (bare AWS id, ARN, Azure ARM id in another case)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from tests.fixtures.monitoring import wait_for
from tests.metering.live import (
    LiveMetering,
    cost_row,
    deleted,
    discovered,
    group_named,
    insert_costs,
    membership,
    metering_live,  # noqa: F401
)

PERIOD = {"from": "2026-10-01", "to": "2026-10-31"}
ARN = "arn:aws:ec2:us-east-1:111122223333"
DISK = "/subscriptions/0000-aa/resourceGroups/rg-web/providers/Microsoft.Compute/disks/web-os"


def _day(n: int) -> date:
    return date(2026, 10, n)


def _rows(resource_id: str | None, amounts: list[str], **overrides: Any) -> list[dict[str, Any]]:
    return [cost_row(_day(i + 1), a, resource_id, **overrides) for i, a in enumerate(amounts)]


def _total(rows: list[dict[str, Any]]) -> Decimal:
    return sum((r["billed_cost"] for r in rows), Decimal(0))


async def _known(service: LiveMetering, ids: list[str], tenant: str = "acme") -> list[Any]:
    body = await service.get("/asset-costs", tenant, ids=",".join(ids), **PERIOD)
    return [i for i in body["items"] if i["found"]]


async def _seed(service: LiveMetering) -> dict[str, Any]:
    server = discovered(native_id="i-0aaa1111bbbb2222c", name="web-1")
    volume = discovered(native_id="vol-0123456789abcdef0", native_type="aws.ec2.volume",
                        category="disk", name="web-1-data")  # fmt: skip
    disk = discovered(native_id=DISK, provider="azure", native_type="azure.compute.disk",
                      category="disk", name="web-os")  # fmt: skip
    theirs = discovered("globex", native_id="i-0aaa1111bbbb2222c", name="their-web")
    rows = {
        "server": _rows("i-0aaa1111bbbb2222c", ["1.10", "2.20", "3.30000001"])
        + _rows(f"{ARN}:instance/i-0aaa1111bbbb2222c", ["0.05"]),
        "volume": _rows(
            f"{ARN}:volume/vol-0123456789abcdef0",
            ["0.40", "0.40", "0.41"],
            service_name="Amazon Elastic Block Store",
        ),
        "disk": _rows(
            DISK.upper().replace("WEB-OS", "Web-OS"), ["0.90", "0.91"], service_name="Storage"
        ),
    }
    noise = (_rows("i-0ffff", ["7"]) + _rows(None, ["5", "5"])
             + [cost_row(date(2026, 9, 30), "100", "i-0aaa1111bbbb2222c")])  # fmt: skip
    await insert_costs(service, [r for group in rows.values() for r in group] + noise)
    await insert_costs(service, _rows("i-0aaa1111bbbb2222c", ["50"]), tenant="globex")
    await service.publish(server, volume, disk, theirs)
    ids = [str(e.data["asset_id"]) for e in (server, volume, disk)]
    await wait_for(lambda: _known(service, ids), lambda found: len(found) == 3)
    return {"events": (server, volume, disk, theirs), "rows": rows, "ids": ids}


async def test_an_assets_cost_is_the_sum_of_its_resources_rows(
    metering_live: LiveMetering,  # noqa: F811
) -> None:
    service = metering_live
    seeded = await _seed(service)
    server_id, volume_id, disk_id = seeded["ids"]
    rows = seeded["rows"]

    one = await service.get(f"/asset-costs/{server_id}", **PERIOD)
    assert Decimal(one["totals"][0]["billed_cost"]) == _total(rows["server"])
    assert one["name"] == "web-1"
    day_one = next(d for d in one["daily"] if d["day"] == "2026-10-01")
    assert Decimal(day_one["billed_cost"]) == Decimal("1.15")  # bare id and ARN, same day

    batch = await service.get("/asset-costs", ids=f"{volume_id},{uuid.uuid4()},{disk_id}",
                              **PERIOD)  # fmt: skip
    volume, unknown, disk = batch["items"]
    assert Decimal(volume["totals"][0]["billed_cost"]) == _total(rows["volume"])
    assert Decimal(disk["totals"][0]["billed_cost"]) == _total(rows["disk"])
    assert unknown["found"] is False and unknown["totals"] == []

    theirs = seeded["events"][3].data["asset_id"]
    other = await service.get(f"/asset-costs/{theirs}", "globex", **PERIOD)
    assert Decimal(other["totals"][0]["billed_cost"]) == Decimal(50)


async def test_assets_of_another_company_are_not_found(
    metering_live: LiveMetering,  # noqa: F811
) -> None:
    service = metering_live
    seeded = await _seed(service)
    server_id = seeded["ids"][0]
    answer = await service.client.get(f"/asset-costs/{server_id}", headers=service.auth("globex"))
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "asset_not_found"
    assert await _known(service, seeded["ids"], "globex") == []
    bad = await service.client.get("/asset-costs", params={"ids": "x"}, headers=service.auth())
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_ids"
    backwards = {"from": "2026-10-05", "to": "2026-10-01"}
    answer = await service.client.get(
        f"/asset-costs/{server_id}", params=backwards, headers=service.auth()
    )
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "invalid_period"
    assert (await service.client.get(f"/asset-costs/{server_id}")).status_code == 401


async def _group_total(service: LiveMetering, group: uuid.UUID) -> Decimal | None:
    """None until the group's events have been consumed."""
    answer = await service.client.get(f"/service-group-costs/{group}", params=PERIOD,
                                      headers=service.auth())  # fmt: skip
    if answer.status_code == 404:
        return None
    totals = answer.json()["totals"]
    return sum((Decimal(t["billed_cost"]) for t in totals), Decimal(0))


async def test_group_cost_follows_membership_changes(
    metering_live: LiveMetering,  # noqa: F811
) -> None:
    service = metering_live
    seeded = await _seed(service)
    server_id, volume_id, disk_id = seeded["ids"]
    rows = seeded["rows"]
    group = uuid.uuid4()
    named = group_named(group, "web shop")
    await service.publish(named, membership(group, [server_id, volume_id], []))
    both = _total(rows["server"]) + _total(rows["volume"])
    await wait_for(lambda: _group_total(service, group), lambda total: total == both)

    body = await service.get(f"/service-group-costs/{group}", **PERIOD)
    assert body["name"] == "web shop"
    services = {s["service"]: Decimal(s["billed_cost"]) for s in body["by_service"]}
    assert services == {"Amazon Elastic Compute Cloud": _total(rows["server"]),
                        "Amazon Elastic Block Store": _total(rows["volume"])}  # fmt: skip
    assert [m["asset_id"] for m in body["members"]] == [server_id, volume_id]
    assert sum(Decimal(d["billed_cost"]) for d in body["daily"]) == both

    await service.publish(membership(group, [disk_id], [volume_id]))
    now = _total(rows["server"]) + _total(rows["disk"])
    await wait_for(lambda: _group_total(service, group), lambda total: total == now)

    answer = await service.client.get(f"/service-group-costs/{group}",
                                      headers=service.auth("globex"))  # fmt: skip
    assert answer.status_code == 404


async def test_a_deleted_asset_keeps_its_past_cost(
    metering_live: LiveMetering,  # noqa: F811
) -> None:
    service = metering_live
    seeded = await _seed(service)
    server = seeded["events"][0]
    await service.publish(deleted(server.data))
    body = await service.get(f"/asset-costs/{server.data['asset_id']}", **PERIOD)
    assert Decimal(body["totals"][0]["billed_cost"]) == _total(seeded["rows"]["server"])
