"""Who opens a websocket, and whether they still may listen.

Browsers cannot set headers on a websocket, so graphql-transport-ws clients
send ``{"Authorization": "Bearer ..."}`` (and optionally the acting company
under ``X-Nephos-Tenant``) in ``connection_init``. The caller is admitted the
way an HTTP request is (token, then the directory); a connection without a
valid token is closed (4403) before it can subscribe to anything.

A subscription may live for hours, so the admission is checked again while
events flow: the token's expiry before every event, and the directory (a
removed user, a changed role) at most every ``RECHECK_SECONDS``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from starlette.datastructures import State
from strawberry.exceptions import ConnectionRejectionError

from nephos_common.auth import TENANT_HEADER, Principal, Role
from nephos_common.db import Database
from nephos_common.errors import NephosError, Unauthenticated
from nephos_gateway.directory.door import Door, bearer_of
from nephos_gateway.schema.context import GatewayContext

RECHECK_SECONDS = 30.0


def _param(params: dict[str, Any], name: str) -> str | None:
    """A connection parameter by name, whatever its case (clients differ)."""
    for key, value in params.items():
        if key.lower() == name.lower() and isinstance(value, str):
            return value
    return None


def app_state(context: GatewayContext) -> State:
    """The app's state, through the websocket (or request) the context was made for."""
    connection = context.request
    if connection is None:
        raise Unauthenticated("no connection to authenticate")
    state: State = connection.app.state
    return state


async def _admit(context: GatewayContext, token: str, company: str | None) -> Principal:
    state = app_state(context)
    door: Door = state.door
    database: Database = state.database
    access = await door.admit(database, token, company)
    principal = access.principal(token)
    principal.require(Role.VIEWER)
    context.access = access
    return principal


async def authenticate_connection(context: GatewayContext) -> None:
    """Set the context's caller from ``connection_init``, or refuse the connection."""
    params = context.connection_params if isinstance(context.connection_params, dict) else {}
    try:
        token = bearer_of(_param(params, "Authorization"))
        context.principal = await _admit(context, token, _param(params, TENANT_HEADER))
    except NephosError as exc:
        raise ConnectionRejectionError({"code": "UNAUTHENTICATED", "reason": exc.code}) from None
    context.auth_error = None


def _expiry(token: str) -> float:
    """The token's ``exp``; its signature was verified at admission."""
    claims = jwt.decode(token, options={"verify_signature": False})
    return float(claims.get("exp", 0))


@dataclass
class Listener:
    """The admitted caller of one subscription, checked again as events arrive."""

    context: GatewayContext
    principal: Principal
    expires_at: float = 0.0
    checked_at: float = field(default_factory=time.monotonic)

    @classmethod
    def of(cls, context: GatewayContext) -> Listener:
        principal = context.caller
        principal.require(Role.VIEWER)
        return cls(context, principal, expires_at=_expiry(principal.token))

    async def check(self) -> None:
        """Raises when the caller may no longer listen; the stream then ends with the error."""
        if time.time() >= self.expires_at:
            raise Unauthenticated("token has expired", code="token_expired")
        if time.monotonic() - self.checked_at >= RECHECK_SECONDS:
            again = await _admit(self.context, self.principal.token, self.principal.tenant)
            if again.tenant != self.principal.tenant:
                raise Unauthenticated("no longer a member of this company", code="forbidden")
            self.checked_at = time.monotonic()
