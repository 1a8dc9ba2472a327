"""Per-request GraphQL context: the verified caller, its service clients, its DataLoaders.

The token is verified here, once per request, but a failure is only
recorded: the ``Authentication`` extension turns it into a GraphQL error, so
a bad token gets a GraphQL answer (``extensions.code``) rather than a bare
HTTP 401 that GraphQL clients handle poorly.

DataLoaders are made per request on purpose: their cache must never serve
one caller's (one company's) rows to another.

Monitoring has no read of targets or alerts by asset ids, so its loaders
answer from ``GET /targets`` and ``GET /alerts``, each called at most once per
GraphQL request (``Once``) and indexed by asset id: ``assets { status alerts }``
costs two monitoring calls whatever the page size. ``GET /alerts`` answers
the newest 1,000 alerts of the company; older ones do not show on assets.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from starlette.requests import HTTPConnection
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from nephos_common.auth import TENANT_HEADER, Principal, TokenVerifier
from nephos_common.errors import NephosError, Unauthenticated
from nephos_gateway.clients import ServicePools
from nephos_gateway.clients import asset_models as m
from nephos_gateway.clients import monitoring_models as mon
from nephos_gateway.clients.asset import AssetClient, canonical_id
from nephos_gateway.clients.base import Caller
from nephos_gateway.clients.metering import MeteringClient
from nephos_gateway.clients.monitoring import MonitoringClient
from nephos_gateway.settings import Settings

T = TypeVar("T")


class Once(Generic[T]):
    """One call of ``fetch`` per request, shared by every awaiter (a failure is shared too)."""

    def __init__(self, fetch: Callable[[], Awaitable[T]]) -> None:
        self._fetch = fetch
        self._task: asyncio.Future[T] | None = None

    async def get(self) -> T:
        if self._task is None:
            self._task = asyncio.ensure_future(self._fetch())
        return await asyncio.shield(self._task)


@dataclass(frozen=True)
class Loaders:
    """Batching caches of one request: every ``load`` in one tick becomes one REST call."""

    assets: DataLoader[str, m.Asset | None]
    accounts: DataLoader[str, m.Account | None]
    memberships: DataLoader[str, list[str]]
    """Asset id -> ids of the service groups it is in."""
    groups: DataLoader[str, m.ServiceGroup | None]


@dataclass(frozen=True)
class MonitoringLoaders:
    """Monitoring reads of one request, each made once and indexed by asset id."""

    targets: Once[list[mon.Target]]
    alerts: Once[list[mon.Alert]]
    rules: Once[list[mon.Rule]]
    target_of: DataLoader[str, mon.Target | None]
    """Asset id -> its monitoring target, or None when monitoring does not watch it."""
    alerts_of: DataLoader[str, list[mon.Alert]]
    """Asset id -> its alerts, newest first."""
    rule: DataLoader[str, mon.Rule | None]


def build_monitoring_loaders(client: MonitoringClient) -> MonitoringLoaders:
    targets = Once(client.targets)
    alerts = Once(client.alerts)
    rules = Once(client.rules)

    async def load_targets(ids: list[str]) -> list[mon.Target | None]:
        found = {t.asset_id: t for t in await targets.get()}
        return [found.get(canonical_id(i) or "") for i in ids]

    async def load_alerts(ids: list[str]) -> list[list[mon.Alert]]:
        by_asset: defaultdict[str, list[mon.Alert]] = defaultdict(list)
        for alert in await alerts.get():
            by_asset[alert.asset_id].append(alert)
        return [by_asset.get(canonical_id(i) or "", []) for i in ids]

    async def load_rules(ids: list[str]) -> list[mon.Rule | None]:
        found = {r.id: r for r in await rules.get()}
        return [found.get(canonical_id(i) or "") for i in ids]

    return MonitoringLoaders(
        targets=targets,
        alerts=alerts,
        rules=rules,
        target_of=DataLoader(load_fn=load_targets),
        alerts_of=DataLoader(load_fn=load_alerts),
        rule=DataLoader(load_fn=load_rules),
    )


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
        self._metering: MeteringClient | None = None
        self._monitoring: MonitoringClient | None = None
        self._loaders: Loaders | None = None
        self._monitoring_loaders: MonitoringLoaders | None = None

    @property
    def caller(self) -> Principal:
        if self.principal is None:
            raise self.auth_error or Unauthenticated("a bearer token is required")
        return self.principal

    def _downstream_caller(self) -> Caller:
        principal = self.caller
        return Caller(principal.token, principal.tenant, traceparent=self._traceparent)

    @property
    def asset(self) -> AssetClient:
        if self._asset is None:
            self._asset = AssetClient(self._pools["asset"], self._downstream_caller())
        return self._asset

    @property
    def metering(self) -> MeteringClient:
        if self._metering is None:
            self._metering = MeteringClient(self._pools["metering"], self._downstream_caller())
        return self._metering

    @property
    def monitoring(self) -> MonitoringClient:
        if self._monitoring is None:
            client = MonitoringClient(self._pools["monitoring"], self._downstream_caller())
            self._monitoring = client
        return self._monitoring

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            self._loaders = build_loaders(self.asset)
        return self._loaders

    @property
    def monitoring_loaders(self) -> MonitoringLoaders:
        if self._monitoring_loaders is None:
            self._monitoring_loaders = build_monitoring_loaders(self.monitoring)
        return self._monitoring_loaders


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
