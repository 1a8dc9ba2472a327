"""The tag keys a company's bill carries: recorded once per partition after its delivery
(read from its rows when asked before that), with those of the rows written directly,
each saying whether it is marked."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from tests.fixtures.metering import MeteringService, insert_daily_costs, mark_cost_allocation_tags
from tests.metering.cur_files import csv_gzip, cur_row, lines_for
from tests.metering.upload_files import ACCOUNT, upload

PERIOD = "2024-05"


def _bill(tags: dict[str, str]) -> bytes:
    """A CUR file of the period whose tagged lines carry ``tags`` besides their ``team``."""
    lines = [replace(x, tags={**x.tags, **tags}) if x.tags else x for x in lines_for(PERIOD, 4)]
    return csv_gzip([cur_row(PERIOD, x) for x in lines])


async def _keys(service: MeteringService, tenant: str = "acme") -> list[tuple[str, bool]]:
    answer = await service.client.get("/cost-tag-keys", headers=service.auth(tenant, "viewer"))
    assert answer.status_code == 200, answer.text
    return [(i["key"], i["marked"]) for i in answer.json()["items"]]


async def _listed(service: MeteringService) -> list[Any]:
    """Each partition's listed keys (None: not listed yet)."""
    async with service.app.state.database.transaction() as session:
        found = await session.scalars(text("SELECT tag_keys FROM cost_partitions"))
        return [None if keys is None else sorted(keys) for keys in found]


async def test_the_keys_of_deliveries_and_direct_rows_are_listed_with_their_marks(
    metering_service: MeteringService,
) -> None:
    service = metering_service
    delivered = await upload(service, _bill({"env": "prod", "cost/center": "cc-1"}), "cur2")
    assert delivered.status_code == 201, delivered.text
    # Into the delivery's partition: its company, billing account, period and cloud account.
    await insert_daily_costs(service, {date(2024, 5, 3): Decimal(1)}, tags={"owner": "ann"},
                             account=uuid.UUID(ACCOUNT))  # fmt: skip
    await insert_daily_costs(service, {date(2024, 5, 3): Decimal(1)}, tags={"secret": "x"},
                             tenant="globex")  # fmt: skip
    await mark_cost_allocation_tags(service, "team")

    keys = await _keys(service)

    assert keys == [("cost/center", False), ("env", False), ("owner", False), ("team", True)]
    assert await _listed(service) == [None]  # no consumer here: read from the rows, not kept
    assert await _keys(service, "globex") == [("secret", False)]


async def test_a_restated_period_lists_the_keys_of_its_new_delivery(
    metering_service: MeteringService,
) -> None:
    service = metering_service
    first = await upload(service, _bill({"env": "prod"}), "cur2")
    assert first.status_code == 201, first.text
    assert [k for k, _ in await _keys(service)] == ["env", "team"]

    again = await upload(service, _bill({"project": "apollo"}), "cur2")
    assert again.status_code == 201, again.text

    assert [k for k, _ in await _keys(service)] == ["project", "team"]


async def test_a_delivery_has_its_keys_listed_after_its_ingest(
    metering_with_workers: MeteringService,
) -> None:
    service = metering_with_workers
    delivered = await upload(service, _bill({"env": "prod"}), "cur2")
    assert delivered.status_code == 201, delivered.text

    deadline = asyncio.get_running_loop().time() + 30
    while await _listed(service) != [["env", "team"]]:
        assert asyncio.get_running_loop().time() < deadline, await _listed(service)
        await asyncio.sleep(0.1)
    again = await upload(service, _bill({"project": "apollo"}), "cur2")
    assert again.status_code == 201, again.text
    while await _listed(service) != [["project", "team"]]:
        assert asyncio.get_running_loop().time() < deadline, await _listed(service)
        await asyncio.sleep(0.1)
    assert await _keys(service) == [("project", False), ("team", False)]

    unauthenticated = await service.client.get("/cost-tag-keys")
    assert unauthenticated.status_code == 401
