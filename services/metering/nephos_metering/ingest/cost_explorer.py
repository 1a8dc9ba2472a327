"""AWS Cost Explorer's daily costs as FOCUS rows, for accounts that export no CUR.

``GetCostAndUsage`` is asked for DAILY ``UnblendedCost`` (and ``AmortizedCost``
when the source wants amortised figures) grouped by SERVICE and LINKED_ACCOUNT,
the two dimensions Cost Explorer allows at once that FOCUS needs most.

=========================  ===================================================
FOCUS column               Cost Explorer source
=========================  ===================================================
BillingAccountId           the caller's account (STS ``GetCallerIdentity``)
SubAccountId               the LINKED_ACCOUNT group key
BillingPeriodStart/End     the month asked for
ChargePeriodStart/End      the result's ``TimePeriod`` (one day)
BilledCost                 UnblendedCost
EffectiveCost              AmortizedCost when asked for, else UnblendedCost
ContractedCost             UnblendedCost
BillingCurrency            the metric's ``Unit``
ChargeCategory             Usage (Cost Explorer does not split by charge type here)
ServiceName                the SERVICE group key
=========================  ===================================================

Amounts are read from the JSON text as exact decimals; the API's own total is
summed from the raw answer, apart from the mapping, for the delivery check.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from decimal import Decimal
from typing import Any

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import BotoCoreError, ClientError

from nephos_common.cloud_sessions import AwsSession
from nephos_common.errors import InvalidInput, NephosError, Unavailable
from nephos_metering.ingest.api_delivery import ApiAnswer, Line, Window, blank_line
from nephos_metering.ingest.manifest import BillingPeriod
from nephos_metering.ingest.values import ValueProblem, decimal_of, timestamp_of

SOURCE = "aws_cost_explorer"
ENDPOINT = "ce:GetCostAndUsage"
UNBLENDED, AMORTIZED = "UnblendedCost", "AmortizedCost"
GROUP_BY = [{"Type": "DIMENSION", "Key": "SERVICE"}, {"Type": "DIMENSION", "Key": "LINKED_ACCOUNT"}]
DENIED = {"AccessDeniedException", "AccessDenied", "UnrecognizedClientException",
          "ExpiredTokenException", "InvalidClientTokenId"}  # fmt: skip

SERVICE_CATEGORY = {
    "Amazon Elastic Compute Cloud - Compute": "Compute", "AWS Lambda": "Compute",
    "Amazon Elastic Container Service": "Compute", "Amazon Elastic Kubernetes Service": "Compute",
    "Amazon Simple Storage Service": "Storage", "Amazon Elastic File System": "Storage",
    "Amazon Relational Database Service": "Databases", "Amazon DynamoDB": "Databases",
    "Amazon ElastiCache": "Databases", "Amazon Virtual Private Cloud": "Networking",
    "Amazon CloudFront": "Networking", "Amazon Route 53": "Networking",
    "AmazonCloudWatch": "Management and Governance", "AWS Key Management Service": "Security",
}  # fmt: skip


def ce_error(exc: Exception) -> NephosError:
    """The service's error for a failed Cost Explorer or STS call."""
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in DENIED:
            return InvalidInput(f"AWS refused Cost Explorer access ({code})",
                                code="cost_api_access_denied")  # fmt: skip
        return Unavailable(f"Cost Explorer answered {code}", code="cost_api_unavailable")
    return Unavailable(f"Cost Explorer is unreachable: {type(exc).__name__}",
                       code="cost_api_unavailable")  # fmt: skip


@asynccontextmanager
async def ce_clients(aws: AwsSession) -> AsyncIterator[tuple[Any, Any]]:
    """Cost Explorer and STS clients on the session (Cost Explorer lives in us-east-1)."""
    config = AioConfig(retries={"mode": "standard", "max_attempts": 4},
                       connect_timeout=10, read_timeout=60)  # fmt: skip
    session: Any = get_session()
    kwargs = {"region_name": "us-east-1", "config": config, **aws.client_kwargs()}
    async with session.create_client("ce", **kwargs) as ce, \
            session.create_client("sts", **kwargs) as sts:  # fmt: skip
        yield ce, sts


async def caller_account(sts: Any) -> str:
    try:
        identity = await sts.get_caller_identity()
    except (ClientError, BotoCoreError) as exc:
        raise ce_error(exc) from None
    return str(identity["Account"])


def request_of(window: Window, amortized: bool) -> dict[str, Any]:
    return {
        "TimePeriod": {"Start": f"{window.start:%Y-%m-%d}", "End": f"{window.end:%Y-%m-%d}"},
        "Granularity": "DAILY",
        "Metrics": [UNBLENDED, AMORTIZED] if amortized else [UNBLENDED],
        "GroupBy": GROUP_BY,
    }


async def results_by_time(ce: Any, request: dict[str, Any]) -> list[dict[str, Any]]:
    """Every ``ResultsByTime`` entry, following ``NextPageToken``."""
    results: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page_request = {**request, **({"NextPageToken": token} if token else {})}
        try:
            answer = await ce.get_cost_and_usage(**page_request)
        except (ClientError, BotoCoreError) as exc:
            raise ce_error(exc) from None
        results.extend(answer.get("ResultsByTime", []))
        token = answer.get("NextPageToken")
        if not token:
            return results


def _amount(metrics: dict[str, Any], name: str) -> tuple[Decimal, str]:
    metric = metrics.get(name)
    if not isinstance(metric, dict):
        raise ValueProblem(name, metric, "is missing")
    return decimal_of(name, metric.get("Amount")), str(metric.get("Unit") or "")


def to_lines(
    results: list[dict[str, Any]], billing_account: str, period: BillingPeriod, amortized: bool
) -> list[Line]:
    """One line per day, service and linked account (see module doc)."""
    lines = []
    for result in results:
        start = timestamp_of("TimePeriod.Start", result["TimePeriod"]["Start"])
        for group in result.get("Groups", []):
            service, linked = [*group.get("Keys", []), None, None][:2]
            billed, unit = _amount(group["Metrics"], UNBLENDED)
            effective = _amount(group["Metrics"], AMORTIZED)[0] if amortized else billed
            line = blank_line()
            line.update(
                billing_account_id=billing_account, sub_account_id=linked or billing_account,
                billing_period_start=period.start, billing_period_end=period.end,
                charge_period_start=start, charge_period_end=start + timedelta(days=1),
                billed_cost=billed, effective_cost=effective, contracted_cost=billed,
                billing_currency=_currency(unit), charge_category="Usage",
                service_name=service, service_category=SERVICE_CATEGORY.get(service, "Other"),
            )  # fmt: skip
            lines.append(line)
    return lines


def reported_total(results: list[dict[str, Any]]) -> Decimal:
    """UnblendedCost summed straight from the answer, apart from ``to_lines``."""
    return sum(
        (Decimal(str(group["Metrics"][UNBLENDED]["Amount"]))
         for result in results for group in result.get("Groups", [])),
        Decimal(0),
    )  # fmt: skip


def _currency(unit: str) -> str:
    if len(unit) != 3 or not unit.isalpha():
        raise ValueProblem(UNBLENDED, unit, "has no ISO 4217 currency unit")
    return unit.upper()


async def read_cost_explorer(
    ce: Any, window: Window, billing_account: str, period: BillingPeriod, amortized: bool
) -> ApiAnswer:
    """The window's daily costs as FOCUS lines; a malformed amount refuses the delivery."""
    results = await results_by_time(ce, request_of(window, amortized))
    try:
        lines = to_lines(results, billing_account, period, amortized)
    except (ValueProblem, KeyError, TypeError) as exc:
        raise InvalidInput(f"Cost Explorer answered a malformed result: {exc}",
                           code="delivery_rejected") from None  # fmt: skip
    return ApiAnswer(lines=lines, reported_total=reported_total(results))
