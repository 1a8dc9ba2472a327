"""Per-request DataLoaders of cost per asset and per service group.

``Asset.cost`` and ``ServiceGroup.cost`` on a page of any size cost one
metering call per period asked (one, in practice), through the service's
batch reads ``/asset-costs`` and ``/service-group-costs``. Made per request
like every loader: their cache must never serve one company's costs to another.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol, TypeVar

from strawberry.dataloader import DataLoader

from nephos_gateway.clients import metering_models as m
from nephos_gateway.clients.asset import canonical_id
from nephos_gateway.clients.metering import MeteringClient

CostKey = tuple[str, date | None, date | None]
"""(asset or group id, first day, last day); unset days are the service's defaults."""


class _Found(Protocol):
    @property
    def found(self) -> bool: ...


F = TypeVar("F", bound=_Found)
BatchRead = Callable[[Sequence[str], date | None, date | None], Awaitable[Mapping[str, F]]]


@dataclass(frozen=True)
class MeteringLoaders:
    asset_costs: DataLoader[CostKey, m.AssetCost | None]
    """Asset id and period -> its cost, or None when metering does not know the asset."""
    group_costs: DataLoader[CostKey, m.GroupCost | None]
    """Group id and period -> its cost, or None when metering does not know the group."""


async def _by_period(keys: Sequence[CostKey], read: BatchRead[F]) -> list[F | None]:
    """One batch read per distinct period among the keys, the periods read together."""
    periods: defaultdict[tuple[date | None, date | None], list[str]] = defaultdict(list)
    for key_id, start, end in keys:
        periods[(start, end)].append(key_id)
    asked = list(periods.items())
    answers = await asyncio.gather(*(read(ids, start, end) for (start, end), ids in asked))
    found = {period: answer for (period, _), answer in zip(asked, answers, strict=True)}

    def item(key: CostKey) -> F | None:
        hit = found[(key[1], key[2])].get(canonical_id(key[0]) or "")
        return hit if hit is not None and hit.found else None

    return [item(key) for key in keys]


def build_metering_loaders(client: MeteringClient) -> MeteringLoaders:
    async def load_asset_costs(keys: list[CostKey]) -> list[m.AssetCost | None]:
        return await _by_period(keys, client.asset_costs)

    async def load_group_costs(keys: list[CostKey]) -> list[m.GroupCost | None]:
        return await _by_period(keys, client.group_costs)

    return MeteringLoaders(
        asset_costs=DataLoader(load_fn=load_asset_costs),
        group_costs=DataLoader(load_fn=load_group_costs),
    )
