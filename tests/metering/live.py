"""The metering service with its consumers and workers running, asset and monitoring
events published onto its NATS namespace, and bill rows put straight into ``costs``.

Test modules import the ``metering_live`` fixture from here.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest

from nephos_common.contracts.asset import EVENTS_STREAM as ASSET_STREAM
from nephos_common.contracts.asset import (
    MembershipChanged,
    ResourceChanged,
    ResourceDeleted,
    ResourceDiscovered,
    ServiceGroupChanged,
)
from nephos_common.contracts.monitoring import EVENTS_STREAM as MONITORING_STREAM
from nephos_common.messaging.envelope import Envelope
from nephos_common.messaging.nats import namespaced_stream
from nephos_common.messaging.outbox import MSG_ID_HEADER
from nephos_common.settings import Environment
from nephos_metering.allocation import group_totals
from nephos_metering.allocation import repository as allocation
from nephos_metering.allocation.keys import asset_keys
from nephos_metering.costs.models import Cost
from nephos_metering.ingest.models import Delivery, DeliveryStatus
from nephos_metering.main import EVENTS_STREAM, create_app
from nephos_metering.settings import Settings
from tests.fixtures.infra import NATS_URL, DatabaseFactory, running, wipe_streams
from tests.fixtures.metering import MeteringService

ACCOUNT = uuid.UUID("00000000-0000-0000-0000-0000000000ab")
BILLING_ACCOUNT = "111122223333"


@dataclass
class LiveMetering(MeteringService):
    async def publish(self, *envelopes: Envelope) -> None:
        """Put events on this deployment's streams, as the producers' relays do."""
        nats = self.app.state.nats
        js = await nats.jetstream(timeout=10)
        for envelope in envelopes:
            await js.publish(
                nats.subject(envelope.subject),
                envelope.model_dump_json().encode(),
                headers={MSG_ID_HEADER: str(envelope.id)},
            )

    async def get(self, url: str, tenant: str = "acme", role: str = "viewer", **params: Any) -> Any:
        answer = await self.client.get(url, params=params, headers=self.auth(tenant, role))
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.fixture
async def metering_live(databases: DatabaseFactory) -> AsyncIterator[LiveMetering]:
    namespace = f"t{uuid.uuid4().hex[:10]}"
    database = await databases.create("nephos_metering")
    settings = Settings(
        environment=Environment.TEST, database_url=database, nats_url=NATS_URL,
        nats_namespace=namespace, outbox_poll_seconds=0.1, ingest_batch_rows=7,
    )  # fmt: skip
    app = create_app(settings)
    try:
        async with running(app, "http://metering") as client:
            yield LiveMetering(client=client, settings=settings, app=app)
    finally:
        streams = (EVENTS_STREAM, ASSET_STREAM, MONITORING_STREAM)
        await wipe_streams(NATS_URL, *(namespaced_stream(namespace, s.name) for s in streams))


def asset_fields(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "asset_id": uuid.uuid4(), "account_id": ACCOUNT, "provider": "aws",
        "region": "us-east-1", "category": "server", "native_type": "aws.ec2.instance",
        "native_id": f"i-{uuid.uuid4().hex[:17]}", "name": "web", "state": "running",
        "tags": {}, "spec": {},
    }  # fmt: skip
    values.update(overrides)
    return values


async def service_group(
    service: MeteringService, native_ids: list[str], *, tenant: str = "acme", built: bool
) -> uuid.UUID:
    """A service group of one new asset per native id, as asset events leave it (its
    totals stale), and when ``built`` its totals built as the queued job builds them."""
    group_id = uuid.uuid4()
    async with service.app.state.database.transaction() as session:
        members = []
        for native_id in native_ids:
            fields = asset_fields(native_id=native_id)
            fields["resource_keys"] = asset_keys(native_id, {})
            await allocation.upsert_asset(session, tenant, fields)
            members.append(fields["asset_id"])
        await allocation.upsert_group(session, tenant, group_id, "shop")
        await allocation.add_members(session, tenant, group_id, members)
        await group_totals.stale(session, tenant, [group_id])
    if built:
        async with service.app.state.database.transaction() as session:
            assert await group_totals.build(session, tenant, group_id) is not None
    return group_id


def discovered(tenant: str = "acme", **overrides: Any) -> Envelope:
    return ResourceDiscovered(**asset_fields(**overrides)).envelope(tenant=tenant, source="asset")


def changed(fields: dict[str, Any], tenant: str = "acme", **overrides: Any) -> Envelope:
    contract = ResourceChanged(**{**fields, **overrides}, changes={}, asset_version=2)
    return contract.envelope(tenant=tenant, source="asset")


def deleted(fields: dict[str, Any], tenant: str = "acme") -> Envelope:
    keys = ResourceDeleted.model_fields
    contract = ResourceDeleted(**{k: v for k, v in fields.items() if k in keys})
    return contract.envelope(tenant=tenant, source="asset")


def group_named(group_id: uuid.UUID, name: str, tenant: str = "acme") -> Envelope:
    contract = ServiceGroupChanged(group_id=group_id, name=name, rule=None)
    return contract.envelope(tenant=tenant, source="asset")


def membership(
    group_id: uuid.UUID, added: list[Any], removed: list[Any], tenant: str = "acme"
) -> Envelope:
    contract = MembershipChanged(group_id=group_id, added=added, removed=removed)
    return contract.envelope(tenant=tenant, source="asset")


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def cost_row(
    day: date, amount: Decimal | str, resource_id: str | None, **overrides: Any
) -> dict[str, Any]:
    """One FOCUS row as ingest stores it; ``overrides`` set any other column."""
    first = day.replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    values: dict[str, Any] = {
        "billing_account_id": BILLING_ACCOUNT, "sub_account_id": BILLING_ACCOUNT,
        "billing_period_start": midnight(first), "billing_period_end": midnight(after),
        "charge_period_start": midnight(day),
        "charge_period_end": midnight(day + timedelta(days=1)),
        "billed_cost": Decimal(amount), "effective_cost": Decimal(amount),
        "list_cost": Decimal(amount), "contracted_cost": Decimal(amount),
        "billing_currency": "USD", "charge_category": "Usage", "charge_class": None,
        "charge_description": "usage", "service_name": "Amazon Elastic Compute Cloud",
        "service_category": "Compute", "region_id": "us-east-1", "resource_id": resource_id,
        "resource_type": "Compute Instance" if resource_id else None, "sku_id": "SKU1",
        "pricing_quantity": Decimal(1), "pricing_unit": "Hours",
        "consumed_quantity": Decimal(1), "consumed_unit": "Hours",
        "commitment_discount_id": None, "commitment_discount_type": None, "tags": {},
        "x_line_item_type": "Usage", "x_product_code": "AmazonEC2",
        "x_usage_type": "BoxUsage:t3.large", "x_operation": "RunInstances",
        "invoice_id": f"EUINGB{first:%y%m}-1",
    }  # fmt: skip
    values.update(overrides)
    return values


async def insert_costs(
    service: MeteringService,
    rows: list[dict[str, Any]],
    *,
    tenant: str = "acme",
    finished_at: datetime | None = None,
) -> None:
    """Bill rows straight into ``costs``, one succeeded delivery per billing month."""
    by_month: dict[datetime, list[dict[str, Any]]] = {}
    for row in rows:
        by_month.setdefault(row["billing_period_start"], []).append(row)
    async with service.app.state.database.transaction() as session:
        for start, month_rows in by_month.items():
            delivery = Delivery(
                id=uuid.uuid4(), tenant=tenant, account_id=ACCOUNT, source="test",
                bucket="test", manifest_key=f"test/{start:%Y-%m}", files=[],
                fingerprint=uuid.uuid4().hex, billing_account_id=BILLING_ACCOUNT,
                billing_period_start=start,
                billing_period_end=month_rows[0]["billing_period_end"],
                status=DeliveryStatus.SUCCEEDED, row_count=len(month_rows),
                billed_cost_total=sum((r["billed_cost"] for r in month_rows), Decimal(0)),
                billing_currency="USD", finished_at=finished_at or datetime.now(UTC),
            )  # fmt: skip
            session.add(delivery)
            await session.flush()
            session.add_all(
                Cost(tenant=tenant, account_id=ACCOUNT, delivery_id=delivery.id, **row)
                for row in month_rows
            )
