"""Cost questions narrowed by a filter, and cost by tag, through GraphQL against the
real metering service: the answers add up to the rows loaded."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from tests.fixtures.metering import MeteringService
from tests.gateway.conftest import Gateway
from tests.metering.live import cost_row, insert_costs

AS_OF = date(2024, 5, 11)
TAGS = [{"team": "web", "env": "prod"}, {"team": "data", "env": "prod"}, {"env": "dev"}]


def _amount(day: date, index: int) -> Decimal:
    return Decimal(day.day * (index + 1)) + Decimal("0.015")


ROWS = [
    (day, index, _amount(day, index))
    for day in (date(2024, 5, 1) + timedelta(days=n) for n in range(10))
    for index in range(len(TAGS))
]

QUESTIONS = """
query Filtered($asOf: Date!, $filter: CostFilter) {
  costOverview(asOf: $asOf, filter: $filter) { hotBill monthToDate }
  costInquiry(period: MONTHS_2, asOf: $asOf, groupBy: TAG, tagKey: "team", filter: $filter) {
    groupBy tagKey items { key billedCost } other { billedCost }
  }
  costComparison(asOf: $asOf, months: 1, filter: $filter) { periods { billedCost } }
}
"""


async def _load(service: MeteringService) -> None:
    rows = [cost_row(day, amount, f"i-{index}", tags=TAGS[index]) for day, index, amount in ROWS]
    await insert_costs(service, rows)


def _sum(keep: Any, last: date = AS_OF) -> Decimal:
    return sum((a for d, i, a in ROWS if d <= last and keep(TAGS[i])), Decimal(0))


async def test_a_tag_filter_narrows_every_answer(
    observed_gateway: Gateway, metering_service: MeteringService
) -> None:
    await _load(metering_service)

    def prod(tags: dict[str, str]) -> bool:
        return tags.get("env") == "prod"

    body = await observed_gateway.query(
        QUESTIONS, {"asOf": AS_OF.isoformat(), "filter": {"tag": "env=prod"}}
    )
    unknown_group = await observed_gateway.query(
        QUESTIONS, {"asOf": AS_OF.isoformat(), "filter": {"serviceGroupId": str(uuid.uuid4())}}
    )
    bad_tag = await observed_gateway.query(
        QUESTIONS, {"asOf": AS_OF.isoformat(), "filter": {"tag": "=prod"}}
    )

    assert "errors" not in body, body
    data = body["data"]
    yesterday = AS_OF - timedelta(days=1)
    assert Decimal(data["costOverview"]["hotBill"]) == sum(
        (a for d, i, a in ROWS if d == yesterday and prod(TAGS[i])), Decimal(0)
    )
    assert Decimal(data["costOverview"]["monthToDate"]) == _sum(prod)
    inquiry = data["costInquiry"]
    assert (inquiry["groupBy"], inquiry["tagKey"], inquiry["other"]) == ("TAG", "team", [])
    assert {i["key"]: Decimal(i["billedCost"]) for i in inquiry["items"]} == {
        "web": _sum(lambda t: prod(t) and t.get("team") == "web"),
        "data": _sum(lambda t: prod(t) and t.get("team") == "data"),
    }
    assert Decimal(data["costComparison"]["periods"][0]["billedCost"]) == _sum(prod)
    assert unknown_group["errors"][0]["extensions"] == {
        "code": "NOT_FOUND",
        "reason": "service_group_not_found",
    }
    assert bad_tag["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "reason": "invalid_filter",
    }
