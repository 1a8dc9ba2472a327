"""Azure cost details exports read where Cost Management writes them: the real
azure-storage-blob client lists and downloads (in ranged chunks) from the stand-in's
Blob Storage with a container SAS token, and each period is ingested as one delivery."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from nephos_devstack.arm_server.blob_api import GET_OPERATION, LIST_OPERATION
from nephos_devstack.arm_server.blob_store import blobs_of
from tests.asset.helpers import register_azure
from tests.fixtures.asset import AssetService
from tests.fixtures.azure import ArmStandIn
from tests.fixtures.metering import MeteringService
from tests.metering.blob_exports import (
    CONTAINER,
    STORAGE_ACCOUNT,
    Exports,
    moment,
    rows_of,
    stored_totals,
    write_run,
    write_single_file,
)
from tests.metering.source_helpers import create_source, deliveries, run_source
from tests.metering.upload_files import azure_billed, azure_effective, azure_lines

PERIOD = "2026-03"


@pytest.fixture
def exports(arm: ArmStandIn) -> Iterator[Exports]:
    """An empty export container in the stand-in's storage account, emptied afterwards."""
    store = blobs_of(arm.server)
    store.clear()
    store.create_container(STORAGE_ACCOUNT, CONTAINER)
    yield Exports(store, f"{arm.url}/{STORAGE_ACCOUNT}")
    store.clear()


async def _source(
    metering: MeteringService, asset: AssetService, arm: ArmStandIn, exports: Exports,
    cost_type: str = "actual", sas: str | None = None,
) -> str:  # fmt: skip
    account = await register_azure(asset.client, asset.auth(), arm)
    credentials = {"sas_token": sas or exports.sas()}
    answer = await create_source(metering, str(account["id"]), "azure_export",
                                 config=exports.config(cost_type),
                                 credentials=credentials)  # fmt: skip
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def test_an_actual_export_in_parts_is_ingested_with_exact_totals(
    metering_jobs: MeteringService, asset_service: AssetService, arm: ArmStandIn,
    exports: Exports,
) -> None:  # fmt: skip
    lines = azure_lines(10)
    rows = rows_of(PERIOD, lines)
    write_run(exports, PERIOD, "run-a", [rows[:13], rows[13:]], gzipped=False, at=moment(0))
    source = await _source(metering_jobs, asset_service, arm, exports)

    run = await run_source(metering_jobs, source, PERIOD)

    assert run["status"] == "succeeded", run
    assert run["results"][0]["outcome"] == "ingested"
    (delivery,) = await deliveries(metering_jobs)
    assert (delivery["source"], delivery["row_count"]) == ("azure_export_actual", len(lines))
    assert Decimal(delivery["billed_cost_total"]) == azure_billed(lines, False)
    assert await stored_totals(metering_jobs) == (
        len(lines),
        azure_billed(lines, False),
        azure_effective(lines, False),
    )
    # Each plain part is larger than a 4 KiB read: downloaded in several ranged GETs.
    assert arm.server.calls[GET_OPERATION] > 3


async def test_an_amortized_single_file_export_spreads_the_reservation(
    metering_jobs: MeteringService, asset_service: AssetService, arm: ArmStandIn,
    exports: Exports,
) -> None:  # fmt: skip
    lines = azure_lines(6)
    write_single_file(exports, PERIOD, "5b1e0d0c", rows_of(PERIOD, lines), at=moment(0))
    source = await _source(metering_jobs, asset_service, arm, exports, cost_type="amortized")

    run = await run_source(metering_jobs, source, PERIOD)

    assert run["status"] == "succeeded", run
    (delivery,) = await deliveries(metering_jobs)
    assert delivery["source"] == "azure_export_amortized"
    billed, effective = azure_billed(lines, True), azure_effective(lines, True)
    assert billed != effective
    assert await stored_totals(metering_jobs) == (len(lines), billed, effective)


async def test_an_unchanged_export_is_skipped_and_a_newer_run_restates_the_period(
    metering_jobs: MeteringService, asset_service: AssetService, arm: ArmStandIn,
    exports: Exports,
) -> None:  # fmt: skip
    first, restated = azure_lines(8), azure_lines(9, scale="1.5")
    write_run(exports, PERIOD, "run-a", [rows_of(PERIOD, first)], at=moment(0))
    source = await _source(metering_jobs, asset_service, arm, exports)
    assert (await run_source(metering_jobs, source, PERIOD))["status"] == "succeeded"

    again = await run_source(metering_jobs, source, PERIOD)
    assert again["results"][0]["outcome"] == "skipped", again
    assert arm.server.calls[LIST_OPERATION] >= 2

    write_run(exports, PERIOD, "run-b", [rows_of(PERIOD, restated)], at=moment(60))
    # A run still being written (no manifest yet) is newer but not complete: ignored.
    write_run(exports, PERIOD, "run-c", [rows_of(PERIOD, first)], at=moment(90), manifest=False)
    newer = await run_source(metering_jobs, source, PERIOD)

    assert newer["results"][0]["outcome"] == "ingested", newer
    assert await stored_totals(metering_jobs) == (
        len(restated),
        azure_billed(restated, False),
        azure_effective(restated, False),
    )
    statuses = sorted(d["status"] for d in await deliveries(metering_jobs))
    assert statuses == ["succeeded", "superseded"]


async def _refused(metering: MeteringService, source: str) -> dict[str, Any]:
    run = await run_source(metering, source, PERIOD)
    assert run["status"] == "failed", run
    return run


async def test_a_broken_file_is_refused_naming_the_blob_and_row_and_changes_nothing(
    metering_jobs: MeteringService, asset_service: AssetService, arm: ArmStandIn,
    exports: Exports,
) -> None:  # fmt: skip
    lines = azure_lines(5)
    write_run(exports, PERIOD, "run-a", [rows_of(PERIOD, lines)], at=moment(0))
    source = await _source(metering_jobs, asset_service, arm, exports)
    assert (await run_source(metering_jobs, source, PERIOD))["status"] == "succeeded"
    before = await stored_totals(metering_jobs)

    bad_value = rows_of(PERIOD, azure_lines(6))
    bad_value[8]["CostInBillingCurrency"] = "twelve"
    (good, broken) = write_run(exports, PERIOD, "run-b", [bad_value[:4], bad_value[4:]],
                               at=moment(60))  # fmt: skip
    run = await _refused(metering_jobs, source)
    assert run["error_details"] | {"delivery_id": None} == {
        "code": "delivery_rejected", "file": broken, "row": 5, "delivery_id": None,
    }  # fmt: skip
    assert broken in run["error"] and "row 5" in run["error"] and good not in run["error"]

    no_cost = [{k: v for k, v in row.items() if k != "CostInBillingCurrency"}
               for row in rows_of(PERIOD, lines)]  # fmt: skip
    (headless,) = write_run(exports, PERIOD, "run-c", [no_cost], at=moment(120))
    run = await _refused(metering_jobs, source)
    assert (run["error_details"]["file"], run["error_details"]["row"]) == (headless, 0)
    assert "header" in run["error"] and "CostInBillingCurrency" in run["error"]

    assert await stored_totals(metering_jobs) == before
    statuses = sorted(d["status"] for d in await deliveries(metering_jobs))
    assert statuses == ["failed", "failed", "succeeded"]


async def test_a_manifest_of_the_other_cost_type_is_refused(
    metering_jobs: MeteringService, asset_service: AssetService, arm: ArmStandIn,
    exports: Exports,
) -> None:  # fmt: skip
    rows = rows_of(PERIOD, azure_lines(3))
    write_run(exports, PERIOD, "run-a", [rows], cost_type="ActualCost", at=moment(0))
    source = await _source(metering_jobs, asset_service, arm, exports, cost_type="amortized")

    run = await _refused(metering_jobs, source)

    assert run["error_details"]["code"] == "export_type_mismatch"
    assert await stored_totals(metering_jobs) == (0, Decimal(0), Decimal(0))


async def test_a_wrong_or_missing_export_fails_the_run_with_a_clear_error(
    metering_jobs: MeteringService, asset_service: AssetService, arm: ArmStandIn,
    exports: Exports,
) -> None:  # fmt: skip
    write_run(exports, PERIOD, "run-a", [rows_of(PERIOD, azure_lines(3))], at=moment(0))
    forged = "sv=2022-11-02&sr=c&sp=rl&se=2099-01-01T00%3A00%3A00Z&sig=forged"
    source = await _source(metering_jobs, asset_service, arm, exports, sas=forged)

    run = await _refused(metering_jobs, source)

    assert run["error_details"]["code"] == "blob_access_denied"
    assert "SAS token" in run["error"] and "AuthenticationFailed" in run["error"]
    assert "forged" not in run["error"] and "forged" not in str(run["error_details"])
    assert await stored_totals(metering_jobs) == (0, Decimal(0), Decimal(0))

    fixed = await metering_jobs.client.patch(
        f"/sources/{source}", json={"credentials": {"sas_token": "?" + exports.sas()}},
        headers=metering_jobs.auth("acme", "operator"),
    )  # fmt: skip
    assert fixed.status_code == 200, fixed.text
    missing = await _refused(metering_jobs, await _rename(metering_jobs, source))
    assert missing["error_details"]["code"] == "export_not_found"
    assert (await run_source(metering_jobs, await _rename(metering_jobs, source, "monthly-costs"),
                             PERIOD))["status"] == "succeeded"  # fmt: skip


async def _rename(metering: MeteringService, source: str, export: str = "other") -> str:
    found = await metering.client.get(f"/sources/{source}", headers=metering.auth())
    config = {**found.json()["config"], "export_name": export}
    answer = await metering.client.patch(f"/sources/{source}", json={"config": config},
                                         headers=metering.auth("acme", "operator"))  # fmt: skip
    assert answer.status_code == 200, answer.text
    return source


async def test_the_sas_is_sealed_and_never_answered(
    metering_jobs: MeteringService, asset_service: AssetService, arm: ArmStandIn,
    exports: Exports,
) -> None:  # fmt: skip
    sas = exports.sas()
    sig = sas.rsplit("sig=", 1)[1]
    source = await _source(metering_jobs, asset_service, arm, exports, sas=sas)
    viewer = metering_jobs.auth("acme", "viewer")

    listed = await metering_jobs.client.get("/sources", headers=viewer)
    one = await metering_jobs.client.get(f"/sources/{source}", headers=viewer)

    for answer in (listed, one):
        assert answer.status_code == 200 and sig not in answer.text and "sas" not in answer.text
    assert one.json()["has_credentials"] is True
    assert "credentials" not in one.json()
    async with metering_jobs.app.state.database.transaction() as session:
        sealed = await session.scalar(text("SELECT sealed_secret FROM billing_sources"))
    assert sealed and sig.encode() not in sealed


async def test_an_export_source_needs_a_sas_and_other_kinds_take_none(
    metering_jobs: MeteringService, asset_service: AssetService, arm: ArmStandIn,
    exports: Exports,
) -> None:  # fmt: skip
    account = str((await register_azure(asset_service.client, asset_service.auth(), arm))["id"])

    bare = await create_source(metering_jobs, account, "azure_export",
                               config=exports.config("actual"))  # fmt: skip
    url = await create_source(metering_jobs, account, "azure_export",
                              config=exports.config("actual"),
                              credentials={"sas_token": f"{exports.endpoint}/x"})  # fmt: skip
    api = await create_source(metering_jobs, account, "azure_cost_management",
                              credentials={"sas_token": exports.sas()})  # fmt: skip

    assert (bare.status_code, bare.json()["error"]["code"]) == (422, "credentials_required")
    assert url.status_code == 422 and exports.endpoint not in url.text
    assert (api.status_code, api.json()["error"]["code"]) == (422, "credentials_not_accepted")
