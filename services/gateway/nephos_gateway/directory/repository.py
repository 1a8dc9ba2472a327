"""Every query of the directory; reads of a company's users and groups are scoped by company."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import ColumnElement, delete, or_, select, union_all
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.errors import NotFound
from nephos_gateway.directory.models import (
    Company,
    GroupAssignment,
    GroupMember,
    Membership,
    User,
    UserAssignment,
    UserGroup,
)


async def company(session: AsyncSession, company_id: str) -> Company | None:
    return await session.get(Company, company_id)


async def companies(session: AsyncSession, ids: list[str]) -> list[Company]:
    rows = await session.scalars(select(Company).where(Company.id.in_(ids)).order_by(Company.name))
    return list(rows)


async def user_by_subject(session: AsyncSession, subject: str) -> User | None:
    return await session.scalar(select(User).where(User.subject == subject))


async def any_user(session: AsyncSession) -> bool:
    return await session.scalar(select(User.id).limit(1)) is not None


async def grants(session: AsyncSession, user_id: uuid.UUID) -> list[tuple[str, str]]:
    """Every (company, role) the user holds: direct, through groups, and as MSP staff.

    One round trip whatever the number of groups; the caller keeps the highest
    role per company.
    """
    member_groups = select(GroupMember.group_id).where(GroupMember.user_id == user_id)
    direct = select(Membership.company_id, Membership.role).where(Membership.user_id == user_id)
    by_group = select(UserGroup.company_id, UserGroup.role).where(UserGroup.id.in_(member_groups))
    assigned = select(UserAssignment.company_id, UserAssignment.role).where(
        UserAssignment.user_id == user_id
    )
    assigned_to_group = (
        select(GroupAssignment.company_id, UserGroup.role)
        .join(UserGroup, UserGroup.id == GroupAssignment.group_id)
        .where(GroupAssignment.group_id.in_(member_groups))
    )
    rows = await session.execute(union_all(direct, by_group, assigned, assigned_to_group))
    return [(str(company_id), str(role)) for company_id, role in rows]


def _of_company(company_id: str) -> ColumnElement[bool]:
    in_company = select(Membership.user_id).where(Membership.company_id == company_id)
    return or_(User.home_company_id == company_id, User.id.in_(in_company))


async def user_of(session: AsyncSession, company_id: str, user_id: uuid.UUID) -> User:
    """A user of the company (created there or a member); any other id is not found."""
    user = await session.scalar(select(User).where(User.id == user_id, _of_company(company_id)))
    if user is None:
        raise NotFound(f"user {user_id} not found", code="user_not_found")
    return user


async def users_of(session: AsyncSession, company_id: str) -> list[tuple[User, str | None]]:
    """The company's users with their direct role there (None: only through groups)."""
    rows = await session.execute(
        select(User, Membership.role)
        .outerjoin(
            Membership, (Membership.user_id == User.id) & (Membership.company_id == company_id)
        )
        .where(_of_company(company_id))
        .order_by(User.email)
    )
    return [(user, role) for user, role in rows]


async def membership(
    session: AsyncSession, user_id: uuid.UUID, company_id: str
) -> Membership | None:
    return await session.get(Membership, (user_id, company_id))


async def group(session: AsyncSession, company_id: str, group_id: uuid.UUID) -> UserGroup:
    found = await session.scalar(
        select(UserGroup).where(UserGroup.company_id == company_id, UserGroup.id == group_id)
    )
    if found is None:
        raise NotFound(f"user group {group_id} not found", code="user_group_not_found")
    return found


async def groups_of(session: AsyncSession, company_id: str) -> list[UserGroup]:
    rows = await session.scalars(
        select(UserGroup).where(UserGroup.company_id == company_id).order_by(UserGroup.name)
    )
    return list(rows)


async def group_name_taken(
    session: AsyncSession, company_id: str, name: str, except_id: uuid.UUID | None = None
) -> bool:
    query = select(UserGroup.id).where(UserGroup.company_id == company_id, UserGroup.name == name)
    if except_id is not None:
        query = query.where(UserGroup.id != except_id)
    return await session.scalar(query) is not None


async def group_members(
    session: AsyncSession, group_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    rows = await session.execute(
        select(GroupMember.group_id, GroupMember.user_id).where(GroupMember.group_id.in_(group_ids))
    )
    found: defaultdict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for group_id, user_id in rows:
        found[group_id].append(user_id)
    return found


async def add_group_members(
    session: AsyncSession, group_id: uuid.UUID, user_ids: list[uuid.UUID]
) -> None:
    rows = [{"group_id": group_id, "user_id": u} for u in user_ids]
    await session.execute(insert(GroupMember).values(rows).on_conflict_do_nothing())


async def remove_group_member(
    session: AsyncSession, group_id: uuid.UUID, user_id: uuid.UUID
) -> None:
    await session.execute(
        delete(GroupMember).where(GroupMember.group_id == group_id, GroupMember.user_id == user_id)
    )


async def managed_companies(session: AsyncSession, msp_id: str, ids: list[str]) -> set[str]:
    """Which of ``ids`` the MSP manages."""
    rows = await session.scalars(
        select(Company.id).where(Company.id.in_(ids), Company.managed_by == msp_id)
    )
    return set(rows)


async def replace_user_assignments(
    session: AsyncSession, user_id: uuid.UUID, company_ids: list[str], role: str
) -> None:
    await session.execute(delete(UserAssignment).where(UserAssignment.user_id == user_id))
    if company_ids:
        rows = [{"user_id": user_id, "company_id": c, "role": role} for c in company_ids]
        await session.execute(insert(UserAssignment).values(rows))


async def replace_group_assignments(
    session: AsyncSession, group_id: uuid.UUID, company_ids: list[str]
) -> None:
    await session.execute(delete(GroupAssignment).where(GroupAssignment.group_id == group_id))
    if company_ids:
        rows = [{"group_id": group_id, "company_id": c} for c in company_ids]
        await session.execute(insert(GroupAssignment).values(rows))


async def assigned_companies(
    session: AsyncSession, *, user_ids: list[uuid.UUID], group_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    """Companies assigned to each user or group (keys are the users' and groups' ids)."""
    by_user = select(UserAssignment.user_id, UserAssignment.company_id).where(
        UserAssignment.user_id.in_(user_ids)
    )
    by_group = select(GroupAssignment.group_id, GroupAssignment.company_id).where(
        GroupAssignment.group_id.in_(group_ids)
    )
    found: defaultdict[uuid.UUID, list[str]] = defaultdict(list)
    for owner, company_id in await session.execute(union_all(by_user, by_group)):
        found[owner].append(company_id)
    return found


async def remove_from_company(session: AsyncSession, company_id: str, user_id: uuid.UUID) -> None:
    """The user's direct role and group memberships in the company; elsewhere untouched."""
    await session.execute(
        delete(Membership).where(Membership.user_id == user_id, Membership.company_id == company_id)
    )
    company_groups = select(UserGroup.id).where(UserGroup.company_id == company_id)
    await session.execute(
        delete(GroupMember).where(
            GroupMember.user_id == user_id, GroupMember.group_id.in_(company_groups)
        )
    )
