"""Keeps service-group membership from the asset service's group events. A target that
leaves a group (or whose group is deleted) leaves the scope of the group's rules, so
its open alerts of those rules end."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.contracts.asset import MembershipChanged, ServiceGroupDeleted
from nephos_common.db import utcnow
from nephos_common.messaging.envelope import Envelope
from nephos_common.messaging.tables import MessagingTables
from nephos_monitoring.alerts.evaluation import close_left_group
from nephos_monitoring.groups import repository
from nephos_monitoring.notifications.enqueue import announce

SUBJECT = "asset.service_group.>"
DURABLE = "monitoring-groups"


class GroupsConsumer:
    def __init__(self, tables: MessagingTables) -> None:
        self._tables = tables

    async def handle(self, session: AsyncSession, envelope: Envelope) -> None:
        """Membership changes and deletions; a group's definition itself is not needed."""
        tenant = envelope.tenant
        if envelope.type == MembershipChanged.event_type:
            change = MembershipChanged.parse(envelope)
            await repository.apply_change(
                session, tenant, change.group_id, change.added, change.removed
            )
            events = await close_left_group(
                session, tenant, change.group_id, change.removed, utcnow()
            )
        elif envelope.type == ServiceGroupDeleted.event_type:
            group_id = ServiceGroupDeleted.parse(envelope).group_id
            await repository.drop_group(session, tenant, group_id)
            events = await close_left_group(session, tenant, group_id, None, utcnow())
        else:
            return
        await announce(session, self._tables, events)
