"""Batch reads of cost per asset (with daily figures) and per service group, as the
gateway's DataLoaders use them: one call answers any number of ids, in the order asked."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from tests.fixtures.monitoring import wait_for
from tests.metering.live import (
    LiveMetering,
    group_named,
    membership,
    metering_live,  # noqa: F401
)
from tests.metering.test_allocation import PERIOD, _seed, _total


def _billed(totals: list[dict[str, Any]]) -> Decimal:
    return sum((Decimal(t["billed_cost"]) for t in totals), Decimal(0))


async def test_asset_costs_carry_daily_figures_when_asked(
    metering_live: LiveMetering,  # noqa: F811
) -> None:
    service = metering_live
    seeded = await _seed(service)
    server_id, volume_id, _ = seeded["ids"]
    ids = f"{server_id},{uuid.uuid4()},{volume_id}"

    plain = await service.get("/asset-costs", ids=ids, **PERIOD)
    detailed = await service.get("/asset-costs", ids=ids, daily="true", **PERIOD)

    assert all(item["daily"] is None for item in plain["items"])
    server, unknown, volume = detailed["items"]
    assert unknown == {**unknown, "found": False, "daily": None}
    for item, rows in ((server, seeded["rows"]["server"]), (volume, seeded["rows"]["volume"])):
        assert _billed(item["totals"]) == _total(rows)
        assert _billed(item["daily"]) == _total(rows)
    first_day = next(d for d in server["daily"] if d["day"] == "2026-10-01")
    assert Decimal(first_day["billed_cost"]) == Decimal("1.15")
    assert [i["totals"] for i in plain["items"]] == [i["totals"] for i in detailed["items"]]


async def test_group_costs_of_many_groups_in_one_read(
    metering_live: LiveMetering,  # noqa: F811
) -> None:
    service = metering_live
    seeded = await _seed(service)
    server_id, volume_id, disk_id = seeded["ids"]
    rows = seeded["rows"]
    web, storage, empty, theirs = (uuid.uuid4() for _ in range(4))
    await service.publish(
        group_named(web, "web"),
        membership(web, [server_id, volume_id], []),
        group_named(storage, "storage"),
        membership(storage, [volume_id, disk_id], []),
        group_named(empty, "empty"),
        group_named(theirs, "theirs", tenant="globex"),
        membership(theirs, [server_id], [], tenant="globex"),
    )
    asked = [web, uuid.uuid4(), storage, empty, theirs]
    ids = ",".join(map(str, asked))

    async def batch() -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = (
            await service.get("/service-group-costs", ids=ids, **PERIOD)
        )["items"]
        return items

    expected_storage = _total(rows["volume"]) + _total(rows["disk"])
    known = [True, False, True, True, False]
    # The "empty" group is published last: wait for it too, not only for storage's costs.
    items = await wait_for(
        batch,
        lambda found: (
            [i["found"] for i in found] == known and _billed(found[2]["totals"]) == expected_storage
        ),
    )

    assert [i["group_id"] for i in items] == [str(g) for g in asked]
    web_cost, _, storage_cost, empty_cost, _ = items
    both = _total(rows["server"]) + _total(rows["volume"])
    assert (web_cost["name"], _billed(web_cost["totals"])) == ("web", both)
    assert _billed(web_cost["daily"]) == both
    services = {s["service"]: Decimal(s["billed_cost"]) for s in web_cost["by_service"]}
    assert services == {"Amazon Elastic Compute Cloud": _total(rows["server"]),
                        "Amazon Elastic Block Store": _total(rows["volume"])}  # fmt: skip
    assert storage_cost["name"] == "storage"
    assert (empty_cost["totals"], empty_cost["daily"]) == ([], [])

    single = await service.get(f"/service-group-costs/{web}", **PERIOD)
    assert single["totals"] == web_cost["totals"] and single["daily"] == web_cost["daily"]
    from_globex = await service.get("/service-group-costs", "globex", ids=f"{web}", **PERIOD)
    assert from_globex["items"][0]["found"] is False
