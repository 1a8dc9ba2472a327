"""Azure cost details exports (EA and MCA, actual and amortized) uploaded and mapped to FOCUS."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import text

from tests.fixtures.metering import MeteringService
from tests.metering.upload_files import (
    azure_billed,
    azure_effective,
    azure_lines,
    azure_row,
    csv_bytes,
    summary,
    totals,
    upload,
)

PERIOD = "2024-03"


async def _rows(service: MeteringService, where: str = "true") -> list[Any]:
    async with service.app.state.database.transaction() as session:
        found = await session.execute(text(
            "SELECT billed_cost, effective_cost, list_cost, contracted_cost, charge_category,"
            " commitment_discount_type, commitment_discount_id, region_id, resource_type,"
            " billing_period_start, billing_period_end, charge_period_start, tags,"
            f" billing_currency FROM costs WHERE {where} ORDER BY id"
        ))  # fmt: skip
        return list(found.all())


async def test_actual_and_amortized_exports_give_billed_and_effective_cost(
    metering_service: MeteringService,
) -> None:
    lines = azure_lines(10)
    rows = [azure_row(PERIOD, line) for line in lines]

    actual = await upload(metering_service, csv_bytes(rows), "azure_actual", name="actual.csv.gz")
    actual_totals = await totals(metering_service, PERIOD)
    amortized = await upload(metering_service, csv_bytes(rows), "azure_amortized",
                             name="amortized.csv.gz")  # fmt: skip
    amortized_totals = await totals(metering_service, PERIOD)

    assert (actual.status_code, amortized.status_code) == (201, 201), amortized.text
    assert actual_totals == (azure_billed(lines, False), azure_effective(lines, False))
    assert amortized_totals == (azure_billed(lines, True), azure_effective(lines, True))
    # The amortized file restated the period: one delivery in force.
    assert amortized.json()["outcome"] == "ingested"
    assert Decimal(amortized.json()["delivery"]["billed_cost_total"]) == azure_billed(lines, True)
    assert amortized.json()["delivery"]["billing_account_id"] == "8608480"


async def test_each_column_maps_to_focus(metering_service: MeteringService) -> None:
    lines = azure_lines(2)
    rows = [azure_row(PERIOD, line) for line in lines]
    assert (await upload(metering_service, csv_bytes(rows), "azure_amortized")).status_code == 201

    stored = await _rows(metering_service)

    first, purchase, covered = stored[0], stored[6], stored[7]
    assert first.list_cost == lines[0].payg_price * lines[0].quantity
    assert first.contracted_cost == lines[0].unit_price * lines[0].quantity
    assert (first.region_id, first.resource_type) == ("eastus", "Microsoft.Compute/virtualMachines")
    assert (first.charge_category, first.tags) == ("Usage", {"team": "t0"})
    assert first.billing_period_start.isoformat() == "2024-03-01T00:00:00+00:00"
    assert first.billing_period_end.isoformat() == "2024-04-01T00:00:00+00:00"
    assert (purchase.charge_category, purchase.effective_cost) == ("Purchase", 0)
    assert purchase.commitment_discount_type == "Reservation"
    assert covered.billed_cost == 0 and covered.effective_cost == Decimal("7.25")
    assert covered.commitment_discount_id.endswith("/reservations/r1")


async def test_an_mca_export_in_euros_with_us_dates_and_ea_tags(
    metering_service: MeteringService,
) -> None:
    usd_lines, eur_lines = azure_lines(4), azure_lines(5, scale="0.9")
    usd = [azure_row("2024-02", line) for line in usd_lines]
    eur = [azure_row(PERIOD, line, mca=True, currency="EUR", tags='"env": "prod","cc": "42"')
           for line in eur_lines]  # fmt: skip

    first = await upload(metering_service, csv_bytes(usd), "azure_actual")
    second = await upload(metering_service, csv_bytes(eur, gzipped=False), "azure_actual",
                          name="mca.csv", raw=True)  # fmt: skip

    assert (first.status_code, second.status_code) == (201, 201), second.text
    assert second.json()["delivery"]["billing_currency"] == "EUR"
    assert await totals(metering_service, PERIOD) == (azure_billed(eur_lines, False),) * 2
    items = await summary(metering_service, PERIOD, group_by="service")
    assert {i["currency"] for i in items} == {"EUR"}
    stored = await _rows(metering_service, "billing_currency = 'EUR'")
    assert stored[0].tags == {"env": "prod", "cc": "42"}
    assert stored[0].charge_period_start.isoformat() == "2024-03-01T00:00:00+00:00"
    overview = await metering_service.client.get(
        "/costs/overview", params={"as_of": "2024-03-05"}, headers=metering_service.auth()
    )
    assert overview.json()["error"]["code"] == "mixed_currencies"


async def test_an_unknown_charge_type_and_a_bad_date_name_their_row(
    metering_service: MeteringService,
) -> None:
    lines = azure_lines(3)
    good = [azure_row(PERIOD, line) for line in lines]
    assert (await upload(metering_service, csv_bytes(good), "azure_actual")).status_code == 201
    mystery = [azure_row(PERIOD, line) for line in lines]
    mystery[4]["ChargeType"] = "Mystery"
    bad_date = [azure_row(PERIOD, line, mca=True) for line in lines]
    bad_date[6]["date"] = "13/45/2024"

    first = await upload(metering_service, csv_bytes(mystery), "azure_actual", name="m.csv.gz")
    second = await upload(metering_service, csv_bytes(bad_date), "azure_actual", name="d.csv.gz")

    assert first.status_code == 422
    assert (first.json()["error"]["details"]["row"], first.json()["error"]["details"]["file"]) \
        == (5, "m.csv.gz")  # fmt: skip
    assert "ChargeType" in first.json()["error"]["message"]
    assert (second.status_code, second.json()["error"]["details"]["row"]) == (422, 7)
    assert "Date" in second.json()["error"]["message"]
    assert await totals(metering_service, PERIOD) == (azure_billed(lines, False),) * 2
