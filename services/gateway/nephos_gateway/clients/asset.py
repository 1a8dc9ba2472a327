"""Typed client of the asset service's REST API (accounts, discovery, inventory)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from nephos_gateway.clients import asset_models as m
from nephos_gateway.clients.base import ServiceClient
from nephos_gateway.clients.errors import NotFound

MAX_BATCH = 500  # the service refuses larger /assets/batch reads


def checked_id(value: str, kind: str) -> str:
    """The id in canonical form; anything that is not a UUID cannot name a row, so: not found.

    Checking here also keeps caller text out of URL paths.
    """
    canonical = canonical_id(value)
    if canonical is None:
        raise NotFound(f"{kind} {value!r} not found", service="asset", code=f"{kind}_not_found")
    return canonical


def canonical_id(value: str) -> str | None:
    """The UUID's canonical text, or None for text that cannot be an id."""
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        return None


@dataclass(frozen=True)
class AssetQuery:
    """The inventory filter, in the service's query-parameter terms."""

    provider: str | None = None
    account_id: str | None = None
    region: str | None = None
    category: str | None = None
    state: str | None = None
    native_type: str | None = None
    tags: Sequence[str] = field(default_factory=tuple)
    q: str | None = None

    def params(self) -> list[tuple[str, Any]]:
        scalars = {
            "provider": self.provider,
            "account_id": self.account_id,
            "region": self.region,
            "category": self.category,
            "state": self.state,
            "native_type": self.native_type,
            "q": self.q,
        }
        out: list[tuple[str, Any]] = [(k, v) for k, v in scalars.items() if v is not None]
        out.extend(("tag", tag) for tag in self.tags)
        return out


class AssetClient(ServiceClient):
    service = "asset"

    async def list_accounts(self) -> list[m.Account]:
        return (await self._call(m.AccountList, "GET", "/accounts")).items

    async def register_account(self, body: dict[str, Any]) -> m.Account:
        return await self._call(m.Account, "POST", "/accounts", json=body)

    async def update_account(self, account_id: str, body: dict[str, Any]) -> m.Account:
        path = f"/accounts/{checked_id(account_id, 'account')}"
        return await self._call(m.Account, "PATCH", path, json=body)

    async def remove_account(self, account_id: str) -> None:
        await self._send("DELETE", f"/accounts/{checked_id(account_id, 'account')}")

    async def test_account(self, account_id: str) -> m.ConnectionTest:
        path = f"/accounts/{checked_id(account_id, 'account')}/test"
        return await self._call(m.ConnectionTest, "POST", path)

    async def start_discovery(self, account_id: str) -> m.Run:
        path = f"/accounts/{checked_id(account_id, 'account')}/discoveries"
        return await self._call(m.Run, "POST", path)

    async def get_run(self, run_id: str) -> m.Run:
        return await self._call(m.Run, "GET", f"/discoveries/{checked_id(run_id, 'run')}")

    async def list_runs(self, account_id: str | None, limit: int) -> list[m.Run]:
        params: dict[str, Any] = {"limit": limit}
        if account_id is not None:
            params["account_id"] = checked_id(account_id, "account")
        return (await self._call(m.RunList, "GET", "/discoveries", params=params)).items

    async def list_assets(self, query: AssetQuery, first: int, after: str | None) -> m.AssetPage:
        params = [*query.params(), ("first", first)]
        if after is not None:
            params.append(("after", after))
        return await self._call(m.AssetPage, "GET", "/assets", params=params)

    async def assets_by_ids(self, ids: Sequence[str]) -> list[m.Asset]:
        """Assets of the caller's company by id; unknown and foreign ids are simply absent."""
        wanted = sorted({c for c in map(canonical_id, ids) if c is not None})
        found: list[m.Asset] = []
        for start in range(0, len(wanted), MAX_BATCH):
            chunk = ",".join(wanted[start : start + MAX_BATCH])
            found.extend(
                (
                    await self._call(m.AssetBatch, "GET", "/assets/batch", params={"ids": chunk})
                ).items
            )
        return found

    async def summary(self, provider: str | None, account_id: str | None) -> m.Summary:
        params: dict[str, Any] = {}
        if provider is not None:
            params["provider"] = provider
        if account_id is not None:
            params["account_id"] = checked_id(account_id, "account")
        return await self._call(m.Summary, "GET", "/summary", params=params)
