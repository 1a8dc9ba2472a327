"""Escalation policies and incident preferences through GraphQL, against the real monitoring
service: what GraphQL answers is what the service stores; bad input and unknown ids are
user errors; viewers only read; one company never reads or changes another's."""

from __future__ import annotations

import uuid
from typing import Any

from tests.fixtures.monitoring import MonitoringService
from tests.gateway.conftest import Gateway
from tests.gateway.flows import USER_ERRORS, assert_forbidden, error_codes, payload

POLICY_FIELDS = "id name createdAt steps { channelIds waitMinutes }"

CREATE_CHANNEL = f"""
mutation($input: CreateNotificationChannelInput!) {{
  createNotificationChannel(input: $input) {{ notificationChannel {{ id }} {USER_ERRORS} }}
}}
"""
CREATE_POLICY = f"""
mutation($input: EscalationPolicyInput!) {{
  createEscalationPolicy(input: $input) {{ escalationPolicy {{ {POLICY_FIELDS} }} {USER_ERRORS} }}
}}
"""
UPDATE_POLICY = f"""
mutation($id: ID!, $input: EscalationPolicyInput!) {{
  updateEscalationPolicy(id: $id, input: $input) {{
    escalationPolicy {{ {POLICY_FIELDS} }} {USER_ERRORS}
  }}
}}
"""
DELETE_POLICY = f"""
mutation($id: ID!) {{ deleteEscalationPolicy(id: $id) {{ deletedId {USER_ERRORS} }} }}
"""
POLICY = f"""
query($id: ID!) {{
  escalationPolicy(id: $id) {{ {POLICY_FIELDS} }}
  escalationPolicies {{ nodes {{ id }} }}
}}
"""
PREFERENCES = "{ incidentPreferences { autoResolve escalationPolicyId } }"
SET_PREFERENCES = f"""
mutation($input: IncidentPreferencesInput!) {{
  setIncidentPreferences(input: $input) {{
    preferences {{ autoResolve escalationPolicyId }} {USER_ERRORS}
  }}
}}
"""


async def _channel(gw: Gateway, name: str, headers: dict[str, str] | None = None) -> str:
    """A webhook channel; nothing is sent to it here (no incident opens)."""
    config = {"webhook": {"url": f"http://127.0.0.1:9/{name}"}}
    variables = {"input": {"name": name, "config": config}}
    created = payload(await gw.query(CREATE_CHANNEL, variables, headers=headers))
    assert created["userErrors"] == [], created
    return str(created["notificationChannel"]["id"])


def _policy_input(name: str, *steps: tuple[list[str], int]) -> dict[str, Any]:
    return {
        "name": name,
        "steps": [{"channelIds": ids, "waitMinutes": wait} for ids, wait in steps],
    }


async def _create_policy(gw: Gateway, input: dict[str, Any]) -> dict[str, Any]:
    created = payload(await gw.query(CREATE_POLICY, {"input": input}))
    assert created["userErrors"] == [], created
    policy: dict[str, Any] = created["escalationPolicy"]
    return policy


def _as_graphql(policy: dict[str, Any]) -> dict[str, Any]:
    """A policy as REST answers it, in GraphQL's names (createdAt compared apart)."""
    steps = [
        {"channelIds": s["channel_ids"], "waitMinutes": s["wait_minutes"]} for s in policy["steps"]
    ]
    return {"id": policy["id"], "name": policy["name"], "steps": steps}


def _without_time(policy: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in policy.items() if k != "createdAt"}


async def test_an_escalation_policy_is_created_read_replaced_and_deleted(
    observed_gateway: Gateway, monitoring_service: MonitoringService
) -> None:
    gw = observed_gateway
    operator = gw.auth("acme", "operator")
    first, second = await _channel(gw, "first"), await _channel(gw, "second")
    input = _policy_input("oncall", ([first], 5), ([first, second], 15))

    created = payload(await gw.query(CREATE_POLICY, {"input": input}, headers=operator))
    policy = created["escalationPolicy"]
    url = f"/escalation-policies/{policy['id']}"
    stored = await monitoring_service.stored(url)
    read = await gw.query(POLICY, {"id": policy["id"]})

    assert created["userErrors"] == []
    assert _without_time(policy) == _as_graphql(stored)
    assert policy["steps"] == [
        {"channelIds": [first], "waitMinutes": 5},
        {"channelIds": [first, second], "waitMinutes": 15},
    ]
    assert read["data"]["escalationPolicy"] == policy
    assert read["data"]["escalationPolicies"]["nodes"] == [{"id": policy["id"]}]

    night = _policy_input("night", ([second], 30))
    variables = {"id": policy["id"], "input": night}
    replaced = payload(await gw.query(UPDATE_POLICY, variables, headers=operator))
    stored = await monitoring_service.stored(url)
    assert replaced["userErrors"] == []
    assert _without_time(replaced["escalationPolicy"]) == _as_graphql(stored)
    assert stored["name"] == "night"
    assert stored["steps"] == [{"channel_ids": [second], "wait_minutes": 30}]

    deleted = payload(await gw.query(DELETE_POLICY, {"id": policy["id"]}, headers=operator))
    twice = payload(await gw.query(DELETE_POLICY, {"id": policy["id"]}, headers=operator))
    gone = await gw.query(POLICY, {"id": policy["id"]})

    assert deleted == {"deletedId": policy["id"], "userErrors": []}
    assert await monitoring_service.stored(url) is None
    assert twice["deletedId"] is None
    assert error_codes(twice) == [("ESCALATION_POLICY_NOT_FOUND", "id")]
    assert gone["data"] == {"escalationPolicy": None, "escalationPolicies": {"nodes": []}}


async def test_bad_policy_input_and_unknown_ids_are_user_errors(
    observed_gateway: Gateway, monitoring_service: MonitoringService
) -> None:
    gw = observed_gateway
    channel = await _channel(gw, "oncall")
    policy = await _create_policy(gw, _policy_input("oncall", ([channel], 5)))

    no_steps = payload(await gw.query(CREATE_POLICY, {"input": _policy_input("empty")}))
    too_soon = _policy_input("soon", ([channel], 0))
    zero_wait = payload(await gw.query(CREATE_POLICY, {"input": too_soon}))
    unknown = _policy_input("ghost", ([str(uuid.uuid4())], 5))
    unknown_channel = payload(await gw.query(CREATE_POLICY, {"input": unknown}))
    renamed = _policy_input("renamed", ([str(uuid.uuid4())], 5))
    bad_update = payload(await gw.query(UPDATE_POLICY, {"id": policy["id"], "input": renamed}))
    assert gw.monitoring is not None
    gw.monitoring.requests.clear()
    not_an_id = payload(
        await gw.query(UPDATE_POLICY, {"id": "not-an-id", "input": _policy_input("x")})
    )
    unknown_read = await gw.query(POLICY, {"id": "not-an-id"})

    assert no_steps["escalationPolicy"] is None
    assert error_codes(no_steps) == [("INVALID_INPUT", "input.steps")]
    assert error_codes(zero_wait) == [("INVALID_INPUT", "input.steps.0.waitMinutes")]
    assert error_codes(unknown_channel) == [("UNKNOWN_CHANNELS", "input.steps")]
    assert error_codes(bad_update) == [("UNKNOWN_CHANNELS", "input.steps")]
    assert error_codes(not_an_id) == [("ESCALATION_POLICY_NOT_FOUND", "id")]
    assert unknown_read["data"]["escalationPolicy"] is None
    # Text that is no id never reaches the service (only the policy list was read).
    assert [r.url.path for r in gw.monitoring.requests] == ["/escalation-policies"]
    stored = await monitoring_service.stored("/escalation-policies")
    assert [p["name"] for p in stored["items"]] == ["oncall"], "nothing refused was stored"


async def test_incident_preferences_are_read_and_replaced(
    observed_gateway: Gateway, monitoring_service: MonitoringService
) -> None:
    gw = observed_gateway
    operator = gw.auth("acme", "operator")
    policy = await _create_policy(gw, _policy_input("oncall", ([await _channel(gw, "a")], 5)))
    defaults = await gw.query(PREFERENCES, headers=operator)

    chosen = {"autoResolve": False, "escalationPolicyId": policy["id"]}
    set_ = payload(await gw.query(SET_PREFERENCES, {"input": chosen}, headers=operator))
    stored = await monitoring_service.stored("/incident-preferences")
    read = await gw.query(PREFERENCES, headers=gw.auth("acme", "viewer"))

    assert defaults["data"]["incidentPreferences"] == {
        "autoResolve": True,
        "escalationPolicyId": None,
    }
    assert set_ == {"preferences": chosen, "userErrors": []}
    assert stored == {"auto_resolve": False, "escalation_policy_id": policy["id"]}
    assert read["data"]["incidentPreferences"] == chosen

    unknown = {"escalationPolicyId": str(uuid.uuid4())}
    refused = payload(await gw.query(SET_PREFERENCES, {"input": unknown}, headers=operator))
    garbage = {"escalationPolicyId": "not-an-id"}
    invalid = payload(await gw.query(SET_PREFERENCES, {"input": garbage}, headers=operator))
    assert refused["preferences"] is None
    assert error_codes(refused) == [("UNKNOWN_ESCALATION_POLICY", "input.escalationPolicyId")]
    assert error_codes(invalid) == [("INVALID_INPUT", "input.escalationPolicyId")]
    assert await monitoring_service.stored("/incident-preferences") == stored

    # The whole preferences are replaced: what is left out goes back to its default.
    reset = payload(await gw.query(SET_PREFERENCES, {"input": {}}, headers=operator))
    assert reset["preferences"] == {"autoResolve": True, "escalationPolicyId": None}
    assert await monitoring_service.stored("/incident-preferences") == {
        "auto_resolve": True,
        "escalation_policy_id": None,
    }


async def test_a_viewer_reads_policies_and_preferences_but_changes_nothing(
    observed_gateway: Gateway, monitoring_service: MonitoringService
) -> None:
    gw = observed_gateway
    channel = await _channel(gw, "oncall")
    policy = await _create_policy(gw, _policy_input("oncall", ([channel], 5)))
    viewer = gw.auth("acme", "viewer")
    assert gw.monitoring is not None
    gw.monitoring.requests.clear()

    refused = [
        await gw.query(
            CREATE_POLICY, {"input": _policy_input("v", ([channel], 1))}, headers=viewer
        ),
        await gw.query(
            UPDATE_POLICY, {"id": policy["id"], "input": _policy_input("v")}, headers=viewer
        ),
        await gw.query(DELETE_POLICY, {"id": policy["id"]}, headers=viewer),
        await gw.query(SET_PREFERENCES, {"input": {"autoResolve": False}}, headers=viewer),
    ]

    for body in refused:
        assert_forbidden(body)
    assert gw.monitoring.requests == []  # refused before any call
    read = await gw.query(POLICY, {"id": policy["id"]}, headers=viewer)
    assert read["data"]["escalationPolicy"]["name"] == "oncall"
    preferences = await gw.query(PREFERENCES, headers=viewer)
    assert preferences["data"]["incidentPreferences"]["autoResolve"] is True
    assert await monitoring_service.stored("/incident-preferences") == {
        "auto_resolve": True,
        "escalation_policy_id": None,
    }


async def test_another_company_can_neither_read_nor_use_nor_change_a_policy(
    observed_gateway: Gateway, monitoring_service: MonitoringService
) -> None:
    gw = observed_gateway
    channel = await _channel(gw, "oncall")
    policy = await _create_policy(gw, _policy_input("oncall", ([channel], 5)))
    globex = gw.auth("globex", "admin")
    variables = {"id": policy["id"], "input": _policy_input("stolen", ([channel], 1))}

    read = await gw.query(POLICY, {"id": policy["id"]}, headers=globex)
    changed = payload(await gw.query(UPDATE_POLICY, variables, headers=globex))
    deleted = payload(await gw.query(DELETE_POLICY, {"id": policy["id"]}, headers=globex))
    stolen = _policy_input("stolen", ([channel], 1))
    copied = payload(await gw.query(CREATE_POLICY, {"input": stolen}, headers=globex))
    theirs = {"escalationPolicyId": policy["id"]}
    preferred = payload(await gw.query(SET_PREFERENCES, {"input": theirs}, headers=globex))

    assert read["data"] == {"escalationPolicy": None, "escalationPolicies": {"nodes": []}}
    assert error_codes(changed) == [("ESCALATION_POLICY_NOT_FOUND", "id")]
    assert error_codes(deleted) == [("ESCALATION_POLICY_NOT_FOUND", "id")]
    assert error_codes(copied) == [("UNKNOWN_CHANNELS", "input.steps")]
    assert error_codes(preferred) == [("UNKNOWN_ESCALATION_POLICY", "input.escalationPolicyId")]
    stored = await monitoring_service.stored(f"/escalation-policies/{policy['id']}")
    assert _as_graphql(stored) == _without_time(policy), "acme's policy is untouched"
    assert await monitoring_service.stored("/escalation-policies", "globex") == {"items": []}
    assert await monitoring_service.stored("/incident-preferences", "globex") == {
        "auto_resolve": True,
        "escalation_policy_id": None,
    }
