"""Property-based contract tests: schemathesis against the services' OpenAPI and the GraphQL schema.

Every operation gets a few generated requests (valid and edge-case input,
as an authenticated admin of one company) and no answer may be a server
error (schemathesis' ``not_a_server_error`` check). The services run
in-process behind real sockets; schemathesis is synchronous, so it runs in
a worker thread while the test's event loop serves them.

Operations that would reach a cloud or a mail server with generated
addresses (registering or testing accounts, starting discoveries and
ingests, sending notifications) are left out: tests talk to 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup

from nephos_gateway.schema.security import INTERNAL
from tests.fixtures.asset import AssetService
from tests.fixtures.metering import MeteringService
from tests.fixtures.monitoring import MonitoringService
from tests.gateway.conftest import Gateway
from tests.gateway.live import serving

EXAMPLES = 4
"""Generated requests per operation: enough to hit edge cases, small enough for CI."""

REACHES_OUTSIDE = re.compile(
    r"account|source|discover|ingest|deliver|cloud-session|channel|notif|test|sync|collect|internal"
)
GRAPHQL_MUTATIONS_KEPT = re.compile(r"ServiceGroup")


PROBES = {"/readyz"}
"""Answers 503 by design while NATS or the database is away (a connection being
re-established under load, say): a report on the service's surroundings, not a
server error. Its own test is in ``tests/common/test_service_app.py``."""


def _keep_rest(method: str, path: str) -> bool:
    if path in PROBES:
        return False
    return method.upper() == "GET" or not REACHES_OUTSIDE.search(path)


@dataclass(frozen=True)
class Target:
    base_url: str
    headers: dict[str, str]
    graphql: bool = False


def _fuzz(schema: Any, target: Target, keep: Callable[[Any], bool]) -> tuple[list[str], int]:
    """Run every kept operation; the server errors found (one line each), and how many ran."""
    found: list[str] = []
    ran = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if keep(operation):
            ran += 1
            found.extend(_fuzz_operation(operation, target))
    return found, ran


SERVER_FAILURES = {INTERNAL, "SERVICE_UNAVAILABLE"}
"""The gateway's codes for its own failures and for a service's 5xx behind it."""


def _graphql_server_errors(response: Any) -> list[Any]:
    """GraphQL answers 200 even when a resolver failed; the gateway's error codes tell.

    Schemathesis' own judgement of GraphQL errors takes any error code it does
    not know (NOT_FOUND, CONFLICT) for a server failure, so it is not used here.
    """
    if response.status_code >= 500:
        return [response.text]
    body = response.json()
    errors = body.get("errors") if isinstance(body, dict) else None
    return [e for e in errors or () if (e.get("extensions") or {}).get("code") in SERVER_FAILURES]


def _fuzz_operation(operation: Any, target: Target) -> list[str]:
    found: list[str] = []

    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy())
    def run(case: Any) -> None:
        response = case.call(base_url=target.base_url, headers=target.headers, timeout=20)
        if target.graphql:
            if _graphql_server_errors(response):
                found.append(f"{operation.label}: {response.text[:500]}")
            return
        try:
            case.validate_response(response, checks=[not_a_server_error])
        except FailureGroup as exc:
            found.append(f"{operation.label}: {response.status_code} {response.text[:300]} {exc}")

    run()
    return found


async def _fuzz_rest(app: Any, headers: dict[str, str]) -> tuple[list[str], int]:
    async with serving(app) as url:

        def work() -> tuple[list[str], int]:
            schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
            target = Target(url, headers)
            return _fuzz(schema, target, lambda op: _keep_rest(op.method, op.path))

        return await asyncio.to_thread(work)


async def test_the_asset_api_answers_no_server_error(asset_service: AssetService) -> None:
    errors, operations = await _fuzz_rest(asset_service.app, asset_service.auth())
    assert operations >= 5
    assert not errors, "\n".join(errors)


async def test_the_metering_api_answers_no_server_error(metering_service: MeteringService) -> None:
    errors, operations = await _fuzz_rest(metering_service.app, metering_service.auth())
    assert operations >= 3
    assert not errors, "\n".join(errors)


async def test_the_monitoring_api_answers_no_server_error(
    monitoring_service: MonitoringService,
) -> None:
    errors, operations = await _fuzz_rest(monitoring_service.app, monitoring_service.auth())
    assert operations >= 5
    assert not errors, "\n".join(errors)


def _keep_graphql(operation: Any) -> bool:
    label = str(operation.label)
    return label.startswith("Query.") or bool(GRAPHQL_MUTATIONS_KEPT.search(label))


async def test_the_graphql_api_answers_no_server_error(observed_gateway: Gateway) -> None:
    gw = observed_gateway
    headers = gw.auth()
    await gw.enrol_pending()
    async with serving(gw.app) as url:

        def work() -> tuple[list[str], int]:
            schema = schemathesis.graphql.from_url(f"{url}/graphql", headers=headers)
            return _fuzz(schema, Target(f"{url}/graphql", headers, graphql=True), _keep_graphql)

        errors, operations = await asyncio.to_thread(work)
    assert operations >= 15
    assert not errors, "\n".join(errors)
