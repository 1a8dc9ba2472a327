"""Rules of service groups: definitions, and membership that follows the rule as
assets appear, change or disappear. Every change of membership is an event."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_asset.groups import repository
from nephos_asset.groups.models import ServiceGroup
from nephos_asset.groups.rules import matches, parse
from nephos_asset.groups.schemas import GroupCreate, GroupUpdate
from nephos_asset.inventory.sync import Touched
from nephos_common.auth import Principal
from nephos_common.contracts.asset import (
    MembershipChanged,
    ServiceGroupChanged,
    ServiceGroupDeleted,
)
from nephos_common.db import utcnow
from nephos_common.errors import Conflict, InvalidInput
from nephos_common.messaging import outbox
from nephos_common.messaging.envelope import Envelope
from nephos_common.messaging.tables import MessagingTables

SOURCE = "asset"


async def _check_members(session: AsyncSession, tenant: str, ids: Sequence[uuid.UUID]) -> None:
    unknown = set(ids) - await repository.existing_asset_ids(session, tenant, list(ids))
    if unknown:
        raise InvalidInput(
            f"{len(unknown)} member(s) are not assets of this company",
            code="unknown_assets", field="members", asset_ids=sorted(map(str, unknown))[:20],
        )  # fmt: skip


async def _check_name(
    session: AsyncSession, tenant: str, name: str, except_id: uuid.UUID | None = None
) -> None:
    if await repository.name_taken(session, tenant, name, except_id):
        raise Conflict(f"a service group named {name!r} exists", code="group_name_taken")


def _set_rule(group: ServiceGroup, rule: str | None) -> None:
    rule = (rule or "").strip() or None
    group.rule, group.rule_terms = rule, parse(rule) if rule else []


async def create(
    session: AsyncSession, tables: MessagingTables, principal: Principal, data: GroupCreate
) -> ServiceGroup:
    await _check_name(session, principal.tenant, data.name)
    await _check_members(session, principal.tenant, data.members)
    group = ServiceGroup(id=uuid.uuid4(), tenant=principal.tenant, name=data.name,
                         description=data.description)  # fmt: skip
    _set_rule(group, data.rule)
    session.add(group)
    await session.flush()
    await repository.set_explicit(session, group.id, data.members)
    await _announce_definition(session, tables, group)
    await recompute(session, tables, group)
    return group


async def update(
    session: AsyncSession, tables: MessagingTables, group: ServiceGroup, data: GroupUpdate
) -> ServiceGroup:
    given = data.model_fields_set
    if data.name is not None and data.name != group.name:
        await _check_name(session, group.tenant, data.name, group.id)
        group.name = data.name
    if "description" in given:
        group.description = data.description
    if "rule" in given:
        _set_rule(group, data.rule)
    if data.members is not None:
        await _check_members(session, group.tenant, data.members)
        await repository.set_explicit(session, group.id, data.members)
    group.updated_at = utcnow()
    await session.flush()
    await _announce_definition(session, tables, group)
    await recompute(session, tables, group)
    return group


async def delete(session: AsyncSession, tables: MessagingTables, group: ServiceGroup) -> None:
    event = ServiceGroupDeleted(group_id=group.id, name=group.name)
    await outbox.record(session, tables, [event.envelope(tenant=group.tenant, source=SOURCE)])
    await session.delete(group)
    await session.flush()


async def add_members(
    session: AsyncSession, tables: MessagingTables, group: ServiceGroup, ids: list[uuid.UUID]
) -> None:
    await _check_members(session, group.tenant, ids)
    await repository.add_explicit(session, group.id, ids)
    await recompute(session, tables, group)


async def remove_member(
    session: AsyncSession, tables: MessagingTables, group: ServiceGroup, asset_id: uuid.UUID
) -> None:
    await repository.remove_explicit(session, group.id, asset_id)
    await recompute(session, tables, group)


async def _announce_definition(
    session: AsyncSession, tables: MessagingTables, group: ServiceGroup
) -> None:
    event = ServiceGroupChanged(group_id=group.id, name=group.name, rule=group.rule)
    await outbox.record(session, tables, [event.envelope(tenant=group.tenant, source=SOURCE)])


async def recompute(session: AsyncSession, tables: MessagingTables, group: ServiceGroup) -> None:
    """Bring the whole membership of one group in line with its rule and explicit members."""
    desired = await repository.desired_members(session, group)
    current = await repository.current_members(session, group.id)
    await _apply(session, tables, group, desired - current, current - desired)


async def follow_assets(
    session: AsyncSession, tables: MessagingTables, tenant: str, touched: Iterable[Touched]
) -> None:
    """After a sync: move the assets it created, changed or retired in or out of groups."""
    touched = list(touched)
    if not touched:
        return
    groups = await repository.list_for(session, tenant)
    if not groups:
        return
    ids = [t.asset_id for t in touched]
    explicit = await repository.explicit_members(session, [g.id for g in groups])
    for group in groups:
        by_hand = set(explicit[group.id])
        desired = {
            t.asset_id
            for t in touched
            if t.live and (t.asset_id in by_hand or matches(group.rule_terms, t.tags))
        }
        current = await repository.current_members(session, group.id, among=ids)
        await _apply(session, tables, group, desired - current, current - desired)


async def _apply(
    session: AsyncSession,
    tables: MessagingTables,
    group: ServiceGroup,
    added: set[uuid.UUID],
    removed: set[uuid.UUID],
) -> None:
    if not added and not removed:
        return
    await repository.apply_membership(session, group, added, removed)
    event = MembershipChanged(group_id=group.id, added=sorted(added), removed=sorted(removed))
    envelope: Envelope = event.envelope(tenant=group.tenant, source=SOURCE)
    await outbox.record(session, tables, [envelope])
