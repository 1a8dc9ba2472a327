"""Incidents, alert rules, silences, maintenance windows and channels through GraphQL,
against the real monitoring service: the lifecycle, user errors, roles and isolation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from nephos_common.db import utcnow
from tests.fixtures.monitoring import MonitoringService, wait_for
from tests.gateway.conftest import Gateway
from tests.monitoring.helpers import add_servers, push

ERRORS = "userErrors { code message field }"
INCIDENT_FIELDS = "id status severity assignee assetId"

CREATE_RULE = f"""
mutation Create($input: CreateAlertRuleInput!) {{
  createAlertRule(input: $input) {{
    alertRule {{ id name kind metric operator threshold severity enabled
                 scope {{ kind assetId category }} }}
    {ERRORS}
  }}
}}
"""

UPDATE_RULE = f"""
mutation Update($id: ID!, $input: UpdateAlertRuleInput!) {{
  updateAlertRule(id: $id, input: $input) {{ alertRule {{ id threshold enabled }} {ERRORS} }}
}}
"""

DELETE_RULE = f"mutation($id: ID!) {{ deleteAlertRule(id: $id) {{ deletedId {ERRORS} }} }}"
RULE = "query($id: ID!) { alertRule(id: $id) { id name threshold } }"

INCIDENTS = f"""
query Incidents($filter: IncidentFilter) {{
  incidents(filter: $filter, first: 20) {{
    nodes {{ {INCIDENT_FIELDS} timeline {{ kind }} }}
  }}
}}
"""

INCIDENT = """
query Incident($id: ID!) {
  incident(id: $id) {
    id status assignee acknowledgedAt resolvedAt alertIds
    timeline { kind actor at }
    comments { author text }
  }
}
"""

ACT = {
    "acknowledge": "acknowledgeIncident(id: $id)",
    "assign": 'assignIncident(id: $id, assignee: "oncall@acme.test")',
    "comment": 'commentOnIncident(id: $id, text: "looking into it")',
    "resolve": "resolveIncident(id: $id)",
}


def _act(action: str) -> str:
    field = ACT[action]
    return f"mutation($id: ID!) {{ {field} {{ incident {{ {INCIDENT_FIELDS} }} {ERRORS} }} }}"


def _payload(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body
    (payload,) = body["data"].values()
    result: dict[str, Any] = payload
    return result


async def _rule(gw: Gateway, **input: Any) -> dict[str, Any]:
    payload = _payload(await gw.query(CREATE_RULE, {"input": input}))
    assert payload["userErrors"] == [], payload
    rule: dict[str, Any] = payload["alertRule"]
    return rule


async def _open_incident(gw: Gateway, service: MonitoringService) -> dict[str, Any]:
    """A server breaching a rule made through GraphQL; its incident as GraphQL lists it."""
    (server,) = await add_servers(service, 1)
    asset_id = str(server["asset_id"])
    await _rule(
        gw, name="cpu high", metric="cpu_percent", threshold=80, scope={"assetId": asset_id}
    )
    await push(service, asset_id, [(utcnow() - timedelta(seconds=30), 99)])
    where = {"filter": {"assetId": asset_id, "status": ["OPEN"]}}

    async def listed() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = (await gw.query(INCIDENTS, where))["data"]["incidents"][
            "nodes"
        ]
        return found

    (incident,) = await wait_for(listed, lambda found: len(found) == 1, 20)
    return incident


async def test_an_incident_is_acknowledged_assigned_commented_and_resolved(
    observed_gateway: Gateway, monitoring_service: MonitoringService
) -> None:
    gw = observed_gateway
    incident = await _open_incident(gw, monitoring_service)
    assert (incident["status"], incident["severity"]) == ("OPEN", "WARNING")
    assert [e["kind"] for e in incident["timeline"]] == ["opened"]
    variables = {"id": incident["id"]}

    steps = {a: _payload(await gw.query(_act(a), variables)) for a in ACT}
    again = _payload(await gw.query(_act("resolve"), variables))
    detail = (await gw.query(INCIDENT, variables))["data"]["incident"]

    assert all(p["userErrors"] == [] for p in steps.values()), steps
    assert steps["acknowledge"]["incident"]["status"] == "ACKNOWLEDGED"
    assert steps["assign"]["incident"]["assignee"] == "oncall@acme.test"
    assert steps["resolve"]["incident"]["status"] == "RESOLVED"
    assert again["incident"] is None
    assert [(e["code"], e["field"]) for e in again["userErrors"]] == [("INCIDENT_RESOLVED", None)]
    assert [e["kind"] for e in detail["timeline"]] == [
        "opened",
        "acknowledged",
        "assigned",
        "commented",
        "resolved",
    ]
    assert {e["actor"] for e in detail["timeline"][1:]} == {"admin@acme"}
    assert detail["comments"] == [{"author": "admin@acme", "text": "looking into it"}]
    assert len(detail["alertIds"]) == 1 and detail["resolvedAt"] is not None

    assert gw.monitoring is not None
    gw.monitoring.requests.clear()
    assigned = await gw.query(INCIDENTS, {"filter": {"assignee": "oncall@acme.test"}})
    (node,) = assigned["data"]["incidents"]["nodes"]
    assert len(node["timeline"]) == 5
    # Timelines of a listed page come from one batch read, not one read per incident.
    assert sorted(r.url.path for r in gw.monitoring.requests) == ["/incidents", "/incidents/batch"]
    nobody = await gw.query(INCIDENTS, {"filter": {"assignee": "someone@else.test"}})
    assert nobody["data"]["incidents"]["nodes"] == []


async def test_alert_rules_are_created_changed_and_deleted_with_user_errors(
    observed_gateway: Gateway,
) -> None:
    gw = observed_gateway
    bad = _payload(
        await gw.query(
            CREATE_RULE,
            {
                "input": {
                    "name": "x",
                    "metric": "CPU load!",
                    "threshold": 1,
                    "scope": {"category": "server"},
                }
            },
        )
    )
    no_threshold = _payload(
        await gw.query(
            CREATE_RULE,
            {"input": {"name": "x", "metric": "cpu_percent", "scope": {"category": "server"}}},
        )
    )
    assert bad["alertRule"] is None
    assert [(e["code"], e["field"]) for e in bad["userErrors"]] == [
        ("INVALID_INPUT", "input.metric")
    ]
    assert no_threshold["alertRule"] is None
    assert "threshold" in no_threshold["userErrors"][0]["message"]

    rule = await _rule(
        gw,
        name="db cpu",
        metric="cpu_percent",
        threshold=85,
        severity="CRITICAL",
        scope={"category": "database"},
    )
    assert (rule["kind"], rule["operator"], rule["severity"]) == ("THRESHOLD", "GT", "CRITICAL")
    assert rule["scope"] == {"kind": "category", "assetId": None, "category": "database"}
    changed = _payload(
        await gw.query(
            UPDATE_RULE, {"id": rule["id"], "input": {"threshold": 90, "enabled": False}}
        )
    )
    assert changed["alertRule"] == {"id": rule["id"], "threshold": 90, "enabled": False}
    assert (await gw.query(RULE, {"id": rule["id"]}))["data"]["alertRule"]["threshold"] == 90

    deleted = _payload(await gw.query(DELETE_RULE, {"id": rule["id"]}))
    twice = _payload(await gw.query(DELETE_RULE, {"id": rule["id"]}))
    garbage = _payload(await gw.query(DELETE_RULE, {"id": "not-an-id"}))

    assert deleted == {"deletedId": rule["id"], "userErrors": []}
    assert twice["deletedId"] is None
    assert [(e["code"], e["field"]) for e in twice["userErrors"]] == [("RULE_NOT_FOUND", "id")]
    assert [e["code"] for e in garbage["userErrors"]] == ["RULE_NOT_FOUND"]
    assert (await gw.query(RULE, {"id": rule["id"]}))["data"]["alertRule"] is None


async def test_a_viewer_is_refused_changes_with_a_clear_error(
    observed_gateway: Gateway, monitoring_service: MonitoringService
) -> None:
    gw = observed_gateway
    incident = await _open_incident(gw, monitoring_service)
    viewer = gw.auth("acme", "viewer")
    assert gw.monitoring is not None
    gw.monitoring.requests.clear()

    refused = await gw.query(_act("acknowledge"), {"id": incident["id"]}, headers=viewer)
    rule = {"name": "x", "metric": "cpu_percent", "threshold": 1, "scope": {"category": "server"}}
    refused_rule = await gw.query(CREATE_RULE, {"input": rule}, headers=viewer)
    still = await gw.query(INCIDENT, {"id": incident["id"]}, headers=viewer)

    for body in (refused, refused_rule):
        assert body["data"] is None
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "FORBIDDEN"
        assert error["message"] == "this action needs the operator role"
    assert still["data"]["incident"]["status"] == "OPEN"  # a viewer still reads it
    assert [r.method for r in gw.monitoring.requests] == ["GET"]


async def test_another_companys_incident_is_not_found(
    observed_gateway: Gateway, monitoring_service: MonitoringService
) -> None:
    gw = observed_gateway
    incident = await _open_incident(gw, monitoring_service)
    globex = gw.auth("globex", "admin")

    read = await gw.query(INCIDENT, {"id": incident["id"]}, headers=globex)
    acted = _payload(await gw.query(_act("acknowledge"), {"id": incident["id"]}, headers=globex))
    listed = await gw.query(INCIDENTS, headers=globex)
    mine = await gw.query(INCIDENT, {"id": incident["id"]})

    assert read["data"]["incident"] is None
    assert acted["incident"] is None
    assert [(e["code"], e["field"]) for e in acted["userErrors"]] == [("NOT_FOUND", "id")]
    assert listed["data"]["incidents"]["nodes"] == []
    assert mine["data"]["incident"]["status"] == "OPEN"
    garbage = await gw.query(INCIDENT, {"id": "not-an-id"})
    assert garbage["data"]["incident"] is None


SILENCES = """
{ silences { nodes { id comment active matchers { severity tags { key value } } } } }
"""
WINDOWS = """
{
  maintenanceWindows {
    nodes { id name scope { kind tags { key } } schedule { kind days start durationMinutes } }
  }
}
"""
CHANNELS = """
{
  notificationChannels { nodes { id name kind hasCredentials config } }
  escalationPolicies { nodes { id } }
}
"""
CREATE_SILENCE = f"""
mutation($input: SilenceInput!) {{
  createSilence(input: $input) {{ silence {{ id active }} {ERRORS} }}
}}
"""
UPDATE_SILENCE = f"""
mutation($id: ID!, $input: SilenceInput!) {{
  updateSilence(id: $id, input: $input) {{ silence {{ comment }} {ERRORS} }}
}}
"""
CREATE_WINDOW = f"""
mutation($input: MaintenanceWindowInput!) {{
  createMaintenanceWindow(input: $input) {{ maintenanceWindow {{ id }} {ERRORS} }}
}}
"""
CREATE_CHANNEL = f"""
mutation($input: CreateNotificationChannelInput!) {{
  createNotificationChannel(input: $input) {{
    notificationChannel {{ id kind hasCredentials }} {ERRORS}
  }}
}}
"""


def _delete(field: str) -> str:
    return f"mutation($id: ID!) {{ {field}(id: $id) {{ deletedId {ERRORS} }} }}"


async def test_silences_maintenance_windows_and_channels(observed_gateway: Gateway) -> None:
    gw = observed_gateway
    silence_input = {
        "matchers": {"severity": "WARNING", "tags": [{"key": "Env", "value": "dev"}]},
        "endsAt": (utcnow() + timedelta(hours=1)).isoformat(),
        "comment": "noisy dev",
    }
    created = _payload(await gw.query(CREATE_SILENCE, {"input": silence_input}))
    silence_id = created["silence"]["id"]
    assert created["silence"]["active"] is True
    changed = {"id": silence_id, "input": {**silence_input, "comment": "still noisy"}}
    updated = _payload(await gw.query(UPDATE_SILENCE, changed))
    assert updated["silence"] == {"comment": "still noisy"}
    (listed,) = (await gw.query(SILENCES))["data"]["silences"]["nodes"]
    assert listed["matchers"] == {"severity": "WARNING", "tags": [{"key": "Env", "value": "dev"}]}

    weekly = {"days": ["SUN"], "start": "02:00:00", "durationMinutes": 120}
    window_input = {
        "name": "patching",
        "scope": {"tags": [{"key": "Env", "value": "prod"}]},
        "schedule": {"weekly": weekly},
        "timezone": "Asia/Seoul",
    }
    window = _payload(await gw.query(CREATE_WINDOW, {"input": window_input}))
    window_id = window["maintenanceWindow"]["id"]
    (found,) = (await gw.query(WINDOWS))["data"]["maintenanceWindows"]["nodes"]
    assert found["schedule"] == {"kind": "weekly", **weekly}
    assert found["scope"] == {"kind": "tags", "tags": [{"key": "Env"}]}

    email = {"host": "127.0.0.1", "sender": "nephos@acme.test", "to": ["ops@acme.test"]}
    channel_input = {
        "name": "ops mail",
        "config": {"email": email},
        "credentials": {"username": "nephos", "password": "s3cret"},
    }
    channel = _payload(await gw.query(CREATE_CHANNEL, {"input": channel_input}))
    channel_id = channel["notificationChannel"]["id"]
    assert channel["notificationChannel"]["hasCredentials"] is True
    channels = (await gw.query(CHANNELS))["data"]
    (listed_channel,) = channels["notificationChannels"]["nodes"]
    assert listed_channel["kind"] == "EMAIL" and "s3cret" not in str(listed_channel)
    assert channels["escalationPolicies"]["nodes"] == []

    for field, item_id in (
        ("deleteSilence", silence_id),
        ("deleteMaintenanceWindow", window_id),
        ("deleteNotificationChannel", channel_id),
    ):
        gone = _payload(await gw.query(_delete(field), {"id": item_id}))
        assert gone == {"deletedId": item_id, "userErrors": []}
    assert (await gw.query(SILENCES))["data"]["silences"]["nodes"] == []
