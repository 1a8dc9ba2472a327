"""The HTTP face of the stand-in: Entra ID's token endpoint and ARM's list calls,
plus Blob Storage's List Blobs and Get Blob for the storage accounts seeded in
``blob_store`` (served path-style: ``/{account}/{container}/...``, see ``blob_api``).

Only what the Azure collector uses is served, in ARM's own shapes: list
answers are ``{"value": [...], "nextLink": ...}`` where ``nextLink`` is an
absolute URL that repeats every query parameter (``api-version`` included:
the SDKs send it back as is) plus a ``$skiptoken``. Errors are ARM's
``{"error": {"code", "message"}}``; token errors are Entra ID's
``{"error", "error_description"}``.

Two ARM behaviours the collector depends on are reproduced on purpose:
``virtualMachines?statusOnly=true`` answers run-time status only (no tags,
no profiles) while the plain listing carries no instance view, and scale-set
VMs carry their instance view only with ``$expand=instanceView``.
"""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import parse_qs, urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from nephos_devstack.arm_server import blob_api, monitor
from nephos_devstack.arm_server.store import TOKEN_LIFETIME_SECONDS, ArmServer, Item

VM_KIND = "microsoft.compute/virtualmachines"
SCALE_SET_VM_KIND = "microsoft.compute/virtualmachinescalesets/virtualmachines"
SKIP = "$skiptoken"


def arm_error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    return JSONResponse({"error": {"code": code, "message": message}}, status, headers=headers)


def _entra_error(status: int, error: str, description: str) -> Response:
    body = {
        "error": error,
        "error_description": description,
        "error_codes": [int(description[6 : description.index(":")])],
        "timestamp": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime()),
        "trace_id": str(uuid.uuid4()),
        "correlation_id": str(uuid.uuid4()),
    }
    return JSONResponse(body, status)


async def _token(request: Request, arm: ArmServer, tenant: str) -> Response:
    """Client-credentials grant, checked against the registered principals."""
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
    if tenant.lower() != arm.config.tenant_id.lower():
        return _entra_error(400, "invalid_request", f"AADSTS90002: Tenant '{tenant}' not found.")
    client_id = form.get("client_id", "")
    if form.get("grant_type") != "client_credentials":
        return _entra_error(400, "unsupported_grant_type", "AADSTS70003: Grant type not supported.")
    if not arm.knows_principal(client_id):
        return _entra_error(
            400,
            "unauthorized_client",
            f"AADSTS700016: Application with identifier '{client_id}' was not found in the "
            "directory.",
        )
    token = arm.issue_token(client_id, form.get("client_secret", ""))
    if token is None:
        return _entra_error(
            401,
            "invalid_client",
            f"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the "
            f"request is the client secret value, not the client secret ID, for a secret added "
            f"to app '{client_id}'.",
        )
    body = {
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME_SECONDS,
        "ext_expires_in": TOKEN_LIFETIME_SECONDS,
        "access_token": token,
    }
    return JSONResponse(body)


def _authenticate(request: Request, arm: ArmServer) -> Response | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return arm_error(
            401,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
        )
    if not arm.token_valid(token):
        return arm_error(401, "InvalidAuthenticationToken", "The access token is invalid.")
    return None


def _view(kind: str, item: Item, query: dict[str, str]) -> Item:
    """The item as ARM shows it for this query (see the module docstring)."""
    props = item.get("properties", {})
    if kind == VM_KIND and query.get("statusonly", "").lower() == "true":
        status = {"instanceView": props.get("instanceView", {})}
        return {k: item[k] for k in ("id", "name", "type", "location")} | {"properties": status}
    keep_view = kind == SCALE_SET_VM_KIND and query.get("$expand", "").lower() == "instanceview"
    if "instanceView" in props and not keep_view:
        return {**item, "properties": {k: v for k, v in props.items() if k != "instanceView"}}
    return item


def _page(request: Request, arm: ArmServer, kind: str, items: list[Item]) -> Response:
    """One page of ``items`` and, if more remain, an absolute ``nextLink``."""
    query = dict(request.query_params)
    lowered = {k.lower(): v for k, v in query.items()}
    start = int(query.pop(SKIP, "0") or 0)
    end = start + arm.config.page_size
    body: dict[str, Any] = {"value": [_view(kind, i, lowered) for i in items[start:end]]}
    if end < len(items):
        base = f"{request.url.scheme}://{request.url.netloc}{request.url.path}"
        body["nextLink"] = f"{base}?{urlencode({**query, SKIP: str(end)})}"
    return JSONResponse(body)


def _subscription(arm: ArmServer) -> Item:
    sub = arm.config.subscription_id
    return {
        "id": f"/subscriptions/{sub}",
        "subscriptionId": sub,
        "tenantId": arm.config.tenant_id,
        "displayName": arm.config.display_name,
        "state": "Enabled",
        "authorizationSource": "RoleBased",
        "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01", "quotaId": "PAYG"},
    }


def _locations(arm: ArmServer) -> Item:
    sub = arm.config.subscription_id
    return {
        "value": [
            {
                "id": f"/subscriptions/{sub}/locations/{name}",
                "name": name,
                "type": "Region",
                "displayName": name,
                "metadata": {"regionType": "Physical"},
            }
            for name in arm.config.locations
        ]
    }


def _gate(arm: ArmServer, namespace: str, kind: str, path: str) -> Response | None:
    """Injected faults: a denied provider, then throttling of the operation."""
    if namespace in arm.faults.denied_providers:
        segments = path.split("/providers/", 1)[1].split("/")
        action = "/".join([segments[0], *segments[1::2], "read"])
        return arm_error(
            403,
            "AuthorizationFailed",
            (
                f"The client '{arm.config.client_id}' with object id '{arm.config.client_id}' does "
                f"not have authorization to perform action '{action}' over scope "
                f"'/subscriptions/{arm.config.subscription_id}' or the scope is invalid. If access "
                "was recently granted, please refresh your credentials."
            ),
        )
    if arm.take_throttle(kind):
        retry_after = f"{arm.faults.retry_after:g}"
        return arm_error(
            429,
            "TooManyRequests",
            "The request is being throttled.",
            headers={"Retry-After": retry_after},
        )
    return None


async def _arm(request: Request, arm: ArmServer, parts: list[str]) -> Response:
    """Route one ARM GET by its (case-insensitive) path segments."""
    if "api-version" not in request.query_params:
        return arm_error(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
    if denied := _authenticate(request, arm):
        return denied
    lowered = [p.lower() for p in parts]
    if lowered[1] != arm.config.subscription_id.lower():
        return arm_error(
            404, "SubscriptionNotFound", f"The subscription '{parts[1]}' could not be found."
        )
    if len(parts) == 2:
        return JSONResponse(_subscription(arm))
    if lowered[2:] == ["locations"]:
        return JSONResponse(_locations(arm))
    if len(parts) == 5 and lowered[2] == "providers":
        kind, parent = f"{lowered[3]}/{lowered[4]}", None
    elif len(parts) == 9 and lowered[2] == "resourcegroups" and lowered[4] == "providers":
        kind, parent = f"{lowered[5]}/{lowered[6]}/{lowered[8]}", "/" + "/".join(lowered[:8])
    else:
        return arm_error(404, "NotFound", f"No route for '{request.url.path}'.")
    arm.calls[kind] += 1
    if fault := _gate(arm, kind.split("/", 1)[0], kind, request.url.path):
        return fault
    items = arm.children(parent, kind) if parent else arm.collection(kind)
    return _page(request, arm, kind, items)


def build_app(arm: ArmServer) -> Starlette:
    """A Starlette app serving ``arm``; one catch-all route keeps matching case-insensitive."""

    async def dispatch(request: Request) -> Response:
        parts = [p for p in request.url.path.split("/") if p]
        if request.method == "POST" and [p.lower() for p in parts[1:]] == [
            "oauth2",
            "v2.0",
            "token",
        ]:
            return await _token(request, arm, parts[0])
        if blob_api.is_blob_path(arm, request.method, parts):
            return await blob_api.answer(request, arm, parts)
        if request.method == "GET" and monitor.is_metrics_path(parts):
            return await monitor.metrics(request, arm, parts)
        if request.method == "GET" and parts and parts[0].lower() == "subscriptions":
            return await _arm(request, arm, parts)
        from nephos_devstack.arm_server import cost_management  # imports this module

        if (
            parts
            and parts[0].lower() == "subscriptions"
            and cost_management.is_query(request.method, parts)
        ):
            return await cost_management.answer_query(request, arm, parts)
        return arm_error(404, "NotFound", f"No route for {request.method} '{request.url.path}'.")

    return Starlette(routes=[Route("/{path:path}", dispatch, methods=["GET", "POST"])])
