"""Typed client of the asset service's REST API.

Accounts, discovery, inventory, history, relations and service groups: one
method per endpoint, ids checked before they reach a URL path.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
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
    group_id: str | None = None

    def params(self) -> list[tuple[str, Any]]:
        scalars = {
            "provider": self.provider,
            "account_id": self.account_id,
            "region": self.region,
            "category": self.category,
            "state": self.state,
            "native_type": self.native_type,
            "q": self.q,
            "group_id": checked_id(self.group_id, "group") if self.group_id else None,
        }
        out: list[tuple[str, Any]] = [(k, v) for k, v in scalars.items() if v is not None]
        out.extend(("tag", tag) for tag in self.tags)
        return out


def _instant(value: datetime) -> str:
    """ISO 8601 with an offset; a time without one is read as UTC, never as server-local."""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


@dataclass(frozen=True)
class ChangeQuery:
    """The change-feed filter, in the service's query-parameter terms."""

    since: datetime | None = None
    until: datetime | None = None
    account_id: str | None = None
    provider: str | None = None
    category: str | None = None
    native_type: str | None = None
    changes: Sequence[str] = field(default_factory=tuple)

    def params(self) -> list[tuple[str, Any]]:
        scalars = {
            "since": _instant(self.since) if self.since else None,
            "until": _instant(self.until) if self.until else None,
            "account_id": self.account_id,
            "provider": self.provider,
            "category": self.category,
            "native_type": self.native_type,
        }
        out: list[tuple[str, Any]] = [(k, v) for k, v in scalars.items() if v is not None]
        out.extend(("change", change) for change in self.changes)
        return out


def _paged(params: list[tuple[str, Any]], first: int, after: str | None) -> list[tuple[str, Any]]:
    return [*params, ("first", first), *([("after", after)] if after is not None else [])]


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
        params = _paged(query.params(), first, after)
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

    async def asset_history(self, asset_id: str, first: int, after: str | None) -> m.VersionPage:
        path = f"/assets/{checked_id(asset_id, 'asset')}/history"
        return await self._call(m.VersionPage, "GET", path, params=_paged([], first, after))

    async def changes(self, query: ChangeQuery, first: int, after: str | None) -> m.ChangePage:
        params = _paged(query.params(), first, after)
        return await self._call(m.ChangePage, "GET", "/changes", params=params)

    async def related(
        self, asset_id: str, direction: str, kind: str | None, category: str | None
    ) -> list[m.Related]:
        given = {"direction": direction, "kind": kind, "category": category}
        params = {k: v for k, v in given.items() if v is not None}
        path = f"/assets/{checked_id(asset_id, 'asset')}/related"
        return (await self._call(m.RelatedList, "GET", path, params=params)).items

    async def summary(self, provider: str | None, account_id: str | None) -> m.Summary:
        params: dict[str, Any] = {}
        if provider is not None:
            params["provider"] = provider
        if account_id is not None:
            params["account_id"] = checked_id(account_id, "account")
        return await self._aggregate(m.Summary, "/summary", params)

    async def list_groups(self) -> list[m.ServiceGroup]:
        return (await self._call(m.ServiceGroupList, "GET", "/service-groups")).items

    async def get_group(self, group_id: str) -> m.ServiceGroup:
        path = f"/service-groups/{checked_id(group_id, 'group')}"
        return await self._call(m.ServiceGroup, "GET", path)

    async def create_group(self, body: dict[str, Any]) -> m.ServiceGroup:
        return await self._call(m.ServiceGroup, "POST", "/service-groups", json=body)

    async def update_group(self, group_id: str, body: dict[str, Any]) -> m.ServiceGroup:
        path = f"/service-groups/{checked_id(group_id, 'group')}"
        return await self._call(m.ServiceGroup, "PATCH", path, json=body)

    async def delete_group(self, group_id: str) -> None:
        await self._send("DELETE", f"/service-groups/{checked_id(group_id, 'group')}")

    async def add_group_members(self, group_id: str, asset_ids: Sequence[str]) -> m.ServiceGroup:
        path = f"/service-groups/{checked_id(group_id, 'group')}/members"
        body = {"asset_ids": [checked_id(a, "asset") for a in asset_ids]}
        return await self._call(m.ServiceGroup, "POST", path, json=body)

    async def remove_group_member(self, group_id: str, asset_id: str) -> m.ServiceGroup:
        group, asset = checked_id(group_id, "group"), checked_id(asset_id, "asset")
        path = f"/service-groups/{group}/members/{asset}"
        return await self._call(m.ServiceGroup, "DELETE", path)

    async def group_summary(self, group_id: str) -> m.Summary:
        path = f"/service-groups/{checked_id(group_id, 'group')}/summary"
        return await self._call(m.Summary, "GET", path)

    async def memberships(self, asset_ids: Sequence[str]) -> dict[str, list[str]]:
        """Group ids of each asset, in batches the service accepts; unknown ids map to nothing."""
        wanted = sorted({c for c in map(canonical_id, asset_ids) if c is not None})
        found: dict[str, list[str]] = {}
        for start in range(0, len(wanted), MAX_BATCH):
            chunk = ",".join(wanted[start : start + MAX_BATCH])
            answer = await self._call(
                m.Memberships, "GET", "/service-groups/memberships", params={"asset_ids": chunk}
            )
            found.update(answer.memberships)
        return found
