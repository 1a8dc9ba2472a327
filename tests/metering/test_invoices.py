"""Monthly invoices: cost per account and service, the company's markup or discount,
totals exact to the cent by the stated rounding rule, CSV and PDF, provisional
months marked, terms changed by admins only, companies kept apart."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tests.metering.live import LiveMetering, cost_row, insert_costs, metering_live  # noqa: F401

CENT = Decimal("0.01")
LINES = [  # (account, service, amounts billed over the month)
    ("111111111111", "Amazon Elastic Compute Cloud", ["10.004", "0.001", "3.3349"]),
    ("111111111111", "Amazon Simple Storage Service", ["0.125", "0.0049999"]),
    ("222222222222", "Amazon Elastic Compute Cloud", ["99.995"]),
    ("222222222222", "Amazon Relational Database Service", ["1.115", "2.225", "0.0000001"]),
]


def _rows() -> list[dict[str, Any]]:
    return [cost_row(date(2024, 5, i + 1), amount, None, sub_account_id=account,
                     service_name=service)
            for account, service, amounts in LINES for i, amount in enumerate(amounts)]  # fmt: skip


def _expected(percent: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """Subtotal, adjustment, total by the invoice's rule, computed here on their own."""
    rounded = [sum((Decimal(a) for a in amounts), Decimal(0)).quantize(CENT, ROUND_HALF_UP)
               for _, _, amounts in LINES]  # fmt: skip
    subtotal = sum(rounded, Decimal(0))
    adjustment = (subtotal * percent / 100).quantize(CENT, ROUND_HALF_UP)
    return subtotal, adjustment, subtotal + adjustment


async def _invoice(service: LiveMetering, period: str = "2024-05", tenant: str = "acme") -> Any:
    return await service.get(f"/invoices/{period}", tenant)


async def _terms(
    service: LiveMetering, percent: str, role: str = "admin", tenant: str = "acme"
) -> Any:
    return await service.client.put("/invoice-terms", json={"adjustment_percent": percent},
                                    headers=service.auth(tenant, role))  # fmt: skip


async def test_invoice_lines_and_totals_with_markup_and_discount(
    metering_live: LiveMetering,  # noqa: F811
) -> None:
    service = metering_live
    await insert_costs(service, _rows())

    plain = await _invoice(service)
    (part,) = plain["sections"]
    assert [(line["account"], line["service"]) for line in part["lines"]] == [
        (a, s) for a, s, _ in LINES
    ]
    assert Decimal(part["lines"][2]["amount"]) == Decimal("100.00")  # 99.995 rounds half-up
    assert (Decimal(part["subtotal"]), Decimal(part["adjustment"]), Decimal(part["total"])) == (
        _expected(Decimal(0))
    )
    assert plain["provisional"] is False and "half-up" in plain["rounding_rule"]

    for percent in ("12.5", "-7.25"):
        assert (await _terms(service, percent)).status_code == 200
        (part,) = (await _invoice(service))["sections"]
        subtotal, adjustment, total = _expected(Decimal(percent))
        assert Decimal(part["adjustment"]) == adjustment
        assert Decimal(part["total"]) == total == subtotal + adjustment


async def test_invoice_as_csv_and_pdf(metering_live: LiveMetering) -> None:  # noqa: F811
    service = metering_live
    await insert_costs(service, _rows())
    await _terms(service, "10")
    answer = await service.client.get("/invoices/2024-05", params={"format": "csv"},
                                      headers=service.auth("acme", "viewer"))  # fmt: skip
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    lines = [r for r in rows if r["account"]]
    assert sum(Decimal(r["amount"]) for r in lines) == _expected(Decimal(10))[0]
    assert (
        Decimal(next(r for r in rows if r["service"] == "total")["amount"])
        == _expected(Decimal(10))[2]
    )

    answer = await service.client.get("/invoices/2024-05", params={"format": "pdf"},
                                      headers=service.auth("acme", "viewer"))  # fmt: skip
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF-") and answer.content.rstrip().endswith(b"%%EOF")


async def test_a_month_still_being_billed_is_provisional(
    metering_live: LiveMetering,  # noqa: F811
) -> None:
    service = metering_live
    today = datetime.now(UTC).date()
    await insert_costs(service, [cost_row(today.replace(day=1), "5", None)])
    body = await _invoice(service, f"{today:%Y-%m}")
    assert body["provisional"] is True
    assert body["sections"][0]["total"] == "5.00"


async def test_terms_are_admin_only_and_per_company(
    metering_live: LiveMetering,  # noqa: F811
) -> None:
    service = metering_live
    await insert_costs(service, _rows())
    await insert_costs(service, [cost_row(date(2024, 5, 1), "1.234", None)], tenant="globex")
    assert (await _terms(service, "20", role="operator")).status_code == 403
    bad = await _terms(service, "-150")
    assert bad.status_code == 422 and "error" in bad.json()
    assert (await _terms(service, "20")).json()["adjustment_percent"] == "20"

    theirs = await _invoice(service, tenant="globex")
    (part,) = theirs["sections"]
    assert (part["subtotal"], part["adjustment"], part["total"]) == ("1.23", "0.00", "1.23")
    assert (await service.get("/invoice-terms", "globex"))["adjustment_percent"] == "0"
    assert (await service.get("/invoice-terms"))["adjustment_percent"] == "20"
    wrong = await service.client.get("/invoices/May-2024", headers=service.auth())
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "invalid_period"
