"""Metering through GraphQL, against the real metering service: trend, forecast,
comparison, budgets, invoices and the other lists, with roles and company scoping."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any

from tests.fixtures.metering import MeteringService
from tests.gateway.conftest import Gateway
from tests.metering.live import cost_row, insert_costs

AS_OF = date(2024, 5, 11)
MAY_DAILY = Decimal("10.25")


def march(day: int) -> Decimal:
    return Decimal(day) + Decimal("0.10")


def april(day: int) -> Decimal:
    return Decimal(2 * day) + Decimal("0.05")


def _month(first: date, amount: Any, last_day: int) -> dict[date, Decimal]:
    return {first + timedelta(days=d - 1): amount(d) for d in range(1, last_day + 1)}


DAILY = {
    **_month(date(2024, 3, 1), march, 31),
    **_month(date(2024, 4, 1), april, 30),
    **_month(date(2024, 5, 1), lambda _: MAY_DAILY, 11),
}


async def _load(service: MeteringService, tenant: str = "acme") -> None:
    services = ("Amazon Elastic Compute Cloud", "Amazon Simple Storage Service")
    rows = [
        cost_row(day, amount, None, service_name=services[day.day % 2])
        for day, amount in DAILY.items()
    ]
    await insert_costs(service, rows, tenant=tenant)


def _sum(days: Iterable[date]) -> Decimal:
    return sum((DAILY.get(d, Decimal(0)) for d in days), Decimal(0))


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


TIME_QUESTIONS = """
query Time($asOf: Date!) {
  costTrend(asOf: $asOf) {
    asOf currency monthsInAverage
    days { day thisMonth lastMonth monthBefore average11Months min11Months max11Months }
  }
  costForecast(asOf: $asOf, method: RUN_RATE) {
    currency actualToDate forecast low high method basisDays
  }
  costComparison(asOf: $asOf, months: 2) { periods { month from to billedCost } }
  costInquiry(period: MONTHS_3, asOf: $asOf) { from to items { key billedCost } }
}
"""


async def test_trend_forecast_and_comparison_add_up_to_the_loaded_rows(
    observed_gateway: Gateway, metering_service: MeteringService
) -> None:
    await _load(metering_service)

    body = await observed_gateway.query(TIME_QUESTIONS, {"asOf": AS_OF.isoformat()})

    assert "errors" not in body, body
    data = body["data"]
    trend = data["costTrend"]
    assert (trend["currency"], trend["monthsInAverage"]) == ("USD", 2)
    for row in trend["days"]:
        day = row["day"]
        this_month = MAY_DAILY if day <= AS_OF.day else None
        assert _decimal(row["thisMonth"]) == this_month
        assert _decimal(row["lastMonth"]) == (april(day) if day <= 30 else None)
        assert Decimal(row["monthBefore"]) == march(day)
        held = [march(day), *([april(day)] if day <= 30 else [])]
        mean = (sum(held, Decimal(0)) / len(held)).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
        assert Decimal(row["average11Months"]) == mean
        assert (Decimal(row["min11Months"]), Decimal(row["max11Months"])) == (min(held), max(held))

    forecast = data["costForecast"]
    assert isinstance(forecast["forecast"], str)  # exact decimals, never floats
    assert Decimal(forecast["actualToDate"]) == _sum(_days(date(2024, 5, 1), date(2024, 5, 10)))
    assert Decimal(forecast["forecast"]) == MAY_DAILY * 31  # a steady rate over the month
    assert Decimal(forecast["low"]) <= Decimal(forecast["forecast"]) <= Decimal(forecast["high"])
    assert forecast["method"] == "RUN_RATE"

    periods = data["costComparison"]["periods"]
    assert [p["month"] for p in periods] == ["2024-05", "2024-04", "2024-03"]
    for period in periods:
        first, last = date.fromisoformat(period["from"]), date.fromisoformat(period["to"])
        assert (first.day, last.day) == (1, 11)
        assert Decimal(period["billedCost"]) == _sum(_days(first, last))

    inquiry = data["costInquiry"]
    first, last = date.fromisoformat(inquiry["from"]), date.fromisoformat(inquiry["to"])
    billed = sum((Decimal(i["billedCost"]) for i in inquiry["items"]), Decimal(0))
    assert billed == _sum(_days(first, last)) > 0
    assert len(inquiry["items"]) == 2


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


BUDGET_FIELDS = """
id name amount currency period scope { type accountId groupId key value }
thresholds { percent basis }
"""
CREATE_BUDGET = f"""
mutation Create($input: BudgetInput!) {{
  createBudget(input: $input) {{ budget {{ {BUDGET_FIELDS} }} userErrors {{ code message field }} }}
}}
"""
UPDATE_BUDGET = f"""
mutation Update($id: ID!, $input: BudgetInput!) {{
  updateBudget(id: $id, input: $input) {{
    budget {{ {BUDGET_FIELDS} }} userErrors {{ code message field }}
  }}
}}
"""
DELETE_BUDGET = """
mutation Delete($id: ID!) { deleteBudget(id: $id) { deletedId userErrors { code field } } }
"""
BUDGET = f"""
query Budget($id: ID!, $asOf: Date) {{
  budget(id: $id) {{
    {BUDGET_FIELDS}
    status(asOf: $asOf) {{
      periodStart periodEnd currency budgetAmount spent forecast percentSpent
      thresholds {{ percent basis crossed }}
    }}
  }}
  budgets {{ nodes {{ id }} }}
}}
"""


def _budget_input(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "Company monthly",
        "scope": {"type": "COMPANY"},
        "amount": "150.00",
        "currency": "USD",
        "thresholds": [{"percent": 50}, {"percent": 100, "basis": "FORECAST"}],
    }
    return {**values, **overrides}


async def test_budgets_are_created_read_changed_and_deleted(
    observed_gateway: Gateway, metering_service: MeteringService
) -> None:
    gw = observed_gateway
    await _load(metering_service)
    operator = gw.auth("acme", "operator")

    refused = await gw.query(CREATE_BUDGET, {"input": _budget_input(amount="-5")}, headers=operator)
    payload = refused["data"]["createBudget"]
    assert payload["budget"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INVALID_AMOUNT", "input.amount")
    ]

    created = await gw.query(CREATE_BUDGET, {"input": _budget_input()}, headers=operator)
    budget = created["data"]["createBudget"]["budget"]
    assert created["data"]["createBudget"]["userErrors"] == []
    assert (budget["amount"], budget["period"], budget["scope"]["type"]) == (
        "150.00",
        "MONTHLY",
        "COMPANY",
    )
    assert budget["thresholds"] == [
        {"percent": 50, "basis": "ACTUAL"},
        {"percent": 100, "basis": "FORECAST"},
    ]

    read = await gw.query(BUDGET, {"id": budget["id"], "asOf": AS_OF.isoformat()})
    assert "errors" not in read, read
    status = read["data"]["budget"]["status"]
    assert (status["periodStart"], status["periodEnd"]) == ("2024-05-01", "2024-05-31")
    assert Decimal(status["spent"]) == _sum(_days(date(2024, 5, 1), date(2024, 5, 10)))
    assert Decimal(status["budgetAmount"]) == Decimal(150)
    crossed = {t["percent"]: t["crossed"] for t in status["thresholds"]}
    assert crossed == {50: True, 100: True}  # 102.50 spent, 317.75 forecast
    assert [n["id"] for n in read["data"]["budgets"]["nodes"]] == [budget["id"]]

    renamed = _budget_input(name="Renamed", amount="1000")
    changed = await gw.query(
        UPDATE_BUDGET, {"id": budget["id"], "input": renamed}, headers=operator
    )
    assert changed["data"]["updateBudget"]["budget"]["name"] == "Renamed"
    assert Decimal(changed["data"]["updateBudget"]["budget"]["amount"]) == 1000

    deleted = await gw.query(DELETE_BUDGET, {"id": budget["id"]}, headers=operator)
    assert deleted["data"]["deleteBudget"] == {"deletedId": budget["id"], "userErrors": []}
    gone = await gw.query(BUDGET, {"id": budget["id"]})
    assert gone["data"]["budget"] is None
    assert gone["data"]["budgets"]["nodes"] == []


async def test_another_companys_budget_is_not_found_and_viewers_change_nothing(
    observed_gateway: Gateway,
) -> None:
    gw = observed_gateway
    created = await gw.query(CREATE_BUDGET, {"input": _budget_input()})
    budget_id = created["data"]["createBudget"]["budget"]["id"]
    globex = gw.auth("globex", "admin")

    assert (await gw.query(BUDGET, {"id": budget_id}, headers=globex))["data"]["budget"] is None
    changed = await gw.query(UPDATE_BUDGET, {"id": budget_id, "input": _budget_input()},
                             headers=globex)  # fmt: skip
    assert changed["data"]["updateBudget"]["userErrors"][0]["code"] == "BUDGET_NOT_FOUND"
    deleted = await gw.query(DELETE_BUDGET, {"id": budget_id}, headers=globex)
    assert deleted["data"]["deleteBudget"]["userErrors"] == [
        {"code": "BUDGET_NOT_FOUND", "field": "id"}
    ]

    assert gw.metering is not None
    sent = len(gw.metering.requests)
    viewer = gw.auth("acme", "viewer")
    refused = await gw.query(CREATE_BUDGET, {"input": _budget_input()}, headers=viewer)
    assert refused["data"] is None
    (error,) = refused["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert "operator" in error["message"]
    assert len(gw.metering.requests) == sent  # refused before any call
    still = await gw.query(BUDGET, {"id": budget_id}, headers=viewer)
    assert still["data"]["budget"]["name"] == "Company monthly"


INVOICE = """
query Invoice($period: String!) {
  invoice(billingPeriod: $period) {
    company billingPeriod periodStart periodEnd provisional csvPath pdfPath
    sections { currency subtotal adjustmentPercent adjustment total
               lines { account service cost amount } }
  }
  invoiceTerms { adjustmentPercent note }
}
"""
SET_TERMS = """
mutation Terms($input: InvoiceTermsInput!) {
  setInvoiceTerms(input: $input) { terms { adjustmentPercent note } userErrors { code field } }
}
"""


async def test_invoice_figures_add_up_and_terms_are_for_admins(
    observed_gateway: Gateway, metering_service: MeteringService
) -> None:
    gw = observed_gateway
    await _load(metering_service)
    refused = await gw.query(SET_TERMS, {"input": {"adjustmentPercent": "10"}},
                             headers=gw.auth("acme", "operator"))  # fmt: skip
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    terms = await gw.query(SET_TERMS, {"input": {"adjustmentPercent": "10", "note": "MSP fee"}})
    assert terms["data"]["setInvoiceTerms"]["userErrors"] == []
    assert Decimal(terms["data"]["setInvoiceTerms"]["terms"]["adjustmentPercent"]) == 10

    body = await gw.query(INVOICE, {"period": "2024-04"})

    assert "errors" not in body, body
    invoice = body["data"]["invoice"]
    assert (invoice["billingPeriod"], invoice["periodStart"], invoice["periodEnd"]) == (
        "2024-04",
        "2024-04-01",
        "2024-04-30",
    )
    assert invoice["csvPath"] == "/invoices/2024-04?format=csv"
    assert invoice["pdfPath"] == "/invoices/2024-04?format=pdf"
    (section,) = invoice["sections"]
    cent = Decimal("0.01")
    lines = section["lines"]
    assert sum(Decimal(line["cost"]) for line in lines) == _sum(
        _days(date(2024, 4, 1), date(2024, 4, 30))
    )
    assert all(
        Decimal(line["amount"]) == Decimal(line["cost"]).quantize(cent, ROUND_HALF_UP)
        for line in lines
    )
    subtotal = sum((Decimal(line["amount"]) for line in lines), Decimal(0))
    adjustment = (subtotal * Decimal("0.10")).quantize(cent, ROUND_HALF_UP)
    assert (Decimal(section["subtotal"]), Decimal(section["adjustment"])) == (subtotal, adjustment)
    assert Decimal(section["total"]) == subtotal + adjustment
    assert body["data"]["invoiceTerms"]["note"] == "MSP fee"

    bad = await gw.query(INVOICE, {"period": "2024-13"})
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


LISTS = """
query Lists {
  anomalies(filter: { acknowledged: false }) { nodes { id } pageInfo { hasNextPage } }
  recommendations(first: 5) { nodes { id } totals { kind count } computedAt }
  costSources { nodes { id } }
  ingestRuns { nodes { id } }
  dataFreshness { nodes { accountId dataThrough } }
  costSets { nodes { id } }
}
"""
CREATE_COST_SET = """
mutation CostSet($input: CostSetInput!) {
  createCostSet(input: $input) {
    costSet {
      id name groupBy period filters { services tags { key value } }
      costs(from: "2024-04-01", to: "2024-04-30") { items { key billedCost } }
    }
    userErrors { code field }
  }
}
"""


async def test_lists_and_a_viewers_own_cost_set(
    observed_gateway: Gateway, metering_service: MeteringService
) -> None:
    gw = observed_gateway
    await _load(metering_service)
    viewer = gw.auth("acme", "viewer")
    storage = "Amazon Simple Storage Service"
    cost_set = {"name": "Storage", "filters": {"services": [storage]}, "period": "MONTHS_2"}

    created = await gw.query(CREATE_COST_SET, {"input": cost_set}, headers=viewer)
    again = await gw.query(CREATE_COST_SET, {"input": cost_set}, headers=viewer)
    lists = await gw.query(LISTS, headers=viewer)

    payload = created["data"]["createCostSet"]
    assert payload["userErrors"] == [], payload
    found = payload["costSet"]
    assert (found["groupBy"], found["period"]) == ("SERVICE", "MONTHS_2")
    (item,) = found["costs"]["items"]
    storage_days = [d for d in _days(date(2024, 4, 1), date(2024, 4, 30)) if d.day % 2 == 1]
    assert (item["key"], Decimal(item["billedCost"])) == (storage, _sum(storage_days))
    assert again["data"]["createCostSet"]["userErrors"] == [
        {"code": "COST_SET_EXISTS", "field": "input.name"}
    ]
    assert "errors" not in lists, lists
    data = lists["data"]
    assert data["costSets"]["nodes"] == [{"id": found["id"]}]
    assert data["anomalies"]["nodes"] == [] and data["recommendations"]["nodes"] == []
    assert (data["costSources"]["nodes"], data["ingestRuns"]["nodes"]) == ([], [])
    (fresh,) = data["dataFreshness"]["nodes"]
    assert fresh["dataThrough"].startswith("2024-05-12")
    theirs = await gw.query(LISTS, headers=gw.auth("globex", "viewer"))
    assert theirs["data"]["costSets"]["nodes"] == theirs["data"]["dataFreshness"]["nodes"] == []


STATUS_AND_COSTS = """
query Lists($asOf: Date) {
  budgets { nodes { id status(asOf: $asOf) { spent budgetAmount } } }
  costSets {
    nodes { id name costs(from: "2024-04-01", to: "2024-04-30") { items { key billedCost } } }
  }
}
"""
SAVED_PERIOD_COSTS = """
query Saved { costSets { nodes { name costs(asOf: "2024-05-11") { from to } } } }
"""


async def _metering_calls(gw: Gateway, query: str, variables: dict[str, Any]) -> list[str]:
    assert gw.metering is not None
    gw.metering.requests.clear()
    body = await gw.query(query, variables)
    assert "errors" not in body, body
    return sorted(r.url.path for r in gw.metering.requests)


async def test_budget_statuses_and_cost_set_costs_take_one_call_whatever_the_list_holds(
    observed_gateway: Gateway, metering_service: MeteringService
) -> None:
    gw = observed_gateway
    await _load(metering_service)
    variables = {"asOf": AS_OF.isoformat()}
    storage = "Amazon Simple Storage Service"

    async def add(n: int) -> None:
        name = f"Budget {n}"
        amount = f"{100 * n}.00"
        created = await gw.query(CREATE_BUDGET, {"input": _budget_input(name=name, amount=amount)})
        assert created["data"]["createBudget"]["userErrors"] == []
        cost_set = {"name": f"Set {n}", "filters": {"services": [storage]}}
        made = await gw.query(CREATE_COST_SET, {"input": cost_set})
        assert made["data"]["createCostSet"]["userErrors"] == []

    await add(1)
    one = await _metering_calls(gw, STATUS_AND_COSTS, variables)
    for n in (2, 3, 4):
        await add(n)
    four = await _metering_calls(gw, STATUS_AND_COSTS, variables)
    body = await gw.query(STATUS_AND_COSTS, variables)

    assert one == four == ["/budgets", "/budgets/statuses", "/cost-sets", "/cost-sets/costs"]
    may = _sum(_days(date(2024, 5, 1), AS_OF - timedelta(days=1)))
    budgets = body["data"]["budgets"]["nodes"]
    assert len(budgets) == 4
    for budget in budgets:
        single = await gw.query(BUDGET, {"id": budget["id"], **variables})
        assert budget["status"] == {
            k: single["data"]["budget"]["status"][k] for k in ("spent", "budgetAmount")
        }
    assert {Decimal(b["status"]["budgetAmount"]) for b in budgets} == {100, 200, 300, 400}
    assert {Decimal(b["status"]["spent"]) for b in budgets} == {may}
    storage_days = [d for d in _days(date(2024, 4, 1), date(2024, 4, 30)) if d.day % 2 == 1]
    for cost_set in body["data"]["costSets"]["nodes"]:
        (item,) = cost_set["costs"]["items"]
        assert (item["key"], Decimal(item["billedCost"])) == (storage, _sum(storage_days))

    # Without dates, a set that saves no period cannot answer: its field errs, not the list.
    saved = {"name": "Saved", "filters": {}, "period": "MONTHS_2"}
    assert (await gw.query(CREATE_COST_SET, {"input": saved}))["data"]["createCostSet"]["costSet"]
    answer = await gw.query(SAVED_PERIOD_COSTS)
    costs = {n["name"]: n["costs"] for n in answer["data"]["costSets"]["nodes"]}
    assert costs["Saved"] == {"from": "2024-04-01", "to": "2024-05-11"}
    assert all(costs[f"Set {n}"] is None for n in (1, 2, 3, 4)), costs
    assert {e["extensions"]["code"] for e in answer["errors"]} == {"BAD_USER_INPUT"}
    assert len(answer["errors"]) == 4


MARK_TAG = """
mutation Mark($key: String!) {
  markCostAllocationTag(key: $key) { tag { key markedBy readyAt } userErrors { code field } }
}
"""
UNMARK_TAG = """
mutation Unmark($key: String!) {
  unmarkCostAllocationTag(key: $key) { unmarkedKey userErrors { code field } }
}
"""
TAGS = "{ costAllocationTags(first: 10) { edges { node { key readyAt } } } }"


async def test_cost_allocation_tags_are_marked_by_admins_and_listed_per_company(
    observed_gateway: Gateway, metering_service: MeteringService
) -> None:
    gw = observed_gateway
    key = "kubernetes.io/cluster name"

    refused = await gw.query(MARK_TAG, {"key": "team"}, headers=gw.auth("acme", "operator"))
    marked = await gw.query(MARK_TAG, {"key": key})
    blank = await gw.query(MARK_TAG, {"key": "  "})
    listed = await gw.query(TAGS)
    theirs = await gw.query(TAGS, headers=gw.auth("globex", "admin"))
    not_theirs = await gw.query(UNMARK_TAG, {"key": key}, headers=gw.auth("globex", "admin"))
    unmarked = await gw.query(UNMARK_TAG, {"key": key})
    after = await gw.query(TAGS)

    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert marked["data"]["markCostAllocationTag"] == {
        "tag": {"key": key, "markedBy": "admin@acme", "readyAt": None}, "userErrors": []
    }  # fmt: skip
    assert blank["data"]["markCostAllocationTag"]["userErrors"] == [
        {"code": "INVALID_TAG_KEY", "field": "key"}
    ]
    assert [e["node"]["key"] for e in listed["data"]["costAllocationTags"]["edges"]] == [key]
    assert theirs["data"]["costAllocationTags"]["edges"] == []
    assert not_theirs["data"]["unmarkCostAllocationTag"]["userErrors"] == [
        {"code": "COST_ALLOCATION_TAG_NOT_FOUND", "field": "key"}
    ]
    assert unmarked["data"]["unmarkCostAllocationTag"] == {"unmarkedKey": key, "userErrors": []}
    assert after["data"]["costAllocationTags"]["edges"] == []


TAG_KEYS = """
query Keys($after: String) {
  costTagKeys(first: 2, after: $after) {
    nodes { key marked } pageInfo { hasNextPage endCursor }
  }
}
"""


async def test_the_tag_keys_of_the_bill_are_listed_in_pages_per_company(
    observed_gateway: Gateway, metering_service: MeteringService
) -> None:
    gw = observed_gateway
    day = date(2024, 5, 3)
    for tags in ({"team": "web", "env": "prod"}, {"owner": "ann"}):
        await insert_costs(metering_service, [cost_row(day, "1", None, tags=tags)])
    await insert_costs(metering_service, [cost_row(day, "1", None, tags={"secret": "x"})],
                       tenant="globex")  # fmt: skip
    assert (await gw.query(MARK_TAG, {"key": "team"}))["data"]["markCostAllocationTag"]["tag"]

    first = (await gw.query(TAG_KEYS))["data"]["costTagKeys"]
    cursor = first["pageInfo"]["endCursor"]
    rest = (await gw.query(TAG_KEYS, {"after": cursor}))["data"]["costTagKeys"]
    theirs = await gw.query(TAG_KEYS, headers=gw.auth("globex", "viewer"))

    assert first["nodes"] == [{"key": "env", "marked": False}, {"key": "owner", "marked": False}]
    assert first["pageInfo"]["hasNextPage"] is True
    assert rest["nodes"] == [{"key": "team", "marked": True}]
    assert rest["pageInfo"]["hasNextPage"] is False
    assert theirs["data"]["costTagKeys"]["nodes"] == [{"key": "secret", "marked": False}]
