"""The embedded stack seeds the demo company and its admin into the gateway's directory."""

from __future__ import annotations

from nephos_common.auth import Role
from nephos_common.db import Database
from nephos_devstack.seeding import DEMO_ADMIN, DEMO_COMPANY, seed_directory
from nephos_gateway.directory import repository
from nephos_gateway.directory.service import resolve_access
from tests.fixtures.infra import DatabaseFactory


async def test_the_demo_admin_is_seeded_and_seeding_again_changes_nothing(
    databases: DatabaseFactory,
) -> None:
    url = await databases.create("nephos_gateway")
    await seed_directory(url)
    await seed_directory(url)  # every start of the stack does it again

    database = Database(url, pool_size=1)
    try:
        async with database.sessions() as session:
            access = await resolve_access(session, DEMO_ADMIN)
            company = await repository.company(session, DEMO_COMPANY)
            users = await repository.users_of(session, DEMO_COMPANY)
    finally:
        await database.dispose()
    assert (access.company_id, access.role) == (DEMO_COMPANY, Role.ADMIN)
    assert company is not None and company.name == "Demo"
    assert [(u.subject, role) for u, role in users] == [(DEMO_ADMIN, "admin")]
