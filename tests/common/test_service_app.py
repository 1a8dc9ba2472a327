"""What every service gets from the common app factory: health, metrics, ids, error shape."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import httpx
import pytest

from nephos_common.observability import JsonFormatter, request_id_var, trace_id_var
from nephos_common.settings import Environment
from nephos_metering.main import create_app
from nephos_metering.settings import Settings
from tests.fixtures.infra import NATS_URL, DatabaseFactory, running


@pytest.fixture
async def metering(databases: DatabaseFactory) -> AsyncIterator[httpx.AsyncClient]:
    url = await databases.create("nephos_metering")
    settings = Settings(environment=Environment.TEST, database_url=url, nats_url=NATS_URL)
    async with running(create_app(settings), "http://metering") as client:
        yield client


async def test_health_and_metrics(metering: httpx.AsyncClient) -> None:
    live = await metering.get("/livez")
    for _ in range(50):
        ready = await metering.get("/readyz")
        if ready.status_code == 200:
            break
    metrics = await metering.get("/metrics")

    assert live.json() == {"status": "ok"}
    assert ready.json()["checks"] == {"database": "ok", "nats": "ok"}
    assert "nephos_http_requests_total" in metrics.text
    assert 'route="/livez"' in metrics.text


async def test_ids_are_echoed_to_the_caller(metering: httpx.AsyncClient) -> None:
    trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    response = await metering.get(
        "/admin/parked-messages", headers={"X-Request-ID": "req-42", "traceparent": trace}
    )

    assert response.status_code == 401
    assert response.headers["x-request-id"] == "req-42"
    assert response.headers["x-trace-id"] == "0af7651916cd43dd8448eb211c80319c"
    assert response.json()["error"]["code"] == "unauthenticated"


def test_log_lines_are_json_with_the_request_ids() -> None:
    record = logging.makeLogRecord({"msg": "synced %s", "args": ("unit",), "levelname": "INFO"})
    record.account = "a1"
    tokens = request_id_var.set("req-42"), trace_id_var.set("t-1")
    try:
        line = json.loads(JsonFormatter("asset").format(record))
    finally:
        request_id_var.reset(tokens[0])
        trace_id_var.reset(tokens[1])

    assert line["message"] == "synced unit"
    assert (line["service"], line["request_id"], line["trace_id"]) == ("asset", "req-42", "t-1")
    assert line["account"] == "a1"


async def test_unknown_routes_have_the_common_error_shape(metering: httpx.AsyncClient) -> None:
    response = await metering.get("/nope")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
