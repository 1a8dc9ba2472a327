"""Keeps the asset/group projection from the asset service's events.

Runs as a durable consumer on the ASSET stream with the inbox dedupe of
``nephos_common.messaging.consumer``: each event takes effect exactly once,
in the same transaction as its inbox row.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.contracts.asset import (
    AccountRemoved,
    AssetSnapshot,
    MembershipChanged,
    ResourceChanged,
    ResourceDeleted,
    ResourceDiscovered,
    ServiceGroupChanged,
    ServiceGroupDeleted,
)
from nephos_common.messaging.envelope import Envelope
from nephos_metering.allocation import group_totals, repository
from nephos_metering.allocation.keys import asset_keys

SUBJECT = "asset.>"
DURABLE = "metering-allocation"

_FIELDS = ("asset_id", "account_id", "provider", "region", "category", "native_type",
           "native_id", "name", "state", "tags", "spec")  # fmt: skip


async def handle(session: AsyncSession, envelope: Envelope) -> None:
    """Dispatch by event type; asset events the projection does not need are skipped."""
    tenant = envelope.tenant
    kind = envelope.type
    if kind == ResourceDiscovered.event_type:
        await _seen(session, tenant, ResourceDiscovered.parse(envelope), envelope)
    elif kind == ResourceChanged.event_type:
        await _seen(session, tenant, ResourceChanged.parse(envelope), envelope)
    elif kind == ResourceDeleted.event_type:
        await repository.mark_deleted(session, tenant, [ResourceDeleted.parse(envelope).asset_id])
    elif kind == AccountRemoved.event_type:
        account_id = AccountRemoved.parse(envelope).account_id
        gone = await repository.account_assets(session, tenant, account_id)
        await repository.mark_deleted(session, tenant, gone)
    else:
        await _group_event(session, tenant, envelope)


async def _group_event(session: AsyncSession, tenant: str, envelope: Envelope) -> None:
    kind = envelope.type
    if kind == ServiceGroupChanged.event_type:
        changed = ServiceGroupChanged.parse(envelope)
        await repository.upsert_group(session, tenant, changed.group_id, changed.name)
    elif kind == ServiceGroupDeleted.event_type:
        await repository.delete_group(session, tenant, ServiceGroupDeleted.parse(envelope).group_id)
    elif kind == MembershipChanged.event_type:
        membership = MembershipChanged.parse(envelope)
        await repository.upsert_group(session, tenant, membership.group_id, None)
        before = await group_totals.changing(session, tenant, [membership.group_id])
        await repository.remove_members(session, tenant, membership.group_id, membership.removed)
        await repository.add_members(session, tenant, membership.group_id, membership.added)
        await group_totals.follow(session, tenant, before)


async def _seen(
    session: AsyncSession, tenant: str, asset: AssetSnapshot, envelope: Envelope
) -> None:
    """The event's time is the first sighting when the asset is new: old snapshots are
    judged by it when the provider's own creation time is not in the spec. New resource
    keys change the costs of the asset's groups (a member may be listed before it is seen)."""
    values = {name: getattr(asset, name) for name in _FIELDS}
    values["resource_keys"] = asset_keys(asset.native_id, asset.spec)
    values["first_seen_at"] = envelope.time
    held = await repository.resource_keys_of(session, tenant, asset.asset_id)
    before: group_totals.Keys = {}
    # A look without the swaps' turn first: most sightings change no grouped asset's keys.
    # ``asset_changing`` reads the asset's groups again once the turn is taken.
    if held != values["resource_keys"] and await repository.groups_of(session, tenant,
                                                                       asset.asset_id):  # fmt: skip
        before = await group_totals.asset_changing(session, tenant, asset.asset_id)
    await repository.upsert_asset(session, tenant, values)
    await group_totals.follow(session, tenant, before)
