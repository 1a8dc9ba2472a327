"""Incidents from firing alerts: dedupe of a replayed event, actions and timeline,
tenant isolation; notifications to a local HTTP receiver and a local SMTP server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web

from nephos_common.contracts.monitoring import AlertFired
from nephos_common.db import utcnow
from tests.fixtures.monitoring import MonitoringService, wait_for
from tests.monitoring.helpers import add_servers, push


async def _incidents(service: MonitoringService, tenant: str = "acme") -> list[dict[str, Any]]:
    answer = await service.client.get("/incidents", headers=service.auth(tenant))
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def _fire(service: MonitoringService, **rule: Any) -> tuple[dict[str, Any], Any]:
    (server,) = await add_servers(service, 1)
    body = {
        "name": "cpu high",
        "metric": "cpu_percent",
        "threshold": 80,
        "scope": {"kind": "asset", "asset_id": str(server["asset_id"])},
        **rule,
    }
    answer = await service.client.post("/rules", json=body, headers=service.auth())
    assert answer.status_code == 201, answer.text
    await push(service, server["asset_id"], [(utcnow() - timedelta(minutes=2), 99)])
    return answer.json(), server["asset_id"]


async def test_incident_dedupe_actions_timeline_and_isolation(
    monitoring_service: MonitoringService,
) -> None:
    service = monitoring_service
    _, asset = await _fire(service, severity="critical")
    (incident,) = await wait_for(lambda: _incidents(service), lambda i: len(i) == 1)
    assert (incident["status"], incident["severity"]) == ("open", "critical")
    assert incident["asset_id"] == str(asset)

    (fired,) = await service.monitoring_events(1)
    again = AlertFired.model_validate(fired["data"]).envelope(tenant="acme", source="test")
    await service.publish(again)
    await service.monitoring_events(1, prefix="monitoring.incident.")
    await asyncio.sleep(1.0)
    assert len(await _incidents(service)) == 1

    url = f"/incidents/{incident['id']}"
    viewer = service.auth("acme", "viewer")
    assert (await service.client.post(f"{url}/acknowledge", headers=viewer)).status_code == 403
    for path, body in [
        ("acknowledge", None),
        ("assign", {"assignee": "oncall@acme.test"}),
        ("comments", {"text": "looking into it"}),
        ("resolve", None),
    ]:
        answer = await service.client.post(f"{url}/{path}", json=body, headers=service.auth())
        assert answer.status_code == 200, answer.text
    detail = (await service.client.get(url, headers=viewer)).json()
    assert detail["status"] == "resolved" and detail["assignee"] == "oncall@acme.test"
    assert [e["kind"] for e in detail["timeline"]] == [
        "opened",
        "acknowledged",
        "assigned",
        "commented",
        "resolved",
    ]
    assert detail["comments"][0]["text"] == "looking into it"
    assert (await service.client.post(f"{url}/resolve", headers=service.auth())).status_code == 409
    assert await _incidents(service, "acme") != []
    assert await _incidents(service, "globex") == []
    other = service.auth("globex")
    assert (await service.client.get(url, headers=other)).status_code == 404
    assert (await service.client.post(f"{url}/acknowledge", headers=other)).status_code == 404
    # The outbox relay publishes after each commit, so the last event may still be on its way.
    events = await wait_for(
        lambda: service.monitoring_events(1, prefix="monitoring.incident."),
        lambda found: found[-1]["type"] == "monitoring.incident.resolved",
    )
    assert events[0]["type"] == "monitoring.incident.opened"


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    """A local HTTP receiver that answers 500 to the first request, then 200."""
    received: list[dict[str, Any]] = []
    calls = 0

    async def hook(request: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            return web.Response(status=500)
        received.append({"path": request.path, "body": await request.json()})
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/{name}", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}", received
    finally:
        await runner.cleanup()


@pytest.fixture
async def smtp_server() -> AsyncIterator[tuple[int, list[bytes]]]:
    """A minimal real SMTP server on 127.0.0.1 (EHLO, MAIL, RCPT, DATA, QUIT)."""
    mails: list[bytes] = []

    async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 localhost ready\r\n")
        while line := await reader.readline():
            verb = line[:4].upper()
            if verb == b"DATA":
                writer.write(b"354 go ahead\r\n")
                await writer.drain()
                data = b""
                while (chunk := await reader.readline()) != b".\r\n":
                    data += chunk
                mails.append(data)
                writer.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                break
            else:
                writer.write(b"250 ok\r\n")
            await writer.drain()
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(session, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield port, mails
    finally:
        server.close()
        await server.wait_closed()


async def _channel(service: MonitoringService, **body: Any) -> str:
    answer = await service.client.post("/channels", json=body, headers=service.auth())
    assert answer.status_code == 201, answer.text
    channel_id: str = answer.json()["id"]
    return channel_id


async def _deliveries(service: MonitoringService) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (
        await service.client.get("/deliveries", headers=service.auth())
    ).json()["items"]
    return items


async def test_notifications_retry_slack_and_email(
    monitoring_service: MonitoringService,
    receiver: tuple[str, list[dict[str, Any]]],
    smtp_server: tuple[int, list[bytes]],
) -> None:
    service = monitoring_service
    base, received = receiver
    port, mails = smtp_server
    hook = await _channel(service, name="hook", config={"kind": "webhook", "url": f"{base}/hook"})
    slack = await _channel(service, name="slack", config={"kind": "slack", "url": f"{base}/slack"})
    mail = await _channel(
        service,
        name="mail",
        config={
            "kind": "email",
            "host": "127.0.0.1",
            "port": port,
            "sender": "nephos@acme.test",
            "to": ["oncall@acme.test"],
        },
        credentials=None,
    )
    listed = (await service.client.get("/channels", headers=service.auth())).json()["items"]
    assert {c["id"] for c in listed} == {hook, slack, mail}
    shown = {c["id"]: c["config"].get("url") for c in listed}
    assert shown[slack] == base.rstrip("/") + "/…"  # the path of a webhook is its secret
    assert (await service.client.get("/channels", headers=service.auth("globex"))).json()[
        "items"
    ] == []
    await _fire(service, channel_ids=[hook, slack, mail])

    done = await wait_for(
        lambda: _deliveries(service),
        lambda d: len(d) == 3 and all(x["status"] == "delivered" for x in d),
        20,
    )
    attempts = sorted(len(d["attempts"]) for d in done)
    assert attempts == [1, 1, 2]
    retried = next(d for d in done if len(d["attempts"]) == 2)
    assert [a["status_code"] for a in retried["attempts"]] == [500, 200]
    assert len(received) == 2
    by_path = {r["path"]: r["body"] for r in received}
    if "/slack" in by_path:
        assert set(by_path["/slack"]) == {"text"} and "FIRING" in by_path["/slack"]["text"]
    if "/hook" in by_path:
        assert by_path["/hook"]["type"] == "monitoring.alert.fired"
    (mail_body,) = mails
    assert b"oncall@acme.test" in mail_body and b"FIRING" in mail_body
    assert json.dumps(listed).count("password") == 0


async def _incident_detail(service: MonitoringService, tenant: str = "acme") -> dict[str, Any]:
    (incident,) = await wait_for(lambda: _incidents(service, tenant), lambda i: len(i) == 1)
    detail: dict[str, Any] = (
        await service.client.get(f"/incidents/{incident['id']}", headers=service.auth(tenant))
    ).json()
    return detail


async def test_incident_resolves_with_its_last_alert_and_ignores_a_replay(
    monitoring_service: MonitoringService,
) -> None:
    service = monitoring_service
    (server,) = await add_servers(service, 1)
    asset = server["asset_id"]
    scope = {"kind": "asset", "asset_id": str(asset)}
    for name, metric in [("cpu", "cpu_percent"), ("memory", "memory_percent")]:
        body = {"name": name, "metric": metric, "threshold": 80, "scope": scope}
        assert (await service.client.post("/rules", json=body, headers=service.auth())).is_success
    t0 = utcnow() - timedelta(minutes=5)
    await push(service, asset, [(t0, 99)], metric="cpu_percent")
    await push(service, asset, [(t0, 99)], metric="memory_percent")
    await wait_for(lambda: _incident_detail(service), lambda d: len(d["alert_ids"]) == 2, 15)
    await push(service, asset, [(t0 + timedelta(minutes=1), 10)], metric="cpu_percent")
    await wait_for(
        lambda: _incident_detail(service),
        lambda d: [e["kind"] for e in d["timeline"]][-1] == "alert_resolved",
    )
    assert (await _incident_detail(service))["status"] == "open"
    await push(service, asset, [(t0 + timedelta(minutes=1), 10)], metric="memory_percent")
    detail = await wait_for(
        lambda: _incident_detail(service), lambda d: d["status"] == "resolved", 15
    )
    last = detail["timeline"][-1]
    assert (last["kind"], last["actor"], last["detail"]) == (
        "resolved",
        None,
        {"reason": "all_alerts_resolved"},
    )
    (fired, *_) = await service.monitoring_events(1)
    again = AlertFired.model_validate(fired["data"]).envelope(tenant="acme", source="test")
    await service.publish(again)
    await asyncio.sleep(1.5)
    assert len(await _incidents(service)) == 1
    kinds = [e["type"] for e in await service.monitoring_events(4, prefix="monitoring.incident.")]
    assert kinds.count("monitoring.incident.opened") == 1
    assert kinds[-1] == "monitoring.incident.resolved"


async def test_auto_resolve_can_be_turned_off_per_rule_or_tenant(
    monitoring_service: MonitoringService,
) -> None:
    service = monitoring_service
    prefs = {"auto_resolve": False, "escalation_policy_id": None}
    answer = await service.client.put("/incident-preferences", json=prefs, headers=service.auth())
    assert answer.status_code == 200 and answer.json() == prefs
    other = await service.client.get("/incident-preferences", headers=service.auth("globex"))
    assert other.json()["auto_resolve"] is True
    # The rule's own choice wins over the tenant's: on here, so this one resolves.
    _, asset = await _fire(service, auto_resolve_incidents=True)
    await _incident_detail(service)
    await push(service, asset, [(utcnow() - timedelta(minutes=1), 10)])
    await wait_for(lambda: _incidents(service), lambda i: i[0]["status"] == "resolved", 15)
    # No choice on the rule: the tenant's (off) holds, the incident stays open.
    _, asset = await _fire(service)
    await wait_for(lambda: _incidents(service), lambda i: len(i) == 2)
    await push(service, asset, [(utcnow() - timedelta(minutes=1), 10)])
    await wait_for(
        lambda: service.monitoring_events(4),
        lambda e: [x["type"] for x in e].count("monitoring.alert.resolved") == 2,
    )
    await asyncio.sleep(1.5)
    statuses = sorted(i["status"] for i in await _incidents(service))
    assert statuses == ["open", "resolved"]
