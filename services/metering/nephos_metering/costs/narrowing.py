"""The filters a dashboard cost question takes, checked and turned into a ``CostFilter``.

``account_id``
    a cloud account (Nephos's id): the costs ingested for it. An account metering
    has never heard of (no billing source, no bill, no discovered resource) is not
    found, rather than answered with zeros that would read as a free month.
``service_group_id``
    a service group of the company: the costs of its member assets'
    resources, as ``allocation`` matches them. Another company's group, or one
    metering has not heard of, is not found.
``tag``
    ``key=value`` for the costs whose resource tags hold ``key`` with that
    value (``key=`` for an empty value), or ``key`` for any value.

All given filters must hold. No filter at all gives ``None``: the question is
about the whole company and reads the daily totals.
"""

from __future__ import annotations

import uuid

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.errors import InvalidInput, NotFound
from nephos_metering.allocation import repository as allocation
from nephos_metering.allocation.models import AllocationAsset
from nephos_metering.costs.filtered import CostFilter
from nephos_metering.ingest.models import Delivery
from nephos_metering.sources.models import BillingSource

MAX_TAG_LENGTH = 512


def _uuid(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidInput(f"{field} must be a UUID", code="invalid_filter", field=field) from None


def parse_tag(text: str) -> tuple[str, str | None]:
    """``key=value`` as (key, value), ``key`` as (key, None); the key is everything
    before the first ``=``, so a value may itself hold ``=``."""
    key, sep, value = text.partition("=")
    if not key.strip() or len(text) > MAX_TAG_LENGTH:
        raise InvalidInput(
            f"tag must be key=value or key, with a key, at most {MAX_TAG_LENGTH} characters",
            code="invalid_filter", field="tag",
        )  # fmt: skip
    return key, value if sep else None


async def _known_group(session: AsyncSession, tenant: str, text: str) -> uuid.UUID:
    group_id = _uuid(text, "service_group_id")
    if await allocation.group(session, tenant, group_id) is None:
        raise NotFound(f"service group {group_id} is not known", code="service_group_not_found",
                       service_group_id=str(group_id))  # fmt: skip
    return group_id


async def heard_of_account(session: AsyncSession, tenant: str, account_id: uuid.UUID) -> bool:
    """Whether the company's account has a billing source, a bill or a discovered resource."""
    heard_of = or_(*(
        exists().where(model.tenant == tenant, model.account_id == account_id)
        for model in (BillingSource, Delivery, AllocationAsset)
    ))  # fmt: skip
    return bool(await session.scalar(select(heard_of)))


async def _known_account(session: AsyncSession, tenant: str, text: str) -> uuid.UUID:
    account_id = _uuid(text, "account_id")
    if not await heard_of_account(session, tenant, account_id):
        raise NotFound(f"account {account_id} has no billing source, bill or resource here",
                       code="account_not_found", account_id=str(account_id))  # fmt: skip
    return account_id


async def cost_filter(
    session: AsyncSession, tenant: str, account_id: str | None,
    service_group_id: str | None, tag: str | None,
) -> CostFilter | None:  # fmt: skip
    """The filter of the given query values, or ``None`` when none is given."""
    if account_id is None and service_group_id is None and tag is None:
        return None
    accounts: tuple[uuid.UUID, ...] = ()
    if account_id is not None:
        accounts = (await _known_account(session, tenant, account_id),)
    groups: tuple[uuid.UUID, ...] = ()
    if service_group_id is not None:
        groups = (await _known_group(session, tenant, service_group_id),)
    key, value = parse_tag(tag) if tag is not None else (None, None)
    return CostFilter(
        account_ids=accounts,
        service_group_ids=groups,
        tags=((key, value),) if key is not None and value is not None else (),
        tag_keys=(key,) if key is not None and value is None else (),
    )
