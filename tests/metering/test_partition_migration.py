"""Migrations of the costs tables keep every stored row and total: partitioning (0009),
per-account totals (0011), per-tag totals (0012), freshness per partition (0013),
per-group totals (0014), tag keys per partition (0015), tag builds queued again (0016), a
swap's totals grouped apart (0017), partitions indexed without their constants (0018), resource
keys tried as ARNs first (0019), resource ids compared byte by byte (0021), a swap's groupings
hashed in parallel (0022)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from decimal import Decimal

import asyncpg
from alembic import command

from nephos_common.migrations import alembic_config, upgrade_async
from nephos_metering.allocation.keys import resource_key
from tests.fixtures.infra import DatabaseFactory

PACKAGE = "nephos_metering"
DELIVERY = uuid.uuid4()
_TOTALS = (
    "SELECT dimension, key, day, billed_cost, row_count FROM cost_daily_totals ORDER BY 1, 2, 3"
)


@asynccontextmanager
async def _connected(url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        yield conn
    finally:
        await conn.close()


async def _downgrade(url: str, revision: str) -> None:
    await asyncio.to_thread(command.downgrade, alembic_config(PACKAGE, url), revision)


async def _seed(url: str) -> None:
    async with _connected(url) as conn:
        await conn.execute(
            "INSERT INTO deliveries (id, tenant, account_id, source, bucket, manifest_key, files,"
            " fingerprint, billing_period_start, billing_period_end, status, row_count)"
            " VALUES ($1, 'acme', $1, 'test', '', 'k', '[]', 'f', '2024-05-01Z', '2024-06-01Z',"
            " 'succeeded', 2)", DELIVERY,
        )  # fmt: skip
        await conn.execute(
            "INSERT INTO costs (tenant, account_id, delivery_id, billing_account_id,"
            " billing_period_start, billing_period_end, charge_period_start, charge_period_end,"
            " billed_cost, effective_cost, billing_currency, charge_category, service_name, tags)"
            " SELECT 'acme', $1, $1, '1111', '2024-05-01Z', '2024-06-01Z', d, d + interval '1 day',"
            " 1.25, 1.25, 'USD', 'Usage', 'Amazon EC2', '{}' FROM"
            " (VALUES ('2024-05-02Z'::timestamptz), ('2024-05-03Z')) AS v(d)", DELIVERY,
        )  # fmt: skip


async def _seeded(databases: DatabaseFactory, revision: str) -> str:
    """A new database at ``revision``, holding the seeded costs."""
    url = await databases.empty()
    await upgrade_async(PACKAGE, url, revision)
    await _seed(url)
    return url


async def _read(url: str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    async with _connected(url) as conn:
        rows = [tuple(r) for r in await conn.fetch("SELECT id, billed_cost FROM costs ORDER BY id")]
        totals = [tuple(r) for r in await conn.fetch(_TOTALS)]
    return rows, totals


async def test_stored_costs_survive_the_partitioning_both_ways(databases: DatabaseFactory) -> None:
    url = await _seeded(databases, "0008")
    before = await _read(url)

    await upgrade_async(PACKAGE, url, "0009")
    after = await _read(url)
    async with _connected(url) as conn:
        kind = await conn.fetchval("SELECT relkind::text FROM pg_class WHERE relname = 'costs'")
        next_id = await conn.fetchval("SELECT nextval('costs_id_seq')")
        left_in_default = await conn.fetchval("SELECT count(*) FROM costs_default")
        registered = await conn.fetch("SELECT table_name FROM cost_partitions")
        indexes = [
            await conn.fetchval("SELECT count(*) FROM pg_indexes WHERE tablename = $1", table)
            for table in ("costs", f"costs_d_{DELIVERY.hex}")
        ]

    assert after == before and len(before[0]) == 2 and before[1]
    assert kind == "p"
    assert left_in_default == 0
    assert [r["table_name"] for r in registered] == [f"costs_d_{DELIVERY.hex}"]
    assert indexes[0] == indexes[1] == 5
    assert next_id > max(int(str(row[0])) for row in before[0])

    await _downgrade(url, "0008")
    assert await _read(url) == before


_ACCOUNT_TOTALS = (
    "SELECT account_id, dimension, key, day, billed_cost, row_count"
    " FROM cost_account_daily_totals ORDER BY 1, 2, 3, 4"
)


async def test_account_totals_are_filled_from_stored_costs_and_kept_after(
    databases: DatabaseFactory,
) -> None:
    url = await _seeded(databases, "0010")
    _, company = await _read(url)

    await upgrade_async(PACKAGE, url, "0011")
    async with _connected(url) as conn:
        filled = [tuple(r) for r in await conn.fetch(_ACCOUNT_TOTALS)]
        await conn.execute(
            "DELETE FROM costs WHERE charge_period_start = '2024-05-03Z'"
        )  # the trigger takes the day out of both totals
        after_delete = [tuple(r) for r in await conn.fetch(_ACCOUNT_TOTALS)]

    assert [row[0] for row in filled] == [DELIVERY] * len(company)
    assert [row[1:] for row in filled] == company
    _, company_after = await _read(url)
    assert [row[1:] for row in after_delete] == company_after
    assert len(company_after) == len(company) // 2
    await _downgrade(url, "0010")
    _, company_down = await _read(url)
    assert company_down == company_after


_TAG_TOTALS = (
    "SELECT tag_key, tagged, tag_value, dimension, key, day, billed_cost, row_count"
    " FROM cost_tag_daily_totals ORDER BY 1, 2, 3, 4, 5, 6"
)


async def test_tag_totals_are_built_for_a_marked_key_kept_and_dropped_on_downgrade(
    databases: DatabaseFactory,
) -> None:
    url = await _seeded(databases, "0011")  # two untagged days
    await upgrade_async(PACKAGE, url, "0012")
    async with _connected(url) as conn:
        await conn.execute("INSERT INTO cost_allocation_tags (tenant, tag_key, marked_by)"
                           " VALUES ('acme', 'team', 'admin@acme')")  # fmt: skip
        built = await conn.fetchval("SELECT cost_tag_totals_build('acme', 'team')")
        untagged = [tuple(r) for r in await conn.fetch(_TAG_TOTALS)]
        await conn.execute(
            'UPDATE costs SET tags = \'{"team": "web"}\', billed_cost = 2'
            " WHERE charge_period_start = '2024-05-03Z'"
        )  # the trigger moves the day from untagged to web
        moved = [tuple(r) for r in await conn.fetch(_TAG_TOTALS)]

    assert built == len(untagged) == 2 * 4
    assert {(r[0], r[1], r[2]) for r in untagged} == {("team", False, None)}
    assert {(r[1], r[2], r[5].day) for r in moved} == {(False, None, 2), (True, "web", 3)}
    assert {r[6] for r in moved if r[1]} == {2} and len(moved) == 2 * 4
    await _downgrade(url, "0011")
    async with _connected(url) as conn:
        gone = await conn.fetchval("SELECT to_regclass('cost_tag_daily_totals')")
        await conn.execute("DELETE FROM costs WHERE charge_period_start = '2024-05-03Z'")
    _, company = await _read(url)
    assert gone is None
    assert {row[2] for row in company} == {date(2024, 5, 2)}


_INDEXED = "SELECT indexdef FROM pg_indexes WHERE tablename = $1 AND indexdef LIKE '%period_end%'"


async def test_partition_freshness_is_filled_and_its_index_moves_to_the_default_partition(
    databases: DatabaseFactory,
) -> None:
    url = await _seeded(databases, "0008")  # moved into the delivery's partition by 0009
    partition = f"costs_d_{DELIVERY.hex}"

    await upgrade_async(PACKAGE, url, "0013")
    async with _connected(url) as conn:
        recorded = await conn.fetchrow("SELECT account_id, data_through FROM cost_partitions")
        on_partition = await conn.fetch(_INDEXED, partition)
        on_default = await conn.fetch(_INDEXED, "costs_default")

    assert (recorded["account_id"], recorded["data_through"].isoformat()) == (
        DELIVERY, "2024-05-04T00:00:00+00:00")  # fmt: skip
    assert on_partition == [] and len(on_default) == 2
    await _downgrade(url, "0012")
    async with _connected(url) as conn:
        assert len(await conn.fetch(_INDEXED, partition)) == 1


_GROUP_TOTALS = (
    "SELECT group_id, dimension, key, day, billed_cost, row_count FROM cost_group_daily_totals"
    " ORDER BY 1, 2, 3, 4"
)
_ASSET = (
    "INSERT INTO allocation_assets (tenant, asset_id, account_id, provider, region, category,"
    " native_type, native_id, resource_keys, state, tags, spec, first_seen_at, updated_at)"
    " VALUES ('acme', $1, $1, 'aws', 'us-east-1', 'server', 'aws.ec2.instance', $2, $3,"
    " 'running', '{}', '{}', now(), now())"
)


async def test_group_totals_are_built_for_every_group_kept_and_dropped_on_downgrade(
    databases: DatabaseFactory,
) -> None:
    url = await _seeded(databases, "0013")
    group, asset = uuid.uuid4(), uuid.uuid4()
    async with _connected(url) as conn:
        await conn.execute("UPDATE costs SET resource_id = 'arn:aws:ec2:us-east-1:1:instance/"
                           "i-0web' WHERE charge_period_start = '2024-05-02Z'")  # fmt: skip
        await conn.execute(_ASSET, asset, "i-0web", ["i-0web"])
        await conn.execute("INSERT INTO allocation_groups (tenant, group_id, name)"
                           " VALUES ('acme', $1, 'shop')", group)  # fmt: skip
        await conn.execute("INSERT INTO allocation_group_members (tenant, group_id, asset_id)"
                           " VALUES ('acme', $1, $2)", group, asset)  # fmt: skip

    await upgrade_async(PACKAGE, url, "0014")
    async with _connected(url) as conn:
        built = [tuple(r) for r in await conn.fetch(_GROUP_TOTALS)]
        ready = await conn.fetchval("SELECT totals_ready_at FROM allocation_groups")
        await conn.execute("UPDATE costs SET resource_id = 'i-0web'"
                           " WHERE charge_period_start = '2024-05-03Z'")  # fmt: skip
        followed = [tuple(r) for r in await conn.fetch(_GROUP_TOTALS)]

    assert ready is not None
    assert {(r[0], r[3].day, r[4], r[5]) for r in built} == {(group, 2, Decimal("1.25"), 1)}
    assert len(built) == 4  # one per dimension
    assert {r[3].day for r in followed} == {2, 3} and len(followed) == 2 * 4
    await _downgrade(url, "0013")
    async with _connected(url) as conn:
        gone = await conn.fetchval("SELECT to_regclass('cost_group_daily_totals')")
        view = await conn.fetchval("SELECT to_regclass('allocation_group_keys')")
        await conn.execute("DELETE FROM costs WHERE charge_period_start = '2024-05-03Z'")
    _, company = await _read(url)
    assert gone is None and view is None
    assert {row[2] for row in company} == {date(2024, 5, 2)}


async def test_partition_tag_keys_are_listed_for_the_partitions_held_and_go_on_downgrade(
    databases: DatabaseFactory,
) -> None:
    url = await _seeded(databases, "0008")  # moved into the delivery's partition by 0009
    _COLUMN = "SELECT count(*) FROM information_schema.columns WHERE column_name = 'tag_keys'"

    async with _connected(url) as conn:  # one row tagged
        await conn.execute('UPDATE costs SET tags = \'{"team": "web", "env": "prod"}\''
                           " WHERE charge_period_start = '2024-05-02Z'")  # fmt: skip
    await upgrade_async(PACKAGE, url, "0015")
    async with _connected(url) as conn:
        listed = await conn.fetchval("SELECT tag_keys FROM cost_partitions")
    await _downgrade(url, "0014")
    async with _connected(url) as conn:
        columns = await conn.fetchval(_COLUMN)

    assert listed == ["env", "team"]
    assert columns == 0


async def test_tag_build_queued_at_comes_and_goes(databases: DatabaseFactory) -> None:
    url = await databases.empty()
    query = (
        "SELECT count(*) FROM information_schema.columns"
        " WHERE table_name = 'cost_allocation_tags' AND column_name = 'build_queued_at'"
    )

    await upgrade_async(PACKAGE, url, "0016")
    async with _connected(url) as conn:
        added = await conn.fetchval(query)
    await _downgrade(url, "0015")
    async with _connected(url) as conn:
        dropped = await conn.fetchval(query)

    assert (added, dropped) == (1, 0)


async def test_a_swap_subtracts_and_adds_a_partition_as_its_rows_sum(
    databases: DatabaseFactory,
) -> None:
    url = await _seeded(databases, "0008")
    await upgrade_async(PACKAGE, url, "0017")
    apply = "SELECT cost_daily_totals_apply($1::regclass, $2)"
    _, before = await _read(url)

    async with _connected(url) as conn, conn.transaction():
        await conn.execute(apply, f"costs_d_{DELIVERY.hex}", -1)
        emptied = await conn.fetch(_TOTALS)
        await conn.execute(apply, f"costs_d_{DELIVERY.hex}", 1)
    _, after = await _read(url)

    assert before and len(before) == 8  # two days, four dimensions
    assert emptied == []
    assert after == before


_INDEXES = "SELECT indexdef FROM pg_indexes WHERE tablename = $1"


async def _indexes(url: str, *tables: str) -> list[list[str]]:
    async with _connected(url) as conn:
        return [sorted(r["indexdef"].split(" USING ")[1] for r in await conn.fetch(_INDEXES, t))
                for t in tables]  # fmt: skip


async def _account_bounds(url: str, table: str) -> list[str]:
    async with _connected(url) as conn:
        return [r[0] for r in await conn.fetch(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = $1",
            f"{table}_account",
        )]  # fmt: skip


async def test_partitions_are_indexed_without_their_constants_and_back_on_downgrade(
    databases: DatabaseFactory,
) -> None:
    url = await _seeded(databases, "0008")
    tables = ("costs", f"costs_d_{DELIVERY.hex}", "costs_partition_template")
    await upgrade_async(PACKAGE, url, "0017")
    held = await _read(url)

    await upgrade_async(PACKAGE, url, "0018")
    parent, partition, template = await _indexes(url, *tables)
    bounds = await _account_bounds(url, tables[1])
    upgraded = await _read(url)
    await _downgrade(url, "0017")
    back = await _indexes(url, *tables[:2])
    bounds_after = await _account_bounds(url, tables[1])

    assert parent == []
    assert partition == template == [
        "btree (charge_period_start)", "btree (metering_resource_key(resource_id))",
        "gin (tags jsonb_path_ops)",
    ]  # fmt: skip
    assert bounds == [f"CHECK ((account_id = '{DELIVERY}'::uuid))"]
    assert bounds_after == []
    assert upgraded == held
    assert back[0] == back[1] == [
        "btree (tenant, account_id, charge_period_start)", "btree (tenant, charge_period_start)",
        "btree (tenant, metering_resource_key(resource_id))", "gin (tags)",
    ]  # fmt: skip


_RESOURCE_IDS = [
    "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc", "arn:aws:s3:::bucket-a", "vol-0abc",
    "/SUBSCRIPTIONS/S1/resourceGroups/RG/providers/Microsoft.Compute/virtualMachines/VM1",
    "/subscriptions/s1/x/arn:y", "ARN:aws:upper", "", "arn:ends:with/",
]  # fmt: skip


async def test_resource_keys_are_the_same_with_arns_tried_first(
    databases: DatabaseFactory,
) -> None:
    url = await databases.empty()
    query = "SELECT metering_resource_key(r) FROM unnest($1::text[]) WITH ORDINALITY AS u(r, n)"
    await upgrade_async(PACKAGE, url, "0018")
    async with _connected(url) as conn:
        before = [r[0] for r in await conn.fetch(query + " ORDER BY n", _RESOURCE_IDS)]
    await upgrade_async(PACKAGE, url, "0019")
    async with _connected(url) as conn:
        after = [r[0] for r in await conn.fetch(query + " ORDER BY n", _RESOURCE_IDS)]

    assert after == before == [resource_key(r) for r in _RESOURCE_IDS]
    assert after[0] == "i-0abc" and after[3] == _RESOURCE_IDS[3].lower()


async def test_a_partition_holding_rows_of_two_accounts_is_not_bounded_to_one(
    databases: DatabaseFactory,
) -> None:
    url = await _seeded(databases, "0008")
    await upgrade_async(PACKAGE, url, "0017")
    async with _connected(url) as conn:  # straight into the delivery's partition
        await conn.execute(
            "INSERT INTO costs (tenant, account_id, delivery_id, billing_account_id,"
            " billing_period_start, billing_period_end, charge_period_start, charge_period_end,"
            " billed_cost, effective_cost, billing_currency, charge_category, tags)"
            " VALUES ('acme', $1, $1, '1111', '2024-05-01Z', '2024-06-01Z', '2024-05-04Z',"
            " '2024-05-05Z', 2, 2, 'USD', 'Usage', '{}')", uuid.uuid4(),
        )  # fmt: skip
    held = await _read(url)

    await upgrade_async(PACKAGE, url, "0018")

    assert await _account_bounds(url, f"costs_d_{DELIVERY.hex}") == []
    assert await _read(url) == held and len(held[0]) == 3


_KEYED = "SELECT resource_id, metering_resource_key(resource_id) FROM costs WHERE resource_id <> ''"
_KEY_COLLATIONS = """
    SELECT DISTINCT l.collname FROM pg_index AS i
    JOIN pg_class AS c ON c.oid = i.indexrelid
    JOIN pg_collation AS l ON l.oid = i.indcollation[i.indnatts - 1]
    WHERE c.relname LIKE '%resource_key%' AND i.indrelid::regclass::text LIKE 'costs%'
"""
"""The collation of every costs key index's last column: the key."""


async def _keyed(url: str, key: str) -> tuple[dict[str, str], list[str], str]:
    """Every stored id with its key, the collations of the key indexes, and the plan of a
    question for ``key`` (sequential scans off: the index if the question can use it)."""
    async with _connected(url) as conn:
        keys = {r[0]: r[1] for r in await conn.fetch(_KEYED)}
        collations = [r[0] for r in await conn.fetch(_KEY_COLLATIONS)]
        await conn.execute("SET enable_seqscan = off")
        plan = "\n".join(r[0] for r in await conn.fetch(
            "EXPLAIN SELECT * FROM costs WHERE tenant = 'acme'"
            " AND metering_resource_key(resource_id) = ANY($1::text[])", [key],
        ))  # fmt: skip
    return keys, collations, plan


async def test_resource_ids_compare_byte_by_byte_with_the_same_keys_and_back_on_downgrade(
    databases: DatabaseFactory,
) -> None:
    azure = "/SUBSCRIPTIONS/S1/resourceGroups/RÉSEAU/providers/Microsoft.Network/x/Ünï"
    url = await _seeded(databases, "0008")
    await upgrade_async(PACKAGE, url, "0020")
    async with _connected(url) as conn:  # into the delivery's partition, as a swap leaves them
        await conn.execute(
            "INSERT INTO costs (tenant, account_id, delivery_id, billing_account_id,"
            " billing_period_start, billing_period_end, charge_period_start, charge_period_end,"
            " billed_cost, effective_cost, billing_currency, charge_category, resource_id, tags)"
            " SELECT 'acme', $1, $1, '1111', '2024-05-01Z', '2024-06-01Z', '2024-05-04Z',"
            " '2024-05-05Z', 1, 1, 'USD', 'Usage', r, '{}' FROM unnest($2::text[]) AS r",
            DELIVERY, [*_RESOURCE_IDS, azure],
        )  # fmt: skip

    await upgrade_async(PACKAGE, url, "0021")
    keys, collations, plan = await _keyed(url, resource_key(azure))
    await _downgrade(url, "0020")
    back, collations_back, _ = await _keyed(url, resource_key(azure))

    assert keys == back == {r: resource_key(r) for r in [*_RESOURCE_IDS, azure] if r}
    assert keys[azure] == azure.lower()
    assert collations == ["C"] and collations_back == ["default"]
    assert f"costs_d_{DELIVERY.hex}" in plan and "Index" in plan


async def _apply_settings(url: str) -> list[str]:
    async with _connected(url) as conn:
        return list(await conn.fetchval(
            "SELECT coalesce(proconfig, '{}') FROM pg_proc"
            " WHERE oid = 'cost_daily_totals_apply(regclass, integer)'::regprocedure"
        ))  # fmt: skip


async def test_a_swap_groups_without_sorting_and_as_before_on_downgrade(
    databases: DatabaseFactory,
) -> None:
    url = await databases.empty()
    await upgrade_async(PACKAGE, url, "0022")
    upgraded = await _apply_settings(url)
    await _downgrade(url, "0021")

    assert sorted(upgraded) == ["enable_sort=off", "parallel_tuple_cost=0.001", "work_mem=256MB"]
    assert await _apply_settings(url) == ["work_mem=256MB"]
