"""Metric collection jobs through GraphQL, against the real monitoring and asset services:
an operator queues one for an account registered through GraphQL (CloudWatch is moto),
follows it to the end as the service records it; unknown accounts are user errors,
viewers only read, and one company never sees or starts another's jobs."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.fixtures.monitoring import MonitoringService, wait_for
from tests.gateway.conftest import Gateway
from tests.gateway.flows import (
    USER_ERRORS,
    assert_forbidden,
    error_codes,
    moment,
    payload,
    register,
)
from tests.monitoring.helpers import add_servers

JOB_FIELDS = """
id accountId provider slot trigger status requestedAt startedAt finishedAt targets apiCalls
pointsStored error finished
"""
START = f"""
mutation($accountId: ID!) {{
  startMetricCollection(accountId: $accountId) {{ job {{ {JOB_FIELDS} }} {USER_ERRORS} }}
}}
"""
JOB = f"""
query($id: ID!) {{ metricCollectionJob(id: $id) {{ {JOB_FIELDS} account {{ id name }} }} }}
"""
JOBS = """
query($accountId: ID, $first: Int! = 20, $after: String) {
  metricCollectionJobs(accountId: $accountId, first: $first, after: $after) {
    edges { cursor node { id trigger } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
TIMES = ("slot", "requestedAt", "startedAt", "finishedAt")


@pytest.fixture
def monitoring_overrides() -> dict[str, Any]:
    """No scheduled job during a test: every job here is one the test queued."""
    return {"collection_interval_seconds": 86_400}


async def _monitored_account(gw: Gateway, service: MonitoringService, moto: str) -> str:
    """An AWS account registered through GraphQL, with two servers monitoring watches."""
    account = await register(gw, moto, ("us-east-1",))
    await add_servers(service, 2, account_id=uuid.UUID(account["id"]))
    return str(account["id"])


async def _start(gw: Gateway, account_id: str, **kwargs: Any) -> dict[str, Any]:
    return payload(await gw.query(START, {"accountId": account_id}, **kwargs))


def _as_graphql(stored: dict[str, Any]) -> dict[str, Any]:
    """A job as the service answers it over REST, in GraphQL's names."""
    return {
        "id": stored["id"],
        "accountId": stored["account_id"],
        "provider": stored["provider"],
        "slot": moment(stored["slot"]),
        "trigger": stored["trigger"],
        "status": stored["status"],
        "requestedAt": moment(stored["requested_at"]),
        "startedAt": moment(stored["started_at"]),
        "finishedAt": moment(stored["finished_at"]),
        "targets": stored["targets"],
        "apiCalls": stored["api_calls"],
        "pointsStored": stored["points_stored"],
        "error": stored["error"],
        "finished": stored["status"] in ("succeeded", "failed"),
    }


def _job(found: dict[str, Any]) -> dict[str, Any]:
    """A GraphQL job with its times as datetimes, without its account."""
    job = {k: v for k, v in found.items() if k != "account"}
    return job | {k: moment(job[k]) for k in TIMES}


async def test_an_operator_queues_a_collection_and_follows_it_to_the_end(
    observed_gateway: Gateway, wired: MonitoringService, fresh_moto: str
) -> None:
    gw, service = observed_gateway, wired
    account_id = await _monitored_account(gw, service, fresh_moto)

    started = await _start(gw, account_id, headers=gw.auth("acme", "operator"))
    job = started["job"]
    done = await wait_for(
        lambda: gw.query(JOB, {"id": job["id"]}),
        lambda body: body["data"]["metricCollectionJob"]["finished"],
        60,
    )
    found = done["data"]["metricCollectionJob"]
    stored = await service.stored(f"/collection-jobs/{job['id']}")

    assert started["userErrors"] == []
    assert (job["status"], job["trigger"], job["provider"], job["finished"]) == (
        "queued",
        "manual",
        "aws",
        False,
    )
    assert job["accountId"] == account_id
    assert _job(found) == _as_graphql(stored)
    assert (found["status"], found["targets"], found["error"]) == ("succeeded", 2, None)
    assert found["account"] == {"id": account_id, "name": "Production AWS"}

    listed = await gw.query(JOBS, {"accountId": account_id})
    everything = await gw.query(JOBS)
    assert [e["node"] for e in listed["data"]["metricCollectionJobs"]["edges"]] == [
        {"id": job["id"], "trigger": "manual"}
    ]
    assert everything["data"]["metricCollectionJobs"] == listed["data"]["metricCollectionJobs"]
    rest = await service.stored("/collection-jobs")
    assert [j["id"] for j in rest["items"]] == [job["id"]]


async def test_jobs_page_newest_first(
    observed_gateway: Gateway, wired: MonitoringService, fresh_moto: str
) -> None:
    gw, service = observed_gateway, wired
    account_id = await _monitored_account(gw, service, fresh_moto)
    queued = [(await _start(gw, account_id))["job"]["id"] for _ in range(3)]

    first = (await gw.query(JOBS, {"first": 2}))["data"]["metricCollectionJobs"]
    after = first["pageInfo"]["endCursor"]
    second = (await gw.query(JOBS, {"first": 2, "after": after}))["data"]["metricCollectionJobs"]

    assert [e["node"]["id"] for e in first["edges"] + second["edges"]] == queued[::-1]
    assert (first["pageInfo"]["hasNextPage"], second["pageInfo"]["hasNextPage"]) == (True, False)
    rest = await service.stored("/collection-jobs")
    assert [j["id"] for j in rest["items"]] == queued[::-1]


async def test_an_account_without_monitored_targets_or_no_account_is_a_user_error(
    observed_gateway: Gateway, wired: MonitoringService, fresh_moto: str
) -> None:
    gw, service = observed_gateway, wired
    unmonitored = await register(gw, fresh_moto, ("us-east-1",), name="No targets")

    none_watched = await _start(gw, unmonitored["id"])
    unknown = await _start(gw, str(uuid.uuid4()))
    assert gw.monitoring is not None
    gw.monitoring.requests.clear()
    not_an_id = await _start(gw, "not-an-id")
    no_job = await gw.query(JOB, {"id": "not-an-id"})
    no_jobs = await gw.query(JOBS, {"accountId": "not-an-id"})

    for refused in (none_watched, unknown, not_an_id):
        assert refused["job"] is None
        assert error_codes(refused) == [("ACCOUNT_NOT_FOUND", "accountId")]
    assert no_job["data"]["metricCollectionJob"] is None
    assert no_jobs["data"]["metricCollectionJobs"]["edges"] == []
    assert gw.monitoring.requests == []  # text that is no id never reaches the service
    assert (await service.stored("/collection-jobs"))["items"] == []
    unknown_job = await gw.query(JOB, {"id": str(uuid.uuid4())})
    assert unknown_job["data"]["metricCollectionJob"] is None


async def test_a_viewer_reads_jobs_but_may_not_start_one(
    observed_gateway: Gateway, wired: MonitoringService, fresh_moto: str
) -> None:
    gw, service = observed_gateway, wired
    account_id = await _monitored_account(gw, service, fresh_moto)
    job = (await _start(gw, account_id))["job"]
    viewer = gw.auth("acme", "viewer")
    assert gw.monitoring is not None
    gw.monitoring.requests.clear()

    refused = await gw.query(START, {"accountId": account_id}, headers=viewer)

    assert_forbidden(refused)
    assert gw.monitoring.requests == []  # refused before any call
    read = await gw.query(JOB, {"id": job["id"]}, headers=viewer)
    assert read["data"]["metricCollectionJob"]["id"] == job["id"]
    assert [j["id"] for j in (await service.stored("/collection-jobs"))["items"]] == [job["id"]]


async def test_another_company_neither_sees_nor_starts_our_jobs(
    observed_gateway: Gateway, wired: MonitoringService, fresh_moto: str
) -> None:
    gw, service = observed_gateway, wired
    account_id = await _monitored_account(gw, service, fresh_moto)
    job = (await _start(gw, account_id))["job"]
    globex = gw.auth("globex", "admin")

    read = await gw.query(JOB, {"id": job["id"]}, headers=globex)
    listed = await gw.query(JOBS, {"accountId": account_id}, headers=globex)
    started = await _start(gw, account_id, headers=globex)

    assert read["data"]["metricCollectionJob"] is None
    assert listed["data"]["metricCollectionJobs"]["edges"] == []
    assert error_codes(started) == [("ACCOUNT_NOT_FOUND", "accountId")]
    assert (await service.stored("/collection-jobs", "globex"))["items"] == []
    assert [j["id"] for j in (await service.stored("/collection-jobs"))["items"]] == [job["id"]]
