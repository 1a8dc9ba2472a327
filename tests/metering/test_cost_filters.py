"""Cost questions per cloud account, service group and tag, and cost by resource and
by tag: each answer equals a sum computed here over the rows loaded, whether read
from the line items or from the daily totals of cost allocation tags and groups."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from nephos_metering.costs.filtered import CostFilter
from nephos_metering.costs.readers import totals_scope
from tests.fixtures.metering import MeteringService, insert_daily_costs, mark_cost_allocation_tags
from tests.metering.live import ACCOUNT, cost_row, insert_costs, service_group

AS_OF = date(2024, 5, 21)
MAY = {"from": "2024-05-01", "to": "2024-05-31"}
OTHER_ACCOUNT = uuid.UUID("00000000-0000-0000-0000-0000000000cd")
RDS = "Amazon Relational Database Service"


@dataclass(frozen=True)
class Row:
    """What the test knows of one loaded cost row."""

    tenant: str
    account: uuid.UUID
    day: date
    billed: Decimal
    service: str
    resource: str | None
    tags: dict[str, str]


Keep = Callable[[Row], bool]


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# (resource, service, tags, amount of day n): April 1st through May 20th, in acme's account.
RESOURCES: list[tuple[str | None, str, dict[str, str], Callable[[int], Decimal]]] = [
    ("i-web1", "Amazon Elastic Compute Cloud", {"team": "web", "env": "prod"},
     lambda n: Decimal("1.1000001") * n),
    ("i-db1", RDS, {"team": "data", "env": "prod"}, lambda n: Decimal("2.35") + n),
    ("i-batch", "Amazon Elastic Compute Cloud", {"team": "web", "env": "dev"},
     lambda n: Decimal("0.07") * (n % 5)),
    ("i-spare", "Amazon Elastic Compute Cloud", {"env": "dev"}, lambda n: Decimal("0.01")),
    (None, "Tax", {}, lambda n: Decimal("0.333")),
]  # fmt: skip


async def _load(service: MeteringService) -> list[Row]:
    """Acme's rows in two cloud accounts, and globex's look-alikes."""
    loaded: list[Row] = []
    days = _days(date(2024, 4, 1), date(2024, 5, 20))
    for tenant in ("acme", "globex"):
        rows = []
        for resource, name, tags, amount in RESOURCES:
            for day in days:
                value = amount(day.day) if tenant == "acme" else amount(day.day) * 3
                rows.append(cost_row(day, value, resource, service_name=name, tags=tags))
                loaded.append(Row(tenant, ACCOUNT, day, value, name, resource, tags))
        await insert_costs(service, rows, tenant=tenant)
    other = {day: Decimal("4.5") for day in days}
    await insert_daily_costs(service, other, account=OTHER_ACCOUNT, tags={"team": "web"},
                             resource_id="i-other")  # fmt: skip
    loaded += [Row("acme", OTHER_ACCOUNT, d, v, "Amazon Elastic Compute Cloud", "i-other",
                   {"team": "web"}) for d, v in other.items()]  # fmt: skip
    return loaded


@dataclass(frozen=True)
class Loaded:
    """The service and the rows loaded; ``totals``: questions read daily totals where any
    answer them (tags marked, groups' totals built)."""

    service: MeteringService
    rows: list[Row]
    totals: bool

    async def group(self, tenant: str, native_ids: list[str]) -> uuid.UUID:
        """A service group of assets with these native ids; with ``totals`` its questions
        read its totals."""
        group_id = await service_group(self.service, native_ids, tenant=tenant,
                                       built=self.totals)  # fmt: skip
        async with self.service.app.state.database.transaction() as session:
            scope = await totals_scope(session, tenant, CostFilter(service_group_ids=(group_id,)))
        assert (scope is not None) == self.totals
        return group_id


def _sum(rows: list[Row], keep: Keep, first: date, last: date, tenant: str = "acme") -> Decimal:
    return sum((r.billed for r in rows if r.tenant == tenant and first <= r.day <= last
                and keep(r)), Decimal(0))  # fmt: skip


def _may(rows: list[Row], keep: Keep) -> Decimal:
    return _sum(rows, keep, date(2024, 5, 1), date(2024, 5, 31))


def _may_by(
    rows: list[Row], keep: Keep, key_of: Callable[[Row], str | None]
) -> dict[str | None, Decimal]:
    """May's billed cost of the rows kept, per key: the expected summary items."""
    found: dict[str | None, Decimal] = {}
    for row in rows:
        if row.tenant == "acme" and row.day.month == 5 and keep(row):
            found[key_of(row)] = found.get(key_of(row), Decimal(0)) + row.billed
    return found


async def _get(
    service: MeteringService, url: str, tenant: str = "acme", **params: Any
) -> dict[str, Any]:
    answer = await service.client.get(url, params=params, headers=service.auth(tenant, "viewer"))
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _billed(summary: dict[str, Any]) -> dict[str | None, Decimal]:
    return {i["key"]: Decimal(i["billed_cost"]) for i in summary["items"]}


def _total(summary: dict[str, Any]) -> Decimal:
    parts = summary["items"] + summary["other"]
    return sum((Decimal(i["billed_cost"]) for i in parts), Decimal(0))


MARKED = ("team", "env")


@pytest.fixture(params=["line items", "daily totals"])
async def loaded(request: pytest.FixtureRequest, metering_service: MeteringService) -> Loaded:
    """The rows loaded; every question is asked with tags and service groups read from the
    line items, and again with ``team`` and ``env`` marked as cost allocation tags and the
    groups' totals built (their daily totals)."""
    rows = await _load(metering_service)
    totals = request.param == "daily totals"
    if totals:
        for tenant in ("acme", "globex"):
            await mark_cost_allocation_tags(metering_service, *MARKED, tenant=tenant)
    return Loaded(metering_service, rows, totals)


async def test_summary_per_account_tag_group_and_combined(
    loaded: Loaded,
) -> None:
    service, rows = loaded.service, loaded.rows
    # two members claim i-web1: its rows count once
    group_id = str(await loaded.group("acme", ["i-web1", "i-db1", "i-web1"]))
    in_group = {"i-web1", "i-db1"}
    asked: list[tuple[dict[str, str], Keep]] = [
        ({"account_id": str(OTHER_ACCOUNT)}, lambda r: r.account == OTHER_ACCOUNT),
        ({"account_id": str(ACCOUNT)}, lambda r: r.account == ACCOUNT),
        ({"tag": "team=web"}, lambda r: r.tags.get("team") == "web"),
        ({"tag": "env"}, lambda r: "env" in r.tags),
        ({"service_group_id": group_id}, lambda r: r.resource in in_group),
        ({"service_group_id": group_id, "tag": "team=web"},
         lambda r: r.resource in in_group and r.tags.get("team") == "web"),
        ({"account_id": str(ACCOUNT), "tag": "team=web"},
         lambda r: r.account == ACCOUNT and r.tags.get("team") == "web"),
        ({"account_id": str(OTHER_ACCOUNT), "service_group_id": group_id}, lambda r: False),
    ]  # fmt: skip

    for params, keep in asked:
        by_service = await _get(service, "/costs/summary", **MAY, **params)
        assert _billed(by_service) == _may_by(rows, keep, lambda r: r.service), params
        assert by_service["other"] == []


async def test_unfiltered_questions_still_read_the_whole_company(
    loaded: Loaded,
) -> None:
    service, rows = loaded.service, loaded.rows

    summary = await _get(service, "/costs/summary", **MAY, group_by="charge_category")
    overview = await _get(service, "/costs/overview", as_of=AS_OF.isoformat())
    by_service = _may_by(rows, lambda r: True, lambda r: r.service)
    largest = sorted(by_service, key=lambda k: -by_service[k])
    for _ in range(2):  # the second time through the kept statement
        top = await _get(service, "/costs/summary", **MAY, group_by="service", limit="1")
        assert [(i["key"], Decimal(i["billed_cost"])) for i in top["items"]] == [
            (largest[0], by_service[largest[0]])
        ]
        assert top["other"][0]["groups"] == len(largest) - 1
        assert _total(top) == _may(rows, lambda r: True)

    assert _total(summary) == _may(rows, lambda r: True)
    assert Decimal(overview["month_to_date"]) == _sum(rows, lambda r: True, date(2024, 5, 1), AS_OF)


async def test_cost_by_resource_keeps_the_largest_and_sums_the_rest(
    loaded: Loaded,
) -> None:
    service, rows = loaded.service, loaded.rows
    expected = _may_by(rows, lambda r: True, lambda r: r.resource)
    largest = sorted(expected, key=lambda k: -expected[k])

    everything = await _get(service, "/costs/summary", **MAY, group_by="resource")
    top_two = await _get(service, "/costs/summary", **MAY, group_by="resource", limit="2")
    tagged = await _get(
        service, "/costs/summary", **MAY, group_by="resource", tag="team=web", limit="1"
    )

    assert everything["limit"] == 100
    assert _billed(everything) == expected
    assert [i["key"] for i in top_two["items"]] == largest[:2]
    rest = sum((expected[k] for k in largest[2:]), Decimal(0))
    assert top_two["other"] == [
        {"currency": "USD", "groups": len(largest) - 2, "billed_cost": str(rest),
         "effective_cost": str(rest)}
    ]  # fmt: skip
    assert _total(top_two) == _may(rows, lambda r: True)
    web = _may_by(rows, lambda r: r.tags.get("team") == "web", lambda r: r.resource)
    first = max(web, key=lambda k: web[k])
    assert _billed(tagged) == {first: web[first]}
    assert tagged["other"][0]["groups"] == 2
    assert Decimal(tagged["other"][0]["billed_cost"]) == sum(web.values()) - web[first]


async def test_cost_by_tag_puts_untagged_rows_in_the_null_group(
    loaded: Loaded,
) -> None:
    service, rows = loaded.service, loaded.rows
    group_id = str(await loaded.group("acme", ["i-web1", "i-batch"]))

    by_team = await _get(service, "/costs/summary", **MAY, group_by="tag", tag_key="team")
    by_env = await _get(service, "/costs/summary", **MAY, group_by="tag", tag_key="env",
                        service_group_id=group_id)  # fmt: skip

    assert by_team["tag_key"] == "team"
    assert _billed(by_team) == {
        "web": _may(rows, lambda r: r.tags.get("team") == "web"),
        "data": _may(rows, lambda r: r.tags.get("team") == "data"),
        None: _may(rows, lambda r: "team" not in r.tags),
    }
    assert _billed(by_env) == {
        "prod": _may(rows, lambda r: r.resource == "i-web1"),
        "dev": _may(rows, lambda r: r.resource == "i-batch"),
    }


async def test_time_questions_answer_for_a_filter(
    loaded: Loaded,
) -> None:
    service, rows = loaded.service, loaded.rows
    group_id = str(await loaded.group("acme", ["i-db1"]))
    asked: list[tuple[dict[str, str], Keep]] = [
        ({"tag": "env=prod"}, lambda r: r.tags.get("env") == "prod"),
        ({"account_id": str(OTHER_ACCOUNT)}, lambda r: r.account == OTHER_ACCOUNT),
        ({"service_group_id": group_id}, lambda r: r.resource == "i-db1"),
    ]
    as_of = {"as_of": AS_OF.isoformat()}

    for params, keep in asked:
        overview = await _get(service, "/costs/overview", **as_of, **params)
        forecast = await _get(service, "/costs/forecast", **as_of, **params)
        comparison = await _get(service, "/costs/comparison", **as_of, months="1", **params)
        trend = await _get(service, "/costs/trend", **as_of, **params)

        yesterday = AS_OF - timedelta(days=1)
        assert Decimal(overview["hot_bill"]) == _sum(rows, keep, yesterday, yesterday), params
        assert Decimal(overview["month_to_date"]) == _sum(rows, keep, date(2024, 5, 1), AS_OF)
        assert overview["data_through"].startswith("2024-05-21")
        assert Decimal(forecast["actual_to_date"]) == _sum(rows, keep, date(2024, 5, 1), yesterday)
        assert [Decimal(p["billed_cost"]) for p in comparison["periods"]] == [
            _sum(rows, keep, date(2024, 5, 1), AS_OF),
            _sum(rows, keep, date(2024, 4, 1), date(2024, 4, 21)),
        ]
        for day in trend["days"][:20]:
            n = day["day"]
            assert Decimal(day["this_month"]) == _sum(
                rows, keep, date(2024, 5, n), date(2024, 5, n)
            )
            assert Decimal(day["last_month"]) == _sum(
                rows, keep, date(2024, 4, n), date(2024, 4, n)
            )


async def test_another_companys_service_group_is_not_found(
    loaded: Loaded,
) -> None:
    service, rows = loaded.service, loaded.rows
    theirs = str(await loaded.group("globex", ["i-web1"]))
    ours = str(await loaded.group("acme", ["i-web1"]))
    viewer = service.auth("acme", "viewer")

    for url in ("/costs/summary", "/costs/overview", "/costs/trend"):
        answer = await service.client.get(
            url, params={**MAY, "service_group_id": theirs}, headers=viewer
        )
        assert (answer.status_code, answer.json()["error"]["code"]) == (
            404, "service_group_not_found")  # fmt: skip
    globex = await _get(service, "/costs/summary", "globex", **MAY, tag="team=web")
    acme_group = await _get(service, "/costs/summary", **MAY, service_group_id=ours)
    assert _total(globex) == _sum(rows, lambda r: r.tags.get("team") == "web",
                                  date(2024, 5, 1), date(2024, 5, 31), tenant="globex")  # fmt: skip
    assert _total(acme_group) == _may(rows, lambda r: r.resource == "i-web1")


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"tag": "=prod"}, 422, "invalid_filter"),
        ({"tag": ""}, 422, "invalid_filter"),
        ({"account_id": "not-an-id"}, 422, "invalid_filter"),
        ({"service_group_id": "42"}, 422, "invalid_filter"),
        ({"service_group_id": str(uuid.uuid4())}, 404, "service_group_not_found"),
        ({"account_id": str(uuid.uuid4())}, 404, "account_not_found"),
        ({"group_by": "tag"}, 422, "invalid_group_by"),
        ({"group_by": "service", "tag_key": "team"}, 422, "invalid_group_by"),
        ({"group_by": "resource", "limit": "0"}, 422, "invalid_input"),
        ({"group_by": "owner"}, 422, "invalid_input"),
    ],
)
async def test_bad_filters_are_refused_with_a_code(
    metering_service: MeteringService, params: dict[str, str], status: int, code: str
) -> None:
    answer = await metering_service.client.get(
        "/costs/summary", params={**MAY, **params}, headers=metering_service.auth("acme", "viewer")
    )

    assert (answer.status_code, answer.json()["error"]["code"]) == (status, code)
