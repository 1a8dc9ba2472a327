"""Cost Management's query API on the stand-in: ``POST .../Microsoft.CostManagement/query``.

Answers from seeded daily cost rows in Cost Management's own shape: a table
of ``columns`` and ``rows`` under ``properties``, the cost column named as
the aggregation's source column (``Cost`` or ``PreTaxCost``), ``UsageDate``
as a ``yyyymmdd`` number, the grouping dimensions, then ``Currency``. Paging
is by ``nextLink`` with a ``$skiptoken``; the caller POSTs the same body to
it. Amounts are written as exact JSON numbers with every digit seeded, more
than a float holds, so a client that reads them as floats loses digits.

Throttle it like the list calls: ``arm.throttle(QUERY_OPERATION, 1)``.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from nephos_devstack.arm_server.app import _authenticate, arm_error
from nephos_devstack.arm_server.store import ArmServer

QUERY_OPERATION = "microsoft.costmanagement/query"
COST_TYPES = {"ActualCost", "AmortizedCost", "Usage"}
DIMENSIONS = {"ServiceName": "service", "ResourceId": "resource_id",
              "ResourceLocation": "location", "ResourceGroupName": "resource_group"}  # fmt: skip
SKIP = "$skiptoken"
_NUMBER = re.compile(r'"\\u0000(-?[0-9.]+)"')


@dataclass(frozen=True)
class CostRow:
    """One day's cost of one resource, as seeded; ``amortized`` is its AmortizedCost."""

    day: date
    service: str
    resource_id: str
    location: str
    cost: Decimal
    amortized: Decimal
    currency: str = "USD"

    @property
    def resource_group(self) -> str:
        return self.resource_id.split("/")[4]


def seed_costs(arm: ArmServer, rows: Iterable[CostRow]) -> None:
    """Replace the stand-in's cost rows."""
    arm.cost_rows[:] = list(rows)


def is_query(method: str, parts: list[str]) -> bool:
    lowered = [p.lower() for p in parts]
    return method == "POST" and lowered[-3:] == ["providers", "microsoft.costmanagement", "query"]


def _number(value: Decimal) -> str:
    """A marker that ``_render`` turns into a bare JSON number with every digit."""
    return "\u0000" + format(value, "f")


def _render(body: dict[str, Any]) -> Response:
    text = _NUMBER.sub(r"\1", json.dumps(body))
    return Response(text, media_type="application/json")


def _period(definition: dict[str, Any]) -> tuple[date, date] | None:
    period = definition.get("timePeriod") or {}
    try:
        start = datetime.fromisoformat(str(period["from"]).replace("Z", "+00:00")).date()
        end = datetime.fromisoformat(str(period["to"]).replace("Z", "+00:00")).date()
    except (KeyError, ValueError):
        return None
    return start, end


def _invalid(definition: dict[str, Any]) -> str | None:
    dataset = definition.get("dataset") or {}
    if definition.get("type") not in COST_TYPES:
        return f"type must be one of {sorted(COST_TYPES)}"
    if definition.get("timeframe") != "Custom" or _period(definition) is None:
        return "only a Custom timeframe with timePeriod from/to is served"
    if dataset.get("granularity") != "Daily":
        return "only Daily granularity is served"
    if len(dataset.get("aggregation") or {}) != 1:
        return "exactly one aggregation is served"
    names = [g.get("name") for g in dataset.get("grouping") or []]
    if any(name not in DIMENSIONS for name in names):
        return f"grouping by {names} is not served"
    return None


def _table(arm: ArmServer, definition: dict[str, Any]) -> tuple[list[Any], list[list[Any]]]:
    dataset = definition["dataset"]
    (aggregation,) = dataset["aggregation"].values()
    groups = [g["name"] for g in dataset.get("grouping") or []]
    start, end = _period(definition) or (date.min, date.max)
    amortized = definition["type"] == "AmortizedCost"
    sums: dict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
    for row in arm.cost_rows:
        if start <= row.day <= end:
            key = (int(f"{row.day:%Y%m%d}"),
                   *(getattr(row, DIMENSIONS[g]) for g in groups), row.currency)  # fmt: skip
            sums[key] += row.amortized if amortized else row.cost
    columns = [{"name": aggregation["name"], "type": "Number"},
               {"name": "UsageDate", "type": "Number"},
               *({"name": g, "type": "String"} for g in groups),
               {"name": "Currency", "type": "String"}]  # fmt: skip
    return columns, [[_number(total), *key] for key, total in sorted(sums.items())]


def _next_link(request: Request, end: int) -> str:
    query = {k: v for k, v in request.query_params.items() if k != SKIP}
    base = f"{request.url.scheme}://{request.url.netloc}{request.url.path}"
    return f"{base}?{urlencode({**query, SKIP: str(end)})}"


async def answer_query(request: Request, arm: ArmServer, parts: list[str]) -> Response:
    """One page of the query's table (see the module docstring)."""
    if "api-version" not in request.query_params:
        return arm_error(400, "MissingApiVersionParameter", "The api-version is required.")
    if denied := _authenticate(request, arm):
        return denied
    if parts[1].lower() != arm.config.subscription_id.lower():
        return arm_error(404, "SubscriptionNotFound", f"The subscription '{parts[1]}' "
                         "could not be found.")  # fmt: skip
    arm.calls[QUERY_OPERATION] += 1
    if arm.take_throttle(QUERY_OPERATION):
        return arm_error(429, "TooManyRequests", "The request is being throttled.",
                         headers={"Retry-After": f"{arm.faults.retry_after:g}"})  # fmt: skip
    definition = json.loads(await request.body() or b"{}")
    if problem := _invalid(definition):
        return arm_error(400, "BadRequest", f"Invalid query definition: {problem}.")
    columns, rows = _table(arm, definition)
    start = int(request.query_params.get(SKIP, "0") or 0)
    end = start + arm.config.page_size
    sub = arm.config.subscription_id
    properties: dict[str, Any] = {"nextLink": _next_link(request, end) if end < len(rows) else None,
                                  "columns": columns, "rows": rows[start:end]}  # fmt: skip
    return _render({
        "id": f"/subscriptions/{sub}/providers/Microsoft.CostManagement/query/{start}",
        "name": str(start), "type": "Microsoft.CostManagement/query", "location": None,
        "sku": None, "eTag": None, "properties": properties,
    })  # fmt: skip
