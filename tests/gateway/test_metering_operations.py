"""Metering's on-demand operations through GraphQL, against the real metering service:
detecting anomalies, evaluating a budget and recomputing recommendations answer what the
service stores and announces; unknown ids are user errors; viewers are refused before any
call; one company's run never reads or touches another's data."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from tests.fixtures.metering import MeteringService, insert_daily_costs, outbox_events
from tests.gateway.conftest import Gateway
from tests.gateway.flows import USER_ERRORS, assert_forbidden, error_codes, moment, payload
from tests.metering.history import seasonal_history
from tests.metering.live import cost_row, insert_costs

AS_OF = date(2024, 5, 11)
DAILY = Decimal("10.00")
SPIKE = date(2024, 5, 15)
EC2 = "Amazon Elastic Compute Cloud"
DETECTED = "metering.anomaly.detected"
EXCEEDED = "metering.budget.exceeded"

ANOMALY_FIELDS = """
id accountId serviceName day currency actual expected expectedLow expectedHigh detectedAt
acknowledgedAt acknowledgedBy
"""
DETECT = f"""
mutation($input: DetectAnomaliesInput!) {{
  detectAnomalies(input: $input) {{ detected {{ {ANOMALY_FIELDS} }} {USER_ERRORS} }}
}}
"""
ANOMALIES = "{ anomalies { nodes { id day } } }"
CREATE_BUDGET = f"""
mutation($input: BudgetInput!) {{ createBudget(input: $input) {{ budget {{ id }} {USER_ERRORS} }} }}
"""
EVALUATE = f"""
mutation($id: ID!, $asOf: Date) {{
  evaluateBudget(id: $id, asOf: $asOf) {{
    status {{
      periodStart periodEnd asOf currency budgetAmount spent forecast percentSpent
      percentForecast thresholds {{ percent basis crossed notifiedAt }}
    }}
    notified {{ percent basis }}
    {USER_ERRORS}
  }}
}}
"""
REFRESH = f"""
mutation($asOf: Date) {{ refreshRecommendations(asOf: $asOf) {{ computedAt found {USER_ERRORS} }} }}
"""
RECOMMENDATIONS = """
{ recommendations(first: 10) { nodes { kind resourceId monthlySaving status } computedAt } }
"""


async def _stored(service: MeteringService, path: str, tenant: str = "acme", **params: Any) -> Any:
    """What the metering service answers over REST."""
    headers = service.auth(tenant, "viewer")
    answer = await service.client.get(path, params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def _spiked_history(service: MeteringService, tenant: str = "acme") -> uuid.UUID:
    """A weekly-seasonal EC2 bill of one account with one day at three times its level."""
    account = uuid.uuid4()
    history = seasonal_history(date(2024, 3, 25), date(2024, 5, 20), base=1000)
    spiked = {**history, SPIKE: history[SPIKE] * 3}
    await insert_daily_costs(service, spiked, account=account, tenant=tenant)
    return account


async def _on_demand_compute(service: MeteringService) -> None:
    """DAILY of on-demand compute on each of the 30 days before AS_OF."""
    days = [AS_OF - timedelta(days=n) for n in range(1, 31)]
    await insert_costs(service, [cost_row(day, DAILY, None) for day in days])


def _anomaly_as_graphql(stored: dict[str, Any]) -> dict[str, Any]:
    """An anomaly as REST answers it, in GraphQL's names; amounts and times comparable."""
    return {
        "id": stored["id"],
        "accountId": stored["account_id"],
        "serviceName": stored["service_name"],
        "day": stored["day"],
        "currency": stored["currency"],
        "actual": Decimal(stored["actual"]),
        "expected": Decimal(stored["expected"]),
        "expectedLow": Decimal(stored["expected_low"]),
        "expectedHigh": Decimal(stored["expected_high"]),
        "detectedAt": moment(stored["detected_at"]),
        "acknowledgedAt": None,
        "acknowledgedBy": None,
    }


def _anomaly(found: dict[str, Any]) -> dict[str, Any]:
    """A GraphQL anomaly with its amounts as decimals and its time as a datetime."""
    amounts = {k: Decimal(found[k]) for k in ("actual", "expected", "expectedLow", "expectedHigh")}
    return found | amounts | {"detectedAt": moment(found["detectedAt"])}


async def test_detecting_anomalies_answers_and_stores_the_new_ones_once(
    observed_gateway: Gateway, metering_service: MeteringService
) -> None:
    gw = observed_gateway
    account = await _spiked_history(metering_service)
    operator = gw.auth("acme", "operator")
    window = {"from": "2024-05-01", "to": "2024-05-20"}

    elsewhere = {**window, "accountId": str(uuid.uuid4())}
    other_account = payload(await gw.query(DETECT, {"input": elsewhere}, headers=operator))
    ours = {**window, "accountId": str(account)}
    first = payload(await gw.query(DETECT, {"input": ours}, headers=operator))
    again = payload(await gw.query(DETECT, {"input": window}, headers=operator))
    stored = await _stored(metering_service, "/anomalies")
    listed = await gw.query(ANOMALIES, headers=gw.auth("acme", "viewer"))

    assert other_account == {"detected": [], "userErrors": []}
    assert first["userErrors"] == []
    (anomaly,) = first["detected"]
    assert (anomaly["serviceName"], anomaly["day"], anomaly["accountId"]) == (
        EC2,
        SPIKE.isoformat(),
        str(account),
    )
    assert Decimal(anomaly["expectedHigh"]) < Decimal(anomaly["actual"])
    assert [_anomaly(anomaly)] == [_anomaly_as_graphql(a) for a in stored["items"]]
    assert again == {"detected": [], "userErrors": []}, "days judged before are not repeated"
    assert listed["data"]["anomalies"]["nodes"] == [{"id": anomaly["id"], "day": "2024-05-15"}]
    sent = await outbox_events(metering_service, DETECTED)
    assert [e["data"]["anomaly_id"] for e in sent] == [anomaly["id"]]


async def test_a_bad_detection_range_or_account_is_a_user_error(
    observed_gateway: Gateway, metering_service: MeteringService
) -> None:
    gw = observed_gateway
    await _spiked_history(metering_service)

    backwards = {"from": "2024-05-20", "to": "2024-05-01"}
    reversed_range = payload(await gw.query(DETECT, {"input": backwards}))
    not_an_account = {"from": "2024-05-01", "to": "2024-05-20", "accountId": "not-an-id"}
    bad_account = payload(await gw.query(DETECT, {"input": not_an_account}))

    assert reversed_range["detected"] is None
    assert error_codes(reversed_range) == [("INVALID_PERIOD", "input.to")]
    assert error_codes(bad_account) == [("INVALID_INPUT", "input.accountId")]
    assert (await _stored(metering_service, "/anomalies"))["items"] == []
    assert await outbox_events(metering_service, DETECTED) == []


def _budget_input() -> dict[str, Any]:
    thresholds = [
        {"percent": 50},
        {"percent": 100, "basis": "FORECAST"},
        {"percent": 200},
    ]
    return {
        "name": "Company monthly",
        "scope": {"type": "COMPANY"},
        "amount": "150.00",
        "currency": "USD",
        "thresholds": thresholds,
    }


async def _budget(gw: Gateway) -> str:
    created = payload(await gw.query(CREATE_BUDGET, {"input": _budget_input()}))
    assert created["userErrors"] == [], created
    return str(created["budget"]["id"])


def _status_as_graphql(stored: dict[str, Any]) -> dict[str, Any]:
    """A budget status as REST answers it, in GraphQL's names; amounts and times comparable."""
    thresholds = [
        {
            "percent": t["percent"],
            "basis": t["basis"].upper(),
            "crossed": t["crossed"],
            "notifiedAt": moment(t["notified_at"]),
        }
        for t in stored["thresholds"]
    ]
    return {
        "periodStart": stored["period_start"],
        "periodEnd": stored["period_end"],
        "asOf": stored["as_of"],
        "currency": stored["currency"],
        "budgetAmount": Decimal(stored["budget_amount"]),
        "spent": Decimal(stored["spent"]),
        "forecast": Decimal(stored["forecast"]),
        "percentSpent": Decimal(stored["percent_spent"]),
        "percentForecast": Decimal(stored["percent_forecast"]),
        "thresholds": thresholds,
    }


def _status(found: dict[str, Any]) -> dict[str, Any]:
    """A GraphQL budget status with its amounts as decimals and its times as datetimes."""
    amounts = ("budgetAmount", "spent", "forecast", "percentSpent", "percentForecast")
    thresholds = [t | {"notifiedAt": moment(t["notifiedAt"])} for t in found["thresholds"]]
    return found | {k: Decimal(found[k]) for k in amounts} | {"thresholds": thresholds}


async def test_evaluating_a_budget_sends_each_crossed_threshold_once(
    observed_gateway: Gateway, metering_service: MeteringService
) -> None:
    gw = observed_gateway
    await _on_demand_compute(metering_service)
    budget_id = await _budget(gw)
    operator = gw.auth("acme", "operator")
    variables = {"id": budget_id, "asOf": AS_OF.isoformat()}

    first = payload(await gw.query(EVALUATE, variables, headers=operator))
    sent = await outbox_events(metering_service, EXCEEDED)
    again = payload(await gw.query(EVALUATE, variables, headers=operator))
    path = f"/budgets/{budget_id}/status"
    stored = await _stored(metering_service, path, as_of=AS_OF.isoformat())

    assert first["userErrors"] == []
    status = first["status"]
    assert (status["periodStart"], status["periodEnd"], status["asOf"]) == (
        "2024-05-01",
        "2024-05-31",
        "2024-05-11",
    )
    assert Decimal(status["spent"]) == DAILY * 10  # 1 to 10 May; the 11th is to come
    assert {(t["percent"], t["crossed"]) for t in status["thresholds"]} == {
        (50, True),
        (100, True),
        (200, False),
    }
    assert sorted(first["notified"], key=lambda t: t["percent"]) == [
        {"percent": 50, "basis": "ACTUAL"},
        {"percent": 100, "basis": "FORECAST"},
    ]
    assert sorted((e["data"]["threshold_percent"], e["data"]["budget_id"]) for e in sent) == [
        (50, budget_id),
        (100, budget_id),
    ]
    assert again["notified"] == [], "a threshold is told once per period"
    assert len(await outbox_events(metering_service, EXCEEDED)) == 2
    assert _status(again["status"]) == _status_as_graphql(stored)
    notified = {t["percent"]: t["notifiedAt"] for t in again["status"]["thresholds"]}
    assert notified[50] is not None and notified[200] is None


async def test_evaluating_an_unknown_or_another_companys_budget_is_a_user_error(
    observed_gateway: Gateway, metering_service: MeteringService
) -> None:
    gw = observed_gateway
    await _on_demand_compute(metering_service)
    budget_id = await _budget(gw)
    globex = gw.auth("globex", "admin")

    theirs = payload(await gw.query(EVALUATE, {"id": budget_id}, headers=globex))
    unknown = payload(await gw.query(EVALUATE, {"id": str(uuid.uuid4())}))
    assert gw.metering is not None
    gw.metering.requests.clear()
    not_an_id = payload(await gw.query(EVALUATE, {"id": "not-an-id"}))

    for refused in (theirs, unknown, not_an_id):
        assert (refused["status"], refused["notified"]) == (None, None)
        assert error_codes(refused) == [("BUDGET_NOT_FOUND", "id")]
    assert gw.metering.requests == []  # text that is no id never reaches the service
    assert await outbox_events(metering_service, EXCEEDED) == []


async def test_refreshing_recommendations_answers_what_the_list_then_holds(
    observed_gateway: Gateway, metering_service: MeteringService
) -> None:
    gw = observed_gateway
    await _on_demand_compute(metering_service)
    operator = gw.auth("acme", "operator")

    refreshed = payload(await gw.query(REFRESH, {"asOf": AS_OF.isoformat()}, headers=operator))
    stored = await _stored(metering_service, "/recommendations")
    listed = (await gw.query(RECOMMENDATIONS))["data"]["recommendations"]
    globex = gw.auth("globex", "operator")
    theirs = payload(await gw.query(REFRESH, {"asOf": AS_OF.isoformat()}, headers=globex))
    their_list = await gw.query(RECOMMENDATIONS, headers=gw.auth("globex", "viewer"))

    assert refreshed["userErrors"] == []
    assert refreshed["found"] == len(stored["items"]) == 1
    assert moment(refreshed["computedAt"]) == moment(stored["computed_at"])
    assert moment(listed["computedAt"]) == moment(refreshed["computedAt"])
    # 30 days of on-demand compute, none covered: commit the steady 10.00 a day at 30 % off.
    assert listed["nodes"] == [
        {
            "kind": "COMMITMENT_COVERAGE",
            "resourceId": "111122223333",
            "monthlySaving": "90.00",
            "status": "OPEN",
        }
    ]
    assert (theirs["found"], theirs["userErrors"]) == (0, [])
    assert their_list["data"]["recommendations"]["nodes"] == []
    assert len((await _stored(metering_service, "/recommendations"))["items"]) == 1


async def test_a_viewer_runs_no_metering_operation(
    observed_gateway: Gateway, metering_service: MeteringService
) -> None:
    gw = observed_gateway
    await _on_demand_compute(metering_service)
    budget_id = await _budget(gw)
    viewer = gw.auth("acme", "viewer")
    assert gw.metering is not None
    gw.metering.requests.clear()

    window = {"from": "2024-05-01", "to": "2024-05-20"}
    refused = [
        await gw.query(DETECT, {"input": window}, headers=viewer),
        await gw.query(EVALUATE, {"id": budget_id}, headers=viewer),
        await gw.query(REFRESH, {}, headers=viewer),
    ]

    for body in refused:
        assert_forbidden(body)
    assert gw.metering.requests == []  # refused before any call
    assert (await _stored(metering_service, "/recommendations"))["computed_at"] is None
    assert await outbox_events(metering_service, EXCEEDED) == []


async def test_a_date_that_is_no_date_is_refused_before_any_call(
    observed_gateway: Gateway,
) -> None:
    gw = observed_gateway
    assert gw.metering is not None

    body = await gw.query(REFRESH, {"asOf": "2024-13-01"})

    assert body.get("data") is None and body["errors"]
    assert gw.metering.requests == []
