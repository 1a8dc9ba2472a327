"""Azure accounts through GraphQL: one ``@oneOf`` credentials input, secrets never come back.

Registration only; discovering Azure is the asset service's concern (tested there).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest

from tests.gateway.conftest import Gateway
from tests.gateway.flows import ACCOUNT_FIELDS, REGISTER

CLIENT_SECRET = "azure-client-secret-never-returned"
ARM = "http://127.0.0.1:9/arm"
AUTHORITY = "http://127.0.0.1:9/entra"

UPDATE = f"""
mutation Update($id: ID!, $input: UpdateCloudAccountInput!) {{
  updateCloudAccount(id: $id, input: $input) {{
    account {{ {ACCOUNT_FIELDS} }}
    userErrors {{ code message field }}
  }}
}}
"""


def _azure(**overrides: Any) -> dict[str, Any]:
    credentials = {
        "tenantId": str(uuid.uuid4()),
        "clientId": str(uuid.uuid4()),
        "subscriptionId": str(uuid.uuid4()),
        "clientSecret": CLIENT_SECRET,
    }
    return {"azure": {**credentials, **overrides}}


def _input(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Contoso Azure",
        "credentials": _azure(),
        "endpointUrl": ARM,
        "authEndpointUrl": AUTHORITY,
        "regions": ["westeurope"],
        **overrides,
    }


async def test_an_azure_account_is_registered_and_its_secret_never_returned(
    gateway: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = await gateway.query(REGISTER, {"input": _input()})
    payload = body["data"]["registerCloudAccount"]
    account = payload["account"]
    listed = await gateway.query(
        "{ cloudAccounts { nodes { id provider authMethod authEndpointUrl } } }"
    )
    rotated = await gateway.query(
        UPDATE, {"id": account["id"], "input": {"credentials": _azure(clientSecret="rotated-x")}}
    )
    aws_keys = {"aws": {"accessKeyId": "AKIAGATEWAYTEST00002", "secretAccessKey": "aws-secret-x"}}
    mismatched = await gateway.query(
        UPDATE, {"id": account["id"], "input": {"credentials": aws_keys}}
    )

    assert payload["userErrors"] == []
    assert (account["provider"], account["authMethod"]) == ("azure", "client_secret")
    assert (account["endpointUrl"], account["authEndpointUrl"]) == (ARM, AUTHORITY)
    assert (account["regions"], account["status"]) == (["westeurope"], "unverified")
    assert listed["data"]["cloudAccounts"]["nodes"] == [
        {"id": account["id"], "provider": "azure", "authMethod": "client_secret",
         "authEndpointUrl": AUTHORITY}
    ]  # fmt: skip
    assert rotated["data"]["updateCloudAccount"]["userErrors"] == []
    errors = mismatched["data"]["updateCloudAccount"]["userErrors"]
    assert [e["code"] for e in errors] == ["INVALID_INPUT"]
    everything = "\n".join(gateway.responses) + caplog.text
    for secret in (CLIENT_SECRET, "rotated-x", "aws-secret-x"):
        assert secret not in everything
    assert all(CLIENT_SECRET not in str(r.__dict__) for r in caplog.records)


async def test_workload_identity_needs_no_secret(gateway: Gateway) -> None:
    credentials = _azure(clientSecret=None, useWorkloadIdentity=True)
    body = await gateway.query(REGISTER, {"input": _input(credentials=credentials)})
    account = body["data"]["registerCloudAccount"]["account"]
    assert (account["provider"], account["authMethod"]) == ("azure", "workload_identity")


@pytest.mark.parametrize(
    ("credentials", "fields"),
    [
        pytest.param(
            _azure(tenantId="not-a-guid"), ["input.credentials.azure.tenantId"], id="bad-guid"
        ),
        pytest.param(_azure(useWorkloadIdentity=True), ["input.credentials.azure"], id="both-ways"),
        pytest.param(
            {"aws": {"accessKeyId": "short", "secretAccessKey": "x"}},
            ["input.credentials.aws.accessKeyId"],
            id="aws-too-short",
        ),
    ],
)
async def test_invalid_credentials_are_user_errors_about_the_provider_given(
    gateway: Gateway, credentials: dict[str, Any], fields: list[str]
) -> None:
    """The service checks every provider's model; only the chosen one's problems are shown."""
    body = await gateway.query(REGISTER, {"input": _input(credentials=credentials)})
    payload = body["data"]["registerCloudAccount"]
    assert payload["account"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INVALID_INPUT", f) for f in fields
    ]
    assert CLIENT_SECRET not in str(body)


async def test_credentials_of_two_providers_at_once_are_refused_unechoed(gateway: Gateway) -> None:
    both = {**_azure(), "aws": {"accessKeyId": "AKIAGATEWAYTEST00003", "secretAccessKey": "x"}}
    body = await gateway.query(REGISTER, {"input": _input(credentials=both)})
    assert body["data"] is None
    assert "exactly one key" in body["errors"][0]["message"]
    assert CLIENT_SECRET not in str(body)
    assert gateway.asset.requests == []
