"""Each delivery becomes its period's partition of ``costs``; a restatement drops the last one."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import text

from nephos_metering.costs import repository as costs
from tests.fixtures.metering import MeteringService, insert_daily_costs, mark_cost_allocation_tags
from tests.metering.cur_files import csv_gzip, cur_row, lines_for, total
from tests.metering.live import service_group
from tests.metering.upload_files import daily_totals_and_line_items, totals, upload

PERIOD = "2024-05"


async def _tables(service: MeteringService) -> tuple[dict[str, int], set[str], list[str]]:
    """Rows per partition of ``costs``, every delivery table, and the registered partitions."""
    async with service.app.state.database.transaction() as session:
        names = (await session.execute(text(
            "SELECT c.relname FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = 'costs'::regclass"
        ))).scalars().all()  # fmt: skip
        rows = {n: (await session.execute(text(f"SELECT count(*) FROM {n}"))).scalar_one()
                for n in names}  # fmt: skip
        loads = set((await session.execute(text(
            "SELECT relname FROM pg_class WHERE relname LIKE 'costs\\_d\\_%' AND relkind = 'r'"
        ))).scalars())  # fmt: skip
        registered = list((await session.execute(text(
            "SELECT table_name FROM cost_partitions"
        ))).scalars())  # fmt: skip
    return rows, loads, registered


async def test_a_restated_period_swaps_whole_partitions_and_keeps_the_totals_exact(
    metering_service: MeteringService,
) -> None:
    service = metering_service
    await mark_cost_allocation_tags(service, "team")
    await _groups(service)
    await insert_daily_costs(service, {date(2024, 5, 3): Decimal("7.5")}, tags={"team": "t1"},
                             resource_id="i-00010")  # straight in  # fmt: skip
    first_lines, second_lines = lines_for(PERIOD, 6), lines_for(PERIOD, 9, scale="1.3")

    first = await upload(service, csv_gzip([cur_row(PERIOD, x) for x in first_lines]), "cur2")
    assert first.status_code == 201, first.text
    first_table = f"costs_d_{first.json()['delivery']['id'].replace('-', '')}"
    rows, loads, registered = await _tables(service)
    assert rows == {"costs_default": 0, first_table: len(first_lines)}
    assert (loads, registered) == ({first_table}, [first_table])
    assert (await totals(service, PERIOD))[0] == total(first_lines)

    second = await upload(service, csv_gzip([cur_row(PERIOD, x) for x in second_lines]), "cur2")
    assert second.status_code == 201, second.text
    second_table = f"costs_d_{second.json()['delivery']['id'].replace('-', '')}"
    broken = await upload(service, b"not a gzip file at all", "cur2")
    assert broken.status_code == 422

    rows, loads, registered = await _tables(service)
    assert rows == {"costs_default": 0, second_table: len(second_lines)}
    assert (loads, registered) == ({second_table}, [second_table])
    assert (await totals(service, PERIOD))[0] == total(second_lines)
    kept, summed = await daily_totals_and_line_items(service)
    assert kept == summed and len(kept) > 9 * 4
    assert await _group_totals(service) > 0
    async with service.app.state.database.transaction() as session:
        invoices = (await session.execute(text("SELECT DISTINCT invoice_id FROM costs"))).all()
    assert invoices == [("EUINGB2405-0001",)]
    assert await _data_through(service) == datetime(2024, 5, 10, tzinfo=UTC)
    shorter = await upload(service, csv_gzip([cur_row(PERIOD, x) for x in lines_for(PERIOD, 2)]),
                           "cur2")  # fmt: skip
    assert shorter.status_code == 201, shorter.text
    # the restated partition's end, or the row written directly, whichever is later
    assert await _data_through(service) == datetime(2024, 5, 4, tzinfo=UTC)


async def _groups(service: MeteringService) -> None:
    """Two service groups over the resources of ``lines_for``, sharing one, their totals
    built before any delivery: deliveries and direct writes keep them from then on."""
    await service_group(service, ["i-00010", "i-00021", "i-00032"], built=True)
    await service_group(service, ["i-00010", "i-00011", "i-00040"], built=True)


async def _group_totals(service: MeteringService) -> int:
    async with service.app.state.database.transaction() as session:
        return int(await session.scalar(text("SELECT count(*) FROM cost_group_daily_totals")))


async def _data_through(service: MeteringService) -> datetime | None:
    async with service.app.state.database.transaction() as session:
        return await costs.data_through(session, "acme")


async def test_concurrent_deliveries_of_one_company_swap_in_turn(
    metering_service: MeteringService,
) -> None:
    service = metering_service
    await mark_cost_allocation_tags(service, "team")
    await _groups(service)
    accounts = ("111122223333", "999988887777")
    files = {
        (payer, scale): csv_gzip([{**cur_row(PERIOD, x), "bill_payer_account_id": payer}
                                  for x in lines_for(PERIOD, 5, scale=scale)])
        for payer in accounts for scale in ("1", "2")
    }  # fmt: skip

    answers = await asyncio.gather(*(upload(service, data, "cur2") for data in files.values()))

    assert [a.status_code for a in answers] == [201] * 4, [a.text for a in answers]
    rows, loads, registered = await _tables(service)
    assert len(registered) == 2 and loads == set(registered)
    assert rows == {"costs_default": 0, **{name: len(lines_for(PERIOD, 5)) for name in loads}}
    one, two = total(lines_for(PERIOD, 5)), total(lines_for(PERIOD, 5, scale="2"))
    assert (await totals(service, PERIOD))[0] in {one + one, one + two, two + two}
    kept, summed = await daily_totals_and_line_items(service)
    assert kept == summed
    assert await _group_totals(service) > 0


async def test_a_question_on_one_cloud_account_leaves_out_the_partitions_of_others(
    metering_service: MeteringService,
) -> None:
    lines = lines_for(PERIOD, 3)
    mine = await upload(metering_service, csv_gzip([cur_row(PERIOD, x) for x in lines]), "cur2")
    other = uuid.uuid4()
    theirs_rows = [{**cur_row(PERIOD, x), "bill_payer_account_id": "999988887777"} for x in lines]
    theirs = await upload(metering_service, csv_gzip(theirs_rows), "cur2", account=str(other))
    assert (mine.status_code, theirs.status_code) == (201, 201), theirs.text
    tables = [f"costs_d_{a.json()['delivery']['id'].replace('-', '')}" for a in (mine, theirs)]

    async with metering_service.app.state.database.transaction() as session:
        plan = "\n".join((await session.execute(
            text("EXPLAIN SELECT sum(billed_cost) FROM costs WHERE tenant = 'acme'"
                 " AND account_id = ANY(:ids)"), {"ids": [other]},
        )).scalars())  # fmt: skip
        both = (await session.execute(text(
            "SELECT count(DISTINCT account_id) FROM costs WHERE tenant = 'acme'"
        ))).scalar_one()  # fmt: skip

    assert both == 2
    assert tables[1] in plan and tables[0] not in plan


async def test_a_cur_file_is_stored_frozen_so_no_vacuum_rewrites_its_partition(
    metering_service: MeteringService,
) -> None:
    lines = lines_for(PERIOD, 40)
    answer = await upload(metering_service, csv_gzip([cur_row(PERIOD, x) for x in lines]), "cur2")
    assert answer.status_code == 201, answer.text
    table = f"costs_d_{answer.json()['delivery']['id'].replace('-', '')}"

    async with metering_service.app.state.database.transaction() as session:
        pages, visible = (await session.execute(text(
            "SELECT relpages, relallvisible FROM pg_class WHERE relname = :t"
        ), {"t": table})).one()  # fmt: skip

    assert pages > 0 and visible == pages
