"""Directory fields: the caller (``me``), companies, users and user groups of the company.

Every read and change is scoped by the company the request acts for
(``info.context.admitted``); ids of another company's users or groups are not
found. Changes are admin-only: the ``IsAdmin`` permission refuses others with
FORBIDDEN before any resolver runs. Each resolver reads what it shows in a
few queries of one session, whatever the number of users or groups.
"""

from __future__ import annotations

import uuid

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.directive import DirectiveLocation

from nephos_common.errors import NephosError
from nephos_gateway.directory import repository as repo
from nephos_gateway.directory import service
from nephos_gateway.directory.models import User as UserRow
from nephos_gateway.directory.models import UserGroup as GroupRow
from nephos_gateway.schema.context import GatewayContext
from nephos_gateway.schema.security import IsAdmin
from nephos_gateway.schema.types.common import UserError
from nephos_gateway.schema.types.directory import (
    Company,
    CompanyPayload,
    CreateCompanyInput,
    CreateUserGroupInput,
    CreateUserInput,
    DeleteUserGroupPayload,
    Me,
    RemoveUserPayload,
    User,
    UserGroup,
    UserGroupPayload,
    UserPayload,
    UserRole,
    directory_errors,
)
from nephos_gateway.schema.types.directory import user_ids as parse_user_ids

Info = strawberry.Info[GatewayContext]


@strawberry.directive(
    locations=[DirectiveLocation.QUERY, DirectiveLocation.MUTATION],
    description=(
        'Act for this company in the whole operation, e.g. `query @company(id: "acme") '
        "{ ... }`; the same as the X-Nephos-Tenant header, and it wins over the header."
    ),
)
def company(id: strawberry.ID) -> None:
    """Read before execution by ``security.Authentication``; nothing to do per field."""


async def _users(session: AsyncSession, company_id: str) -> dict[uuid.UUID, User]:
    rows = await repo.users_of(session, company_id)
    assigned = await repo.assigned_companies(
        session, user_ids=[u.id for u, _ in rows], group_ids=[]
    )
    return {user.id: User.of(user, role, assigned.get(user.id)) for user, role in rows}


async def _groups(
    session: AsyncSession, company_id: str, groups: list[GroupRow]
) -> list[UserGroup]:
    users = await _users(session, company_id)
    group_ids = [g.id for g in groups]
    members = await repo.group_members(session, group_ids)
    assigned = await repo.assigned_companies(session, user_ids=[], group_ids=group_ids)
    return [
        UserGroup.of(g, [users[u] for u in members.get(g.id, []) if u in users], assigned.get(g.id))
        for g in groups
    ]


async def _user(session: AsyncSession, company_id: str, user_id: uuid.UUID) -> User:
    return (await _users(session, company_id))[user_id]


async def _group(session: AsyncSession, company_id: str, group: GroupRow) -> UserGroup:
    return (await _groups(session, company_id, [group]))[0]


@strawberry.type
class DirectoryQuery:
    @strawberry.field(description="The caller, the companies they may act for, the current one.")
    async def me(self, info: Info) -> Me:
        access = info.context.admitted
        async with info.context.database.sessions() as session:
            companies = await repo.companies(session, sorted(access.roles))
            user = await _user_of_caller(session, access.user_id)
        listed = [Company.of(c, access.roles[c.id]) for c in companies]
        current = next(c for c in listed if c.id == access.company_id)
        return Me(user=user, companies=listed, current_company=current)

    @strawberry.field(
        description="Companies the caller may act for: their own, and for MSP staff the assigned."
    )
    async def companies(self, info: Info) -> list[Company]:
        access = info.context.admitted
        async with info.context.database.sessions() as session:
            found = await repo.companies(session, sorted(access.roles))
        return [Company.of(c, access.roles[c.id]) for c in found]

    @strawberry.field(description="The current company's users, by email.")
    async def users(self, info: Info) -> list[User]:
        company_id = info.context.admitted.company_id
        async with info.context.database.sessions() as session:
            return list((await _users(session, company_id)).values())

    @strawberry.field(description="The current company's user groups, by name.")
    async def user_groups(self, info: Info) -> list[UserGroup]:
        company_id = info.context.admitted.company_id
        async with info.context.database.sessions() as session:
            groups = await repo.groups_of(session, company_id)
            return await _groups(session, company_id, groups)


async def _user_of_caller(session: AsyncSession, user_id: uuid.UUID) -> User:
    found = await session.get(UserRow, user_id)
    assert found is not None  # admitted this request
    return User.of(found)


@strawberry.type
class DirectoryMutation:
    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Create a user in the company, or invite an existing one (same subject).",
    )
    async def create_user(self, info: Info, input: CreateUserInput) -> UserPayload:
        company_id = info.context.admitted.company_id
        try:
            async with info.context.directory_change() as session:
                user = await service.add_user(
                    session,
                    company_id,
                    subject=input.subject,
                    email=input.email,
                    name=input.name,
                    role=input.role.role,
                )
                shown = await _user(session, company_id, user.id)
        except NephosError as exc:
            return UserPayload(user_errors=directory_errors(exc, in_input=True))
        return UserPayload(user=shown)

    @strawberry.mutation(
        permission_classes=[IsAdmin], description="Set the user's direct role in the company."
    )
    async def set_user_role(
        self, info: Info, user_id: strawberry.ID, role: UserRole
    ) -> UserPayload:
        company_id = info.context.admitted.company_id
        try:
            async with info.context.directory_change() as session:
                (target,) = parse_user_ids([user_id])
                user = await service.set_role(session, company_id, target, role.role)
                shown = await _user(session, company_id, user.id)
        except NephosError as exc:
            return UserPayload(user_errors=directory_errors(exc, id_field="userId"))
        return UserPayload(user=shown)

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Disable (or enable again) a user of the company: a disabled user is refused.",
    )
    async def disable_user(
        self, info: Info, user_id: strawberry.ID, disabled: bool = True
    ) -> UserPayload:
        access = info.context.admitted
        try:
            async with info.context.directory_change() as session:
                (target,) = parse_user_ids([user_id])
                user = await service.set_disabled(session, access, target, disabled)
                shown = await _user(session, access.company_id, user.id)
        except NephosError as exc:
            return UserPayload(user_errors=directory_errors(exc, id_field="userId"))
        return UserPayload(user=shown)

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Take a user invited from another company out of this one; returns its id.",
    )
    async def remove_user(self, info: Info, user_id: strawberry.ID) -> RemoveUserPayload:
        access = info.context.admitted
        try:
            async with info.context.directory_change() as session:
                (target,) = parse_user_ids([user_id])
                await service.remove_user(session, access, target)
        except NephosError as exc:
            return RemoveUserPayload(user_errors=directory_errors(exc, id_field="userId"))
        return RemoveUserPayload(removed_id=user_id)

    @strawberry.mutation(permission_classes=[IsAdmin], description="Create a user group.")
    async def create_user_group(self, info: Info, input: CreateUserGroupInput) -> UserGroupPayload:
        company_id = info.context.admitted.company_id
        try:
            async with info.context.directory_change() as session:
                group = await service.create_group(session, company_id, input.name, input.role.role)
                shown = await _group(session, company_id, group)
        except NephosError as exc:
            return UserGroupPayload(user_errors=directory_errors(exc, in_input=True))
        return UserGroupPayload(user_group=shown)

    @strawberry.mutation(
        permission_classes=[IsAdmin], description="Rename a user group or change its role."
    )
    async def update_user_group(
        self,
        info: Info,
        id: strawberry.ID,
        name: str | None = None,
        role: UserRole | None = None,
    ) -> UserGroupPayload:
        company_id = info.context.admitted.company_id
        try:
            async with info.context.directory_change() as session:
                group_id = service.parse_id(str(id), "user group", "user_group_not_found")
                group = await service.update_group(
                    session, company_id, group_id, name=name, role=role.role if role else None
                )
                shown = await _group(session, company_id, group)
        except NephosError as exc:
            return UserGroupPayload(user_errors=directory_errors(exc))
        return UserGroupPayload(user_group=shown)

    @strawberry.mutation(
        permission_classes=[IsAdmin], description="Delete a user group; its users stay."
    )
    async def delete_user_group(self, info: Info, id: strawberry.ID) -> DeleteUserGroupPayload:
        company_id = info.context.admitted.company_id
        try:
            async with info.context.directory_change() as session:
                group_id = service.parse_id(str(id), "user group", "user_group_not_found")
                await service.delete_group(session, company_id, group_id)
        except NephosError as exc:
            return DeleteUserGroupPayload(user_errors=directory_errors(exc))
        return DeleteUserGroupPayload(deleted_id=id)

    @strawberry.mutation(
        permission_classes=[IsAdmin], description="Add users of the company to the group."
    )
    async def add_user_group_members(
        self, info: Info, id: strawberry.ID, user_ids: list[strawberry.ID]
    ) -> UserGroupPayload:
        company_id = info.context.admitted.company_id
        try:
            async with info.context.directory_change() as session:
                group_id = service.parse_id(str(id), "user group", "user_group_not_found")
                members = parse_user_ids(user_ids)
                group = await service.add_members(session, company_id, group_id, members)
                shown = await _group(session, company_id, group)
        except NephosError as exc:
            return UserGroupPayload(user_errors=_member_errors(exc))
        return UserGroupPayload(user_group=shown)

    @strawberry.mutation(permission_classes=[IsAdmin], description="Take a user out of the group.")
    async def remove_user_group_member(
        self, info: Info, id: strawberry.ID, user_id: strawberry.ID
    ) -> UserGroupPayload:
        company_id = info.context.admitted.company_id
        try:
            async with info.context.directory_change() as session:
                group_id = service.parse_id(str(id), "user group", "user_group_not_found")
                (member,) = parse_user_ids([user_id])
                group = await service.remove_member(session, company_id, group_id, member)
                shown = await _group(session, company_id, group)
        except NephosError as exc:
            return UserGroupPayload(user_errors=_member_errors(exc, "userId"))
        return UserGroupPayload(user_group=shown)

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description=(
            "MSP admins: set the customer companies a staff member may act for, with a role "
            "(an empty list removes them all)."
        ),
    )
    async def assign_companies_to_user(
        self, info: Info, user_id: strawberry.ID, company_ids: list[strawberry.ID], role: UserRole
    ) -> UserPayload:
        access = info.context.admitted
        try:
            async with info.context.directory_change() as session:
                (target,) = parse_user_ids([user_id])
                companies = [str(c) for c in company_ids]
                user = await service.assign_to_user(session, access, target, companies, role.role)
                shown = await _user(session, access.company_id, user.id)
        except NephosError as exc:
            return UserPayload(user_errors=directory_errors(exc, id_field="userId"))
        return UserPayload(user=shown)

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description=(
            "MSP admins: set the customer companies the group's members may act for, with the "
            "group's role (an empty list removes them all)."
        ),
    )
    async def assign_companies_to_group(
        self, info: Info, id: strawberry.ID, company_ids: list[strawberry.ID]
    ) -> UserGroupPayload:
        access = info.context.admitted
        try:
            async with info.context.directory_change() as session:
                group_id = service.parse_id(str(id), "user group", "user_group_not_found")
                companies = [str(c) for c in company_ids]
                group = await service.assign_to_group(session, access, group_id, companies)
                shown = await _group(session, access.company_id, group)
        except NephosError as exc:
            return UserGroupPayload(user_errors=directory_errors(exc))
        return UserGroupPayload(user_group=shown)

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="MSP admins: create a customer company; its creator becomes its admin.",
    )
    async def create_company(self, info: Info, input: CreateCompanyInput) -> CompanyPayload:
        access = info.context.admitted
        try:
            async with info.context.directory_change() as session:
                company = await service.create_managed_company(
                    session, access, company_id=str(input.id), name=input.name
                )
        except NephosError as exc:
            return CompanyPayload(user_errors=directory_errors(exc, in_input=True))
        return CompanyPayload(company=Company.of(company))


def _member_errors(exc: NephosError, user_field: str = "userIds") -> list[UserError]:
    """An unknown user is reported on the users argument, an unknown group on ``id``."""
    errors = directory_errors(exc)
    for error in errors:
        if error.code == "USER_NOT_FOUND":
            error.field = user_field
    return errors
