"""Per-request DataLoaders of metering's per-item reads.

``Asset.cost``, ``ServiceGroup.cost``, ``Budget.status`` and ``CostSet.costs``
on a page of any size cost one metering call per distinct set of arguments
asked (one, in practice), through the service's batch reads. Made per request
like every loader: their cache must never serve one company's costs to another.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol, TypeVar

from strawberry.dataloader import DataLoader

from nephos_gateway.clients import metering_models as m
from nephos_gateway.clients.asset import canonical_id
from nephos_gateway.clients.metering import MeteringClient

CostKey = tuple[str, date | None, date | None]
"""(asset or group id, first day, last day); unset days are the service's defaults."""
StatusKey = tuple[str, date | None]
"""(budget id, as of); unset is the service's default (the latest costs held)."""
CostSetKey = tuple[str, date | None, date | None, date | None, str | None]
"""(cost set id, from, to, as of, grouping), as ``CostSet.costs`` takes them."""


class _Found(Protocol):
    @property
    def found(self) -> bool: ...


F = TypeVar("F", bound=_Found)
BatchRead = Callable[..., Awaitable[Mapping[str, F]]]
"""``read(ids, *arguments)``: the items found, by canonical id."""


@dataclass(frozen=True)
class MeteringLoaders:
    asset_costs: DataLoader[CostKey, m.AssetCost | None]
    """Asset id and period -> its cost, or None when metering does not know the asset."""
    group_costs: DataLoader[CostKey, m.GroupCost | None]
    """Group id and period -> its cost, or None when metering does not know the group."""
    budget_statuses: DataLoader[StatusKey, m.BudgetStatusItem | None]
    """Budget id and day -> its status, or None when the company has no such budget."""
    cost_set_costs: DataLoader[CostSetKey, m.CostSetCostsItem | None]
    """Cost set id and question -> its costs, or None when it is not the user's set."""


async def _batched(keys: Sequence[tuple[Any, ...]], read: BatchRead[F]) -> list[F | None]:
    """One batch read per distinct arguments among the keys (``key[1:]``), read together."""
    asked_for: defaultdict[tuple[Any, ...], list[str]] = defaultdict(list)
    for key in keys:
        asked_for[key[1:]].append(key[0])
    asked = list(asked_for.items())
    answers = await asyncio.gather(*(read(ids, *arguments) for arguments, ids in asked))
    found = {arguments: answer for (arguments, _), answer in zip(asked, answers, strict=True)}

    def item(key: tuple[Any, ...]) -> F | None:
        hit = found[key[1:]].get(canonical_id(key[0]) or "")
        return hit if hit is not None and hit.found else None

    return [item(key) for key in keys]


def build_metering_loaders(client: MeteringClient) -> MeteringLoaders:
    async def load_asset_costs(keys: list[CostKey]) -> list[m.AssetCost | None]:
        return await _batched(keys, client.asset_costs)

    async def load_group_costs(keys: list[CostKey]) -> list[m.GroupCost | None]:
        return await _batched(keys, client.group_costs)

    async def load_statuses(keys: list[StatusKey]) -> list[m.BudgetStatusItem | None]:
        return await _batched(keys, client.budget_statuses)

    async def load_cost_sets(keys: list[CostSetKey]) -> list[m.CostSetCostsItem | None]:
        return await _batched(keys, client.cost_sets_costs)

    return MeteringLoaders(
        asset_costs=DataLoader(load_fn=load_asset_costs),
        group_costs=DataLoader(load_fn=load_group_costs),
        budget_statuses=DataLoader(load_fn=load_statuses),
        cost_set_costs=DataLoader(load_fn=load_cost_sets),
    )
