"""Azure Cost Management's query API as FOCUS rows, for a subscription's daily costs.

``CostManagementClient.query.usage`` is asked for Daily ``ActualCost`` (and
``AmortizedCost`` when the source wants amortised figures) grouped by
ServiceName, ResourceId and ResourceLocation, following ``nextLink`` pages.

The SDK turns the JSON numbers of the answer into floats, which would round
amounts; the raw answer is read instead and its numbers parsed as decimals.

=========================  ===================================================
FOCUS column               Cost Management source
=========================  ===================================================
BillingAccountId           the subscription (the scope asked)
SubAccountId               the subscription
ChargePeriodStart/End      ``UsageDate`` (one day)
BilledCost                 ActualCost's cost column
EffectiveCost              AmortizedCost's cost column when asked for, else billed
BillingCurrency            ``Currency``
ChargeCategory             Usage
ServiceName / RegionId     ``ServiceName`` / ``ResourceLocation``
ResourceId / ResourceType  ``ResourceId`` / its provider type
=========================  ===================================================
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlparse

from azure.core.exceptions import HttpResponseError, ServiceRequestError

from nephos_common.arm import arm_client_options
from nephos_common.cloud_sessions import AzureSession
from nephos_common.errors import InvalidInput, NephosError, Unavailable
from nephos_metering.ingest.api_delivery import ApiAnswer, Line, Window, blank_line
from nephos_metering.ingest.manifest import BillingPeriod
from nephos_metering.ingest.values import ValueProblem, decimal_of, text_of

SOURCE = "azure_cost_management"
COST_COLUMNS = ("Cost", "PreTaxCost")
GROUPING = ("ServiceName", "ResourceId", "ResourceLocation")
SKIP = "$skiptoken"
Key = tuple[int, str | None, str | None, str | None, str]

SERVICE_CATEGORY = {
    "Virtual Machines": "Compute", "Azure App Service": "Compute", "Functions": "Compute",
    "Storage": "Storage", "SQL Database": "Databases", "Azure Database for PostgreSQL": "Databases",
    "Azure Database for MySQL": "Databases", "Redis Cache": "Databases",
    "Virtual Network": "Networking", "Bandwidth": "Networking", "Load Balancer": "Networking",
}  # fmt: skip


def scope_of(subscription_id: str) -> str:
    """The subscription scope as the SDK puts it into its path (no leading slash)."""
    return f"subscriptions/{subscription_id}"


def endpoint(subscription_id: str) -> str:
    return f"/{scope_of(subscription_id)}/providers/Microsoft.CostManagement/query"


@asynccontextmanager
async def cost_client(azure: AzureSession) -> AsyncIterator[Any]:
    """A Cost Management client on the session's token and ARM endpoint."""
    from azure.mgmt.costmanagement.aio import CostManagementClient

    credential = azure.credential()
    options = arm_client_options(credential, azure.arm_url)
    async with CostManagementClient(credential, **options) as client:
        yield client


def definition(cost_type: str, window: Window) -> dict[str, Any]:
    last = window.end - timedelta(seconds=1)
    return {
        "type": cost_type,
        "timeframe": "Custom",
        "timePeriod": {
            "from": f"{window.start:%Y-%m-%dT%H:%M:%SZ}",
            "to": f"{last:%Y-%m-%dT%H:%M:%SZ}",
        },
        "dataset": {
            "granularity": "Daily",
            "aggregation": {"totalCost": {"name": COST_COLUMNS[0], "function": "Sum"}},
            "grouping": [{"type": "Dimension", "name": name} for name in GROUPING],
        },
    }


def api_error(exc: Exception) -> NephosError:
    status = getattr(exc, "status_code", None)
    if status in (401, 403):
        return InvalidInput(f"Azure refused Cost Management access ({status})",
                            code="cost_api_access_denied")  # fmt: skip
    reason = f"answered {status}" if status else f"is unreachable: {type(exc).__name__}"
    return Unavailable(f"Cost Management {reason}", code="cost_api_unavailable")


def _raw(pipeline_response: Any, _deserialized: Any, _headers: Any) -> str:
    text: str = pipeline_response.http_response.text()
    return text


def _skip_token(next_link: str | None) -> str | None:
    if not next_link:
        return None
    tokens = parse_qs(urlparse(next_link).query).get(SKIP)
    return tokens[0] if tokens else None


async def query_pages(client: Any, scope: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    """Every page's ``properties``, its numbers read as ``Decimal``."""
    pages: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        params = {SKIP: token} if token else {}
        try:
            text = await client.query.usage(scope, body, cls=_raw, params=params)
        except (HttpResponseError, ServiceRequestError) as exc:
            raise api_error(exc) from None
        properties = json.loads(text, parse_float=Decimal).get("properties") or {}
        pages.append(properties)
        token = _skip_token(properties.get("nextLink"))
        if token is None:
            return pages


def _cells(pages: list[dict[str, Any]]) -> tuple[dict[Key, Decimal], Decimal]:
    """Cost per (day, service, resource, location, currency), and the answer's own sum."""
    costs: dict[Key, Decimal] = {}
    reported = Decimal(0)
    for page in pages:
        names = [str(c.get("name")) for c in page.get("columns") or []]
        cost_at = next((names.index(n) for n in COST_COLUMNS if n in names), None)
        if cost_at is None:
            raise ValueProblem("columns", names, "hold no cost column")
        at = {name: names.index(name) for name in ("UsageDate", *GROUPING, "Currency")}
        for row in page.get("rows") or []:
            cost = decimal_of(names[cost_at], row[cost_at])
            service, resource, location = (text_of(row[at[g]]) for g in GROUPING)
            currency = text_of(row[at["Currency"]]) or ""
            key: Key = (int(row[at["UsageDate"]]), service, resource, location, currency)
            costs[key] = costs.get(key, Decimal(0)) + cost
            reported += Decimal(str(row[cost_at]))
    return costs, reported


def _resource_type(resource_id: str | None) -> str | None:
    if not resource_id or "/providers/" not in resource_id.lower():
        return None
    parts = resource_id.lower().split("/providers/", 1)[1].split("/")
    return "/".join([parts[0], *parts[1::2]])


def _line(key: Key, billed: Decimal, effective: Decimal, subscription: str,
          period: BillingPeriod) -> Line:  # fmt: skip
    usage_date, service, resource, location, currency = key
    if len(currency) != 3 or not currency.isalpha():
        raise ValueProblem("Currency", currency, "is not an ISO 4217 code")
    start = datetime.strptime(str(usage_date), "%Y%m%d").replace(tzinfo=UTC)
    line = blank_line()
    line.update(
        billing_account_id=subscription, sub_account_id=subscription,
        billing_period_start=period.start, billing_period_end=period.end,
        charge_period_start=start, charge_period_end=start + timedelta(days=1),
        billed_cost=billed, effective_cost=effective, contracted_cost=billed,
        billing_currency=currency.upper(), charge_category="Usage", service_name=service,
        service_category=SERVICE_CATEGORY.get(service or "", "Other"),
        region_id=location.lower() if location else None, resource_id=resource,
        resource_type=_resource_type(resource),
    )  # fmt: skip
    return line


async def read_cost_management(
    client: Any, subscription: str, window: Window, period: BillingPeriod, amortized: bool
) -> ApiAnswer:
    """The window's daily costs as FOCUS lines; a malformed cell refuses the delivery."""
    scope = scope_of(subscription)
    actual_pages = await query_pages(client, scope, definition("ActualCost", window))
    amortized_pages: list[dict[str, Any]] = []
    if amortized:
        amortized_pages = await query_pages(client, scope, definition("AmortizedCost", window))
    try:
        billed, reported = _cells(actual_pages)
        effective = _cells(amortized_pages)[0] if amortized else billed
        lines = [_line(key, billed.get(key, Decimal(0)), effective.get(key, Decimal(0)),
                       subscription, period)
                 for key in sorted(billed.keys() | effective.keys(), key=str)]  # fmt: skip
    except (ValueProblem, ValueError, TypeError, IndexError) as exc:
        raise InvalidInput(f"Cost Management answered a malformed table: {exc}",
                           code="delivery_rejected") from None  # fmt: skip
    return ApiAnswer(lines=lines, reported_total=reported)
