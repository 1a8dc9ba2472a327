"""Per-request GraphQL context: the verified caller, its service clients, its DataLoaders.

The token is verified here, once per request, but a failure is only
recorded: the ``Authentication`` extension turns it into a GraphQL error, so
a bad token gets a GraphQL answer (``extensions.code``) rather than a bare
HTTP 401 that GraphQL clients handle poorly.

DataLoaders are made per request on purpose: their cache must never serve
one caller's (one company's) rows to another.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import HTTPConnection
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from nephos_common.auth import TENANT_HEADER, Principal, TokenVerifier
from nephos_common.errors import NephosError, Unauthenticated
from nephos_gateway.clients import ServicePools
from nephos_gateway.clients import asset_models as m
from nephos_gateway.clients.asset import AssetClient, canonical_id
from nephos_gateway.clients.base import Caller
from nephos_gateway.settings import Settings


@dataclass(frozen=True)
class Loaders:
    """Batching caches of one request: every ``load`` in one tick becomes one REST call."""

    assets: DataLoader[str, m.Asset | None]
    accounts: DataLoader[str, m.Account | None]
    memberships: DataLoader[str, list[str]]
    """Asset id -> ids of the service groups it is in."""
    groups: DataLoader[str, m.ServiceGroup | None]


def build_loaders(client: AssetClient) -> Loaders:
    async def load_assets(ids: list[str]) -> list[m.Asset | None]:
        found = {a.id: a for a in await client.assets_by_ids(ids)}
        return [found.get(canonical_id(i) or "") for i in ids]

    async def load_accounts(ids: list[str]) -> list[m.Account | None]:
        # No batch read of accounts exists; a company has few, so one list call serves all.
        found = {a.id: a for a in await client.list_accounts()}
        return [found.get(canonical_id(i) or "") for i in ids]

    async def load_memberships(ids: list[str]) -> list[list[str]]:
        found = await client.memberships(ids)
        return [found.get(canonical_id(i) or "", []) for i in ids]

    async def load_groups(ids: list[str]) -> list[m.ServiceGroup | None]:
        # Like accounts: a company has few groups, and one list call answers any number of ids.
        found = {g.id: g for g in await client.list_groups()}
        return [found.get(canonical_id(i) or "") for i in ids]

    return Loaders(
        assets=DataLoader(load_fn=load_assets),
        accounts=DataLoader(load_fn=load_accounts),
        memberships=DataLoader(load_fn=load_memberships),
        groups=DataLoader(load_fn=load_groups),
    )


class GatewayContext(BaseContext):
    """What every resolver may use; the clients and loaders refuse an unauthenticated request.

    Clients and loaders are made on first use: a document refused by
    validation never needs them.
    """

    def __init__(
        self,
        settings: Settings,
        pools: ServicePools,
        principal: Principal | None,
        auth_error: NephosError | None = None,
        traceparent: str | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.principal = principal
        self.auth_error = auth_error
        self._pools = pools
        self._traceparent = traceparent
        self._asset: AssetClient | None = None
        self._loaders: Loaders | None = None

    @property
    def caller(self) -> Principal:
        if self.principal is None:
            raise self.auth_error or Unauthenticated("a bearer token is required")
        return self.principal

    @property
    def asset(self) -> AssetClient:
        if self._asset is None:
            principal = self.caller
            caller = Caller(principal.token, principal.tenant, traceparent=self._traceparent)
            self._asset = AssetClient(self._pools["asset"], caller)
        return self._asset

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            self._loaders = build_loaders(self.asset)
        return self._loaders


def _verify(connection: HTTPConnection) -> tuple[Principal | None, NephosError | None]:
    verifier: TokenVerifier = connection.app.state.token_verifier
    scheme, _, token = connection.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None, Unauthenticated("a bearer token is required")
    try:
        principal = verifier.principal(token.strip(), connection.headers.get(TENANT_HEADER))
    except NephosError as exc:
        return None, exc
    return principal, None


def get_context(connection: HTTPConnection) -> GatewayContext:
    """FastAPI dependency building the context of one GraphQL request.

    Synchronous on purpose: FastAPI runs it in a worker thread, so fetching an
    OIDC issuer's keys (PyJWKClient blocks) never stalls the event loop.
    """
    principal, error = _verify(connection)
    return GatewayContext(
        settings=connection.app.state.settings,
        pools=connection.app.state.pools,
        principal=principal,
        auth_error=error,
        traceparent=connection.headers.get("traceparent"),
    )
