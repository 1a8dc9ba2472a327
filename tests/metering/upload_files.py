"""FOCUS and Azure cost details files built by the tests, and how to upload them.

Rows are known ``Decimal`` amounts written with the standard library's csv
and gzip (and pyarrow for Parquet), not with the code under test; expected
totals are summed here from those same values.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import text

from tests.fixtures.metering import MeteringService

ACCOUNT = "7d2f9c0e-1111-4a4a-9b9b-0123456789ab"
AZURE_BILLING_ACCOUNT = "8608480"
SUBSCRIPTIONS = ("2b6f1d52-0000-4000-8000-000000000001", "2b6f1d52-0000-4000-8000-000000000002")
METERS = (("Virtual Machines", "Dv5 Series", "East US"),
          ("Storage", "Standard SSD", "West Europe"),
          ("SQL Database", "General Purpose", "East US"))  # fmt: skip


def month_start(period: str) -> datetime:
    return datetime.strptime(period, "%Y-%m").replace(tzinfo=UTC)


def month_after(period: str) -> datetime:
    return (month_start(period) + timedelta(days=32)).replace(day=1)


def csv_bytes(rows: Sequence[dict[str, Any]], *, gzipped: bool = True) -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]))
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else str(v) for k, v in row.items()})
    data = text.getvalue().encode()
    return gzip.compress(data) if gzipped else data


# ---------------------------------------------------------------- Azure cost details


@dataclass
class AzureLine:
    day: int
    meter: int
    cost: Decimal
    quantity: Decimal = Decimal("10")
    unit_price: Decimal = Decimal("0.5")
    payg_price: Decimal = Decimal("0.75")
    charge: str = "Usage"
    pricing: str = "OnDemand"
    benefit: str = ""


def azure_lines(days: int, scale: str = "1") -> list[AzureLine]:
    """Usage over three meters, a reservation purchase, covered usage and unused reservation."""
    out = [
        AzureLine(day, meter, Decimal(f"{day}.{meter + 1}0123456789") * Decimal(scale))
        for day in range(1, days + 1)
        for meter in range(3)
    ]
    ri = "/providers/Microsoft.Capacity/reservationOrders/o1/reservations/r1"
    out += [
        AzureLine(1, 0, Decimal("300.00"), Decimal("1"), charge="Purchase",
                  pricing="Reservation", benefit=ri),
        AzureLine(2, 0, Decimal("7.25"), charge="Usage", pricing="Reservation", benefit=ri),
        AzureLine(2, 0, Decimal("2.75"), charge="UnusedReservation", pricing="Reservation",
                  benefit=ri),
    ]  # fmt: skip
    return out


def azure_row(period: str, line: AzureLine, *, mca: bool = False, currency: str = "USD",
              tags: str | None = None) -> dict[str, Any]:  # fmt: skip
    """One cost details row: EA names and ISO dates, or MCA camelCase and US dates."""
    start, after = month_start(period), month_after(period)
    day = start + timedelta(days=line.day - 1)
    category, sub, location = METERS[line.meter]
    sub_id = SUBSCRIPTIONS[line.meter % 2]
    date = (lambda d: d.strftime("%m/%d/%Y")) if mca else (lambda d: d.strftime("%Y-%m-%d"))
    row = {
        "BillingAccountId": AZURE_BILLING_ACCOUNT,
        "BillingPeriodStartDate": date(start),
        "BillingPeriodEndDate": date(after - timedelta(days=1)),
        "Date": date(day),
        "SubscriptionId": sub_id,
        "ResourceId": f"/subscriptions/{sub_id}/resourceGroups/rg/providers/"
        f"Microsoft.Compute/virtualMachines/vm{line.meter}",
        "ResourceLocation": location,
        "MeterCategory": category,
        "MeterSubCategory": sub,
        "MeterId": str(uuid.UUID(int=line.meter + 1)),
        "ProductName": f"{category} {sub}",
        "Quantity": line.quantity,
        "UnitOfMeasure": "1 Hour",
        "UnitPrice": line.unit_price,
        "CostInBillingCurrency": line.cost,
        "PayGPrice": line.payg_price,
        "BillingCurrencyCode": currency,
        "ChargeType": line.charge,
        "PricingModel": line.pricing,
        "BenefitId": line.benefit,
        "Tags": tags if tags is not None else json.dumps({"team": f"t{line.meter}"}),
    }
    if mca:
        row = {k[0].lower() + k[1:]: v for k, v in row.items()}
        row["billingCurrency"] = row.pop("billingCurrencyCode")
    return row


def committed(line: AzureLine) -> bool:
    return line.pricing in ("Reservation", "SavingsPlan")


def azure_billed(lines: Sequence[AzureLine], amortized: bool) -> Decimal:
    """BilledCost by Microsoft's rule: in amortized data, prepaid usage costs nothing billed."""
    prepaid = ("Usage", "UnusedReservation", "UnusedSavingsPlan")
    return sum((line.cost for line in lines
                if not (amortized and committed(line) and line.charge in prepaid)),
               Decimal(0))  # fmt: skip


def azure_effective(lines: Sequence[AzureLine], amortized: bool) -> Decimal:
    """EffectiveCost: in amortized data, the purchase is spread, so it counts nothing."""
    return sum((line.cost for line in lines
                if not (amortized and committed(line) and line.charge == "Purchase")),
               Decimal(0))  # fmt: skip


# ---------------------------------------------------------------- FOCUS


@dataclass
class FocusLine:
    day: int
    service: int
    billed: Decimal
    effective: Decimal
    category: str = "Usage"
    region: str = "us-east-1"


FOCUS_SERVICES = (("Amazon Elastic Compute Cloud", "Compute"),
                  ("Amazon Simple Storage Service", "Storage"),
                  ("Amazon Relational Database Service", "Databases"))  # fmt: skip


def focus_lines(days: int, scale: str = "1") -> list[FocusLine]:
    out = []
    for day in range(1, days + 1):
        for service in range(3):
            billed = Decimal(f"{day}.{service + 1}00000000017") * Decimal(scale)
            region = ("us-east-1", "eu-west-1", "us-east-1")[service]
            out.append(FocusLine(day, service, billed, billed - Decimal("0.1"), region=region))
    out.append(FocusLine(2, 0, Decimal("0.19"), Decimal("0.19"), category="Tax"))
    out.append(FocusLine(3, 1, Decimal("-4.5"), Decimal("-4.5"), category="Credit"))
    return out


def focus_row(period: str, line: FocusLine, currency: str = "USD") -> dict[str, Any]:
    start = month_start(period)
    day = start + timedelta(days=line.day - 1)
    name, category = FOCUS_SERVICES[line.service]
    return {
        "BilledCost": line.billed,
        "BillingAccountId": "210987654321",
        "BillingCurrency": currency,
        "BillingPeriodStart": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "BillingPeriodEnd": month_after(period).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "ChargeCategory": line.category,
        "ChargeClass": "",
        "ChargeDescription": f"{name} on day {line.day}",
        "ChargePeriodStart": day.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "ChargePeriodEnd": (day + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "ContractedCost": line.billed,
        "EffectiveCost": line.effective,
        "ListCost": line.billed * 2,
        "ProviderName": "AWS",
        "RegionId": line.region,
        "ServiceCategory": category,
        "ServiceName": name,
        "SubAccountId": "444455556666",
        "PricingQuantity": "1",
        "PricingUnit": "Hours",
        "Tags": json.dumps({"team": f"t{line.service}"}),
        "x_UsageType": "BoxUsage",
    }


def focus_parquet(rows: Sequence[dict[str, Any]]) -> bytes:
    """As the providers write it: money as decimal128, times as timestamps, tags as a map."""
    columns: dict[str, Any] = {}
    for name in rows[0]:
        values = [row[name] for row in rows]
        if name.endswith("Cost"):
            columns[name] = pa.array(values, type=pa.decimal128(38, 12))
        elif name.endswith(("PeriodStart", "PeriodEnd")):
            columns[name] = pa.array([datetime.fromisoformat(v) for v in values],
                                     type=pa.timestamp("ms", tz="UTC"))  # fmt: skip
        elif name == "Tags":
            columns[name] = pa.array([list(json.loads(v).items()) for v in values],
                                     type=pa.map_(pa.string(), pa.string()))  # fmt: skip
        else:
            columns[name] = pa.array([None if v == "" else str(v) for v in values])
    out = io.BytesIO()
    pq.write_table(pa.table(columns), out)
    return out.getvalue()


# ---------------------------------------------------------------- upload


async def upload(
    service: MeteringService, data: bytes, file_format: str, *, name: str = "bill.csv.gz",
    tenant: str = "acme", role: str = "operator", raw: bool = False, account: str = ACCOUNT,
) -> Any:  # fmt: skip
    """POST the file as multipart (or as the raw body, named by the ``filename`` parameter)."""
    url = f"/accounts/{account}/uploads"
    headers = service.auth(tenant, role)
    if raw:
        params = {"format": file_format, "filename": name}
        return await service.client.post(url, params=params, content=data, headers=headers)
    return await service.client.post(url, params={"format": file_format},
                                     files={"file": (name, data)}, headers=headers)  # fmt: skip


async def summary(service: MeteringService, period: str, group_by: str = "charge_category",
                  tenant: str = "acme") -> list[dict[str, Any]]:  # fmt: skip
    first = month_start(period).date()
    last = (month_after(period) - timedelta(days=1)).date()
    params = {"from": first.isoformat(), "to": last.isoformat(), "group_by": group_by}
    answer = await service.client.get("/costs/summary", params=params,
                                      headers=service.auth(tenant, "viewer"))  # fmt: skip
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def totals(service: MeteringService, period: str, tenant: str = "acme",
                 currency: str | None = None) -> tuple[Decimal, Decimal]:  # fmt: skip
    """(billed, effective) of the period, over every group (of one currency if given)."""
    items = [i for i in await summary(service, period, tenant=tenant)
             if currency is None or i["currency"] == currency]  # fmt: skip
    return (sum((Decimal(i["billed_cost"]) for i in items), Decimal(0)),
            sum((Decimal(i["effective_cost"]) for i in items), Decimal(0)))  # fmt: skip


_PER_DIMENSION = (
    "SELECT {summed} d.dimension, d.key, t.day, c.billing_currency, sum(c.billed_cost),"
    " sum(c.effective_cost), count(*) FROM costs AS c {join} CROSS JOIN LATERAL (VALUES"
    " ('service', c.service_name), ('account', c.sub_account_id), ('region', c.region_id),"
    " ('charge_category', c.charge_category)) AS d(dimension, key),"
    " LATERAL (SELECT (c.charge_period_start AT TIME ZONE 'UTC')::date AS day) AS t"
    " GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"
)
_KEPT = ("SELECT {kept} dimension, key, day, billing_currency, billed_cost, effective_cost,"
         " row_count FROM {table} ORDER BY 1, 2, 3, 4, 5")  # fmt: skip
_COMPANY = {"kept": "'company',", "summed": "'company',", "table": "cost_daily_totals",
            "join": ""}  # fmt: skip
_PER_ACCOUNT = {"kept": "account_id::text,", "summed": "c.account_id::text,",
                "table": "cost_account_daily_totals", "join": ""}  # fmt: skip
_PER_TAG = {
    "kept": "concat_ws(':', tag_key, tagged, tag_value, account_id),",
    "summed": "concat_ws(':', a.tag_key, c.tags ? a.tag_key, c.tags ->> a.tag_key,"
              " c.account_id),",
    "table": "cost_tag_daily_totals",
    "join": "JOIN cost_allocation_tags AS a ON a.tenant = c.tenant",
}  # fmt: skip

_PER_GROUP = {
    "kept": "concat_ws(':', group_id, account_id),",
    "summed": "concat_ws(':', g.group_id, c.account_id),",
    "table": "cost_group_daily_totals",
    "join": "JOIN (SELECT DISTINCT m.tenant, m.group_id, k.key FROM allocation_group_members"
            " AS m JOIN allocation_assets AS a USING (tenant, asset_id),"
            " unnest(a.resource_keys) AS k(key)) AS g"
            " ON g.tenant = c.tenant AND g.key = metering_resource_key(c.resource_id)",
}  # fmt: skip
"""A service group's rows: those of its members' resource keys, each once."""


async def daily_totals_and_line_items(
    service: MeteringService,
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The daily totals as kept, the company's, each account's, each cost allocation tag's
    and each service group's, and as summed again from the line items."""
    kept: list[tuple[Any, ...]] = []
    summed: list[tuple[Any, ...]] = []
    async with service.app.state.database.transaction() as session:
        for scope in (_COMPANY, _PER_ACCOUNT, _PER_TAG, _PER_GROUP):
            kept += (await session.execute(text(_KEPT.format(**scope)))).all()
            summed += (await session.execute(text(_PER_DIMENSION.format(**scope)))).all()
    return [tuple(r) for r in kept], [tuple(r) for r in summed]
