"""Companies, users, user groups and roles at the gateway: the door every request goes through.

Users, groups and MSP assignments are set up through the GraphQL mutations an
admin would use; only the first MSP and its admin are made directly (as the
bootstrap command does), since no open endpoint may create them.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import jwt
import pytest
from starlette.requests import Request

from nephos_common.auth import Role, issue_token
from nephos_common.errors import Forbidden, Unauthenticated
from nephos_common.settings import INTERNAL_ISSUER
from nephos_gateway.__main__ import main as gateway_cli
from nephos_gateway.directory import service as directory
from nephos_gateway.directory.models import CompanyKind
from nephos_gateway.schema.context import GatewayContext
from tests.gateway.conftest import Gateway, enrol

ME = "{ me { user { subject } companies { id role } currentCompany { id role } } }"
USER_FIELDS = "id subject email role disabled assignedCompanyIds"
CREATE_USER = f"""
mutation($input: CreateUserInput!) {{
  createUser(input: $input) {{ user {{ {USER_FIELDS} }} userErrors {{ code message field }} }}
}}
"""
SET_ROLE = f"""
mutation($u: ID!, $r: UserRole!) {{
  setUserRole(userId: $u, role: $r) {{ user {{ {USER_FIELDS} }} userErrors {{ code field }} }}
}}
"""
REMOVE_USER = """
mutation($u: ID!) { removeUser(userId: $u) { removedId userErrors { code field } } }
"""
DISABLE = """
mutation($u: ID!) { disableUser(userId: $u) { user { disabled } userErrors { code field } } }
"""
GROUP_FIELDS = "id name role members { subject } assignedCompanyIds"
CREATE_GROUP = f"""
mutation($input: CreateUserGroupInput!) {{
  createUserGroup(input: $input) {{
    userGroup {{ {GROUP_FIELDS} }} userErrors {{ code message field }}
  }}
}}
"""
UPDATE_GROUP = f"""
mutation($id: ID!, $name: String) {{
  updateUserGroup(id: $id, name: $name) {{
    userGroup {{ {GROUP_FIELDS} }} userErrors {{ code field }}
  }}
}}
"""
DELETE_GROUP = """
mutation($id: ID!) { deleteUserGroup(id: $id) { deletedId userErrors { code field } } }
"""
ADD_MEMBERS = f"""
mutation($id: ID!, $users: [ID!]!) {{
  addUserGroupMembers(id: $id, userIds: $users) {{
    userGroup {{ {GROUP_FIELDS} }} userErrors {{ code field }}
  }}
}}
"""
REMOVE_MEMBER = f"""
mutation($id: ID!, $u: ID!) {{
  removeUserGroupMember(id: $id, userId: $u) {{
    userGroup {{ {GROUP_FIELDS} }} userErrors {{ code field }}
  }}
}}
"""
ASSIGN_USER = f"""
mutation($u: ID!, $c: [ID!]!, $r: UserRole!) {{
  assignCompaniesToUser(userId: $u, companyIds: $c, role: $r) {{
    user {{ {USER_FIELDS} }} userErrors {{ code field }}
  }}
}}
"""
ASSIGN_GROUP = f"""
mutation($id: ID!, $c: [ID!]!) {{
  assignCompaniesToGroup(id: $id, companyIds: $c) {{
    userGroup {{ {GROUP_FIELDS} }} userErrors {{ code field }}
  }}
}}
"""
CREATE_COMPANY = """
mutation($input: CreateCompanyInput!) {
  createCompany(input: $input) { company { id name kind } userErrors { code field } }
}
"""
START = """
mutation($a: ID!) { startDiscovery(accountId: $a) { run { id } userErrors { code } } }
"""


def token_of(gw: Gateway, subject: str, tenant: str | None = None) -> dict[str, str]:
    """The identity provider's token of a person; the gateway reads only who they are."""
    token = issue_token(gw.settings, subject=subject, tenant=tenant or "none", role="viewer")
    return {"Authorization": f"Bearer {token}"}


def acting_for(headers: dict[str, str], company: str) -> dict[str, str]:
    return {**headers, "X-Nephos-Tenant": company}


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def mutate(
    gw: Gateway, document: str, variables: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    body = await gw.query(document, variables, headers=headers)
    assert "errors" not in body, body
    (payload,) = body["data"].values()
    result: dict[str, Any] = payload
    return result


async def create_user(
    gw: Gateway, admin: dict[str, str], subject: str, role: str = "VIEWER"
) -> dict[str, Any]:
    variables = {"input": {"subject": subject, "email": f"{subject}@example.test", "name": subject,
                           "role": role}}  # fmt: skip
    payload = await mutate(gw, CREATE_USER, variables, admin)
    assert payload["userErrors"] == [], payload
    user: dict[str, Any] = payload["user"]
    return user


async def create_group(gw: Gateway, admin: dict[str, str], name: str, role: str) -> dict[str, Any]:
    payload = await mutate(gw, CREATE_GROUP, {"input": {"name": name, "role": role}}, admin)
    assert payload["userErrors"] == [], payload
    group: dict[str, Any] = payload["userGroup"]
    return group


async def test_me_names_the_user_their_companies_and_the_current_one(gateway: Gateway) -> None:
    body = await gateway.query(ME, headers=gateway.auth("acme", "operator"))
    assert body["data"]["me"] == {
        "user": {"subject": "operator@acme"},
        "companies": [{"id": "acme", "role": "OPERATOR"}],
        "currentCompany": {"id": "acme", "role": "OPERATOR"},
    }


async def test_a_role_comes_from_a_group(gateway: Gateway) -> None:
    admin = gateway.auth("acme", "admin")
    bob = await create_user(gateway, admin, "bob")
    bobs = token_of(gateway, "bob")
    refused = await gateway.query(START, {"a": str(uuid.uuid4())}, headers=bobs)
    assert codes(refused) == ["FORBIDDEN"]

    ops = await create_group(gateway, admin, "Operations", "OPERATOR")
    added = await mutate(gateway, ADD_MEMBERS, {"id": ops["id"], "users": [bob["id"]]}, admin)
    assert added["userGroup"]["members"] == [{"subject": "bob"}]

    me = await gateway.query(ME, headers=bobs)
    assert me["data"]["me"]["currentCompany"] == {"id": "acme", "role": "OPERATOR"}
    allowed = await gateway.query(START, {"a": str(uuid.uuid4())}, headers=bobs)
    # Past the gateway's role check; the asset service answers for the unknown account.
    assert allowed["data"]["startDiscovery"]["userErrors"] == [{"code": "ACCOUNT_NOT_FOUND"}]

    removed = await mutate(gateway, REMOVE_MEMBER, {"id": ops["id"], "u": bob["id"]}, admin)
    assert removed["userGroup"]["members"] == []
    again = await gateway.query(ME, headers=bobs)
    assert again["data"]["me"]["currentCompany"]["role"] == "VIEWER"


async def test_a_viewer_is_refused_admin_mutations_with_a_clear_error(gateway: Gateway) -> None:
    viewer = gateway.auth("acme", "viewer")
    attempts: list[tuple[str, dict[str, Any]]] = [
        (CREATE_USER, {"input": {"subject": "x", "email": "x@example.test", "name": "x"}}),
        (CREATE_GROUP, {"input": {"name": "Admins", "role": "ADMIN"}}),
        (SET_ROLE, {"u": str(uuid.uuid4()), "r": "ADMIN"}),
        (CREATE_COMPANY, {"input": {"id": "newco", "name": "New"}}),
    ]
    for document, variables in attempts:
        body = await gateway.query(document, variables, headers=viewer)
        assert body["data"] is None
        assert body["errors"][0]["message"] == "this action needs the admin role"
        assert codes(body) == ["FORBIDDEN"]
    listed = await gateway.query("{ users { subject } userGroups { name } }", headers=viewer)
    assert listed["data"] == {"users": [{"subject": "viewer@acme"}], "userGroups": []}


async def test_a_disabled_user_is_refused(gateway: Gateway) -> None:
    admin = gateway.auth("acme", "admin")
    carol = await create_user(gateway, admin, "carol", "ADMIN")
    carols = token_of(gateway, "carol")
    assert "errors" not in await gateway.query(ME, headers=carols)

    disabled = await mutate(gateway, DISABLE, {"u": carol["id"]}, admin)
    assert disabled == {"user": {"disabled": True}, "userErrors": []}
    body = await gateway.query("{ assetSummary { productsTotal } }", headers=carols)
    assert body["data"] is None, body
    assert body["errors"][0]["extensions"] == {"code": "FORBIDDEN", "reason": "user_disabled"}

    me = await gateway.query("{ me { user { id } } }", headers=admin)
    own_id = me["data"]["me"]["user"]["id"]
    refused = await mutate(gateway, DISABLE, {"u": own_id}, admin)
    assert refused == {"user": None, "userErrors": [{"code": "CANNOT_DISABLE_SELF",
                                                    "field": "userId"}]}  # fmt: skip


async def test_domain_failures_are_user_errors(gateway: Gateway) -> None:
    admin = gateway.auth("acme", "admin")
    await create_user(gateway, admin, "dave")
    await create_group(gateway, admin, "Ops", "OPERATOR")
    twice = await mutate(
        gateway,
        CREATE_USER,
        {"input": {"subject": "dave", "email": "d@example.test", "name": "Dave"}},
        admin,
    )
    taken = await mutate(gateway, CREATE_GROUP, {"input": {"name": "Ops", "role": "VIEWER"}}, admin)
    blank = await mutate(gateway, CREATE_GROUP, {"input": {"name": "  ", "role": "VIEWER"}}, admin)

    assert [(e["code"], e["field"]) for e in twice["userErrors"]] == [
        ("USER_EXISTS", "input.subject")
    ]
    assert taken["userErrors"] == [
        {"code": "GROUP_NAME_TAKEN", "message": "a user group named 'Ops' exists",
         "field": "input.name"}
    ]  # fmt: skip
    assert [(e["code"], e["field"]) for e in blank["userErrors"]] == [
        ("INVALID_INPUT", "input.name")
    ]
    unknown = await mutate(gateway, SET_ROLE, {"u": "not-an-id", "r": "ADMIN"}, admin)
    assert unknown["userErrors"] == [{"code": "USER_NOT_FOUND", "field": "userId"}]


async def test_a_user_may_belong_to_two_companies_and_pick_one(gateway: Gateway) -> None:
    acme, globex = gateway.auth("acme", "admin"), gateway.auth("globex", "admin")
    erin = await create_user(gateway, acme, "erin", "VIEWER")
    await create_user(gateway, globex, "erin", "OPERATOR")  # an invitation: same subject
    erins = token_of(gateway, "erin")

    default = await gateway.query(ME, headers=erins)
    chosen = await gateway.query(ME, headers=acting_for(erins, "globex"))
    assert default["data"]["me"]["currentCompany"] == {"id": "acme", "role": "VIEWER"}
    assert chosen["data"]["me"]["currentCompany"] == {"id": "globex", "role": "OPERATOR"}
    assert default["data"]["me"]["companies"] == [
        {"id": "acme", "role": "VIEWER"},
        {"id": "globex", "role": "OPERATOR"},
    ]
    foreign = await gateway.query(ME, headers=acting_for(erins, "initech"))
    assert codes(foreign) == ["FORBIDDEN"]

    # Or in the document: @company on the operation, which wins over the header.
    picked = await gateway.query(
        "query($c: ID!) @company(id: $c) { me { currentCompany { id role } } }",
        {"c": "globex"},
        headers=acting_for(erins, "acme"),
    )
    assert picked["data"]["me"]["currentCompany"] == {"id": "globex", "role": "OPERATOR"}
    literal = await gateway.query(
        'query @company(id: "initech") { me { currentCompany { id } } }', headers=erins
    )
    assert codes(literal) == ["FORBIDDEN"]

    # Globex takes its invitation back; acme, where erin was made, can only disable her.
    kept = await mutate(gateway, REMOVE_USER, {"u": erin["id"]}, acme)
    assert kept["userErrors"] == [{"code": "USER_OF_THIS_COMPANY", "field": "userId"}]
    removed = await mutate(gateway, REMOVE_USER, {"u": erin["id"]}, globex)
    assert removed == {"removedId": erin["id"], "userErrors": []}
    gone = await gateway.query(ME, headers=acting_for(erins, "globex"))
    assert codes(gone) == ["FORBIDDEN"]
    still = await gateway.query(ME, headers=erins)
    assert still["data"]["me"]["companies"] == [{"id": "acme", "role": "VIEWER"}]


async def _msp(gateway: Gateway) -> dict[str, str]:
    """An MSP and its admin, as the bootstrap command would make them."""
    async with gateway.app.state.database.transaction() as session:
        await directory.create_company(
            session, company_id="msp", name="Managed Ops", kind=CompanyKind.MSP
        )
    await enrol(gateway.app.state.database, "msp", "admin", subject="msp-admin")
    return token_of(gateway, "msp-admin")


async def test_msp_staff_act_for_assigned_companies_only(gateway: Gateway) -> None:
    msp_admin = await _msp(gateway)
    for slug in ("cust-a", "cust-b"):
        made = await mutate(
            gateway, CREATE_COMPANY, {"input": {"id": slug, "name": slug.upper()}}, msp_admin
        )
        assert made == {"company": {"id": slug, "name": slug.upper(), "kind": "CUSTOMER"},
                        "userErrors": []}  # fmt: skip
    frank = await create_user(gateway, msp_admin, "frank")
    assigned = await mutate(
        gateway, ASSIGN_USER, {"u": frank["id"], "c": ["cust-a"], "r": "OPERATOR"}, msp_admin
    )
    assert assigned["user"]["assignedCompanyIds"] == ["cust-a"]
    franks = token_of(gateway, "frank")

    me = await gateway.query(ME, headers=acting_for(franks, "cust-a"))
    assert me["data"]["me"]["currentCompany"] == {"id": "cust-a", "role": "OPERATOR"}
    companies = await gateway.query("{ companies { id role } }", headers=franks)
    assert companies["data"]["companies"] == [
        {"id": "cust-a", "role": "OPERATOR"},
        {"id": "msp", "role": "VIEWER"},
    ]
    refused = await gateway.query(ME, headers=acting_for(franks, "cust-b"))
    assert codes(refused) == ["FORBIDDEN"]

    # Through a group: its members act for the group's companies with the group's role.
    night = await create_group(gateway, msp_admin, "Night shift", "VIEWER")
    await mutate(gateway, ADD_MEMBERS, {"id": night["id"], "users": [frank["id"]]}, msp_admin)
    await mutate(gateway, ASSIGN_GROUP, {"id": night["id"], "c": ["cust-b"]}, msp_admin)
    via_group = await gateway.query(ME, headers=acting_for(franks, "cust-b"))
    assert via_group["data"]["me"]["currentCompany"] == {"id": "cust-b", "role": "VIEWER"}

    # A company the MSP does not manage cannot be handed out.
    gateway.auth("acme", "admin")
    await gateway.enrol_pending()
    stolen = await mutate(
        gateway, ASSIGN_USER, {"u": frank["id"], "c": ["acme"], "r": "ADMIN"}, msp_admin
    )
    assert stolen["userErrors"] == [{"code": "COMPANY_NOT_FOUND", "field": "companyIds"}]
    # A customer's admin is no MSP: no companies, no assignments.
    customer = await gateway.query(
        CREATE_COMPANY, {"input": {"id": "x", "name": "X"}}, headers=gateway.auth("acme", "admin")
    )
    assert codes(customer) == ["FORBIDDEN"]


async def test_services_get_an_internal_token_with_the_decided_company_and_role(
    gateway: Gateway,
) -> None:
    viewer = gateway.auth("acme", "viewer")
    body = await gateway.query("{ assetSummary { productsTotal } }", headers=viewer)
    assert body["data"] == {"assetSummary": {"productsTotal": 0}}

    sent = gateway.asset.requests[-1]
    token = sent.headers["Authorization"].removeprefix("Bearer ")
    assert token != viewer["Authorization"].partition(" ")[2]  # the user's token stays here
    claims = jwt.decode(
        token,
        gateway.settings.internal_secret,
        algorithms=["HS256"],
        audience=INTERNAL_ISSUER,
        issuer=INTERNAL_ISSUER,
    )
    assert (claims["sub"], claims["tenant"], claims["role"]) == ("viewer@acme", "acme", "viewer")
    assert claims["exp"] - claims["iat"] <= 300
    # The asset service trusts that role: a viewer's write is refused there too.
    asset_app = gateway.asset.inner
    write = {"name": "x", "provider": "aws", "credentials": {}, "regions": ["us-east-1"]}
    async with _client(asset_app) as asset:
        refused = await asset.post(
            "/accounts", json=write, headers={"Authorization": f"Bearer {token}"}
        )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"


def _client(transport: httpx.AsyncBaseTransport) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=transport, base_url="http://asset")


async def test_another_companys_users_and_groups_cannot_be_reached(gateway: Gateway) -> None:
    acme, globex = gateway.auth("acme", "admin"), gateway.auth("globex", "admin")
    gina = await create_user(gateway, acme, "gina")
    group = await create_group(gateway, acme, "Finance", "VIEWER")
    theirs = await create_group(gateway, globex, "Finance", "VIEWER")  # same name: other company

    guesses = [
        (SET_ROLE, {"u": gina["id"], "r": "ADMIN"}, "USER_NOT_FOUND"),
        (DISABLE, {"u": gina["id"]}, "USER_NOT_FOUND"),
        (REMOVE_USER, {"u": gina["id"]}, "USER_NOT_FOUND"),
        (UPDATE_GROUP, {"id": group["id"], "name": "Mine"}, "USER_GROUP_NOT_FOUND"),
        (DELETE_GROUP, {"id": group["id"]}, "USER_GROUP_NOT_FOUND"),
        (ADD_MEMBERS, {"id": group["id"], "users": []}, "USER_GROUP_NOT_FOUND"),
        (ADD_MEMBERS, {"id": theirs["id"], "users": [gina["id"]]}, "USER_NOT_FOUND"),
        (REMOVE_MEMBER, {"id": group["id"], "u": gina["id"]}, "USER_GROUP_NOT_FOUND"),
    ]
    for document, variables, code in guesses:
        payload = await mutate(gateway, document, variables, globex)
        assert [e["code"] for e in payload["userErrors"]] == [code], (document, payload)

    seen = await gateway.query("{ users { subject } userGroups { id name } }", headers=globex)
    assert seen["data"]["users"] == [{"subject": "admin@globex"}]
    assert seen["data"]["userGroups"] == [{"id": theirs["id"], "name": "Finance"}]
    mine = await gateway.query(
        f"{{ users {{ subject role disabled }} userGroups {{ {GROUP_FIELDS} }} }}", headers=acme
    )
    assert {"subject": "gina", "role": "VIEWER", "disabled": False} in mine["data"]["users"]
    assert mine["data"]["userGroups"] == [group]


async def test_the_first_admin_comes_from_the_command_line(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEPHOS_GATEWAY_DATABASE_URL", gateway.settings.database_url)
    first = ["directory", "bootstrap", "--company", "initech", "--subject", "root@initech"]
    again = ["directory", "bootstrap", "--company", "other", "--subject", "root@other"]
    add = ["directory", "add-user", "--company", "initech", "--subject", "ops@initech"]

    assert await asyncio.to_thread(gateway_cli, first) == 0
    assert await asyncio.to_thread(gateway_cli, again) == 1  # users exist: no second bootstrap
    assert await asyncio.to_thread(gateway_cli, [*add, "--role", "viewer"]) == 0
    assert await asyncio.to_thread(gateway_cli, [*add, "--role", "operator"]) == 0  # repeatable

    root = await gateway.query(ME, headers=token_of(gateway, "root@initech"))
    assert root["data"]["me"]["currentCompany"] == {"id": "initech", "role": "ADMIN"}
    ops = await gateway.query(ME, headers=token_of(gateway, "ops@initech"))
    assert ops["data"]["me"]["currentCompany"] == {"id": "initech", "role": "OPERATOR"}
    other = await gateway.query(ME, headers=token_of(gateway, "root@other"))
    assert codes(other) == ["UNAUTHENTICATED"]


async def test_a_caller_is_admitted_from_credentials_not_in_headers(gateway: Gateway) -> None:
    """How a websocket's ``connection_init`` credentials go through the same door."""
    authorization = gateway.auth("acme", "operator")["Authorization"]
    await gateway.enrol_pending()
    context = GatewayContext(gateway.settings, gateway.app.state.pools, None)
    context.request = Request({"type": "http", "app": gateway.app, "headers": []})

    await context.sign_in(authorization, "acme")
    assert (context.caller.tenant, context.caller.role) == ("acme", Role.OPERATOR)
    await context.sign_in(authorization, "globex")
    assert context.principal is None
    assert isinstance(context.auth_error, Forbidden)
    await context.sign_in("Bearer forged")
    assert isinstance(context.auth_error, Unauthenticated)
