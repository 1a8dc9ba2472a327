"""Who the caller is and what they may do: access decisions and the admins' directory changes.

The gateway is the door: a verified token only says who the user is; which
companies they may act for, and with which role, comes from here. Services
then trust the company and role of the internal token the gateway signs.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal, Role
from nephos_common.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from nephos_gateway.directory import repository as repo
from nephos_gateway.directory.models import (
    Company,
    CompanyKind,
    Membership,
    User,
    UserAssignment,
    UserGroup,
)

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")


@dataclass(frozen=True)
class Access:
    """The decision for one request: the user, the company they act for, and their role there."""

    user_id: uuid.UUID
    subject: str
    email: str
    name: str
    home_company_id: str
    company_id: str
    role: Role
    roles: dict[str, Role] = field(default_factory=dict)
    """Every company the user may act for, with their role there."""

    def principal(self, token: str) -> Principal:
        """The caller as the rest of the gateway sees it; ``token`` is the user's own."""
        return Principal(
            subject=self.subject,
            tenant=self.company_id,
            role=self.role,
            tenants=frozenset(self.roles),
            token=token,
        )


def role_of(value: str) -> Role:
    try:
        return Role[value.upper()]
    except KeyError:
        raise InvalidInput(f"unknown role {value!r}", code="invalid_role", field="role") from None


def highest_roles(grants: list[tuple[str, str]]) -> dict[str, Role]:
    roles: dict[str, Role] = {}
    for company_id, role in grants:
        roles[company_id] = max(roles.get(company_id, Role.VIEWER), Role[role.upper()])
    return roles


def _pick_company(roles: dict[str, Role], home: str, wanted: str | None, hint: str | None) -> str:
    """The asked company; else the token's preferred one, the home company, or the only one."""
    if wanted:
        return wanted
    for candidate in (hint, home):
        if candidate and candidate in roles:
            return candidate
    if len(roles) == 1:
        return next(iter(roles))
    return home


async def resolve_access(
    session: AsyncSession, subject: str, *, wanted: str | None = None, hint: str | None = None
) -> Access:
    """Refuses unknown and disabled users, and companies the user may not act for."""
    user = await repo.user_by_subject(session, subject)
    if user is None:
        raise Unauthenticated("this user is not known to Nephos", code="unknown_user")
    if user.disabled:
        raise Forbidden("this user is disabled", code="user_disabled")
    roles = highest_roles(await repo.grants(session, user.id))
    company_id = _pick_company(roles, user.home_company_id, wanted, hint)
    if company_id not in roles:
        raise Forbidden(f"not allowed to act for company {company_id!r}", code="tenant_forbidden")
    return Access(
        user_id=user.id,
        subject=user.subject,
        email=user.email,
        name=user.name,
        home_company_id=user.home_company_id,
        company_id=company_id,
        role=roles[company_id],
        roles=roles,
    )


def require_admin(access: Access) -> None:
    if access.role < Role.ADMIN:
        raise Forbidden("this action needs the admin role", code="forbidden")


def parse_id(value: str, what: str, code: str) -> uuid.UUID:
    """An id from the caller; one that is not a UUID names nothing, so it is not found."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound(f"{what} {value} not found", code=code) from None


def _text(value: str, field_name: str, limit: int) -> str:
    cleaned = value.strip()
    if not cleaned or len(cleaned) > limit:
        raise InvalidInput(
            f"{field_name} must be 1 to {limit} characters", code="invalid_input", field=field_name
        )
    return cleaned


# --- companies -------------------------------------------------------------------------------


async def create_company(
    session: AsyncSession,
    *,
    company_id: str,
    name: str,
    kind: CompanyKind = CompanyKind.CUSTOMER,
    managed_by: str | None = None,
) -> Company:
    if not SLUG.match(company_id):
        raise InvalidInput(
            "a company id is lowercase letters, digits, '-' or '_' (at most 100)",
            code="invalid_company_id",
            field="id",
        )
    if await repo.company(session, company_id) is not None:
        raise Conflict(f"company {company_id!r} exists", code="company_exists", field="id")
    company = Company(
        id=company_id, name=_text(name, "name", 200), kind=kind.value, managed_by=managed_by
    )
    session.add(company)
    await session.flush()
    return company


async def create_managed_company(
    session: AsyncSession, access: Access, *, company_id: str, name: str
) -> Company:
    """An MSP admin creates a customer company; they become its admin through an assignment."""
    require_admin(access)
    msp = await repo.company(session, access.company_id)
    if msp is None or msp.kind != CompanyKind.MSP.value:
        raise Forbidden("only an MSP's admins may create companies", code="forbidden")
    company = await create_company(
        session, company_id=company_id, name=name, managed_by=access.company_id
    )
    session.add(UserAssignment(user_id=access.user_id, company_id=company.id, role="admin"))
    await session.flush()
    return company


# --- users -----------------------------------------------------------------------------------


async def add_user(
    session: AsyncSession,
    company_id: str,
    *,
    subject: str,
    email: str,
    name: str,
    role: Role,
) -> User:
    """Create the user in the company, or invite an existing user (same subject) into it."""
    user = await repo.user_by_subject(session, subject.strip())
    if user is None:
        user = User(
            subject=_text(subject, "subject", 255),
            email=_text(email, "email", 320),
            name=_text(name, "name", 200),
            home_company_id=company_id,
        )
        session.add(user)
        await session.flush()
    elif await repo.membership(session, user.id, company_id) is not None:
        raise Conflict(
            f"{subject!r} is already a user of this company", code="user_exists", field="subject"
        )
    session.add(Membership(user_id=user.id, company_id=company_id, role=role.name.lower()))
    await session.flush()
    return user


async def set_role(session: AsyncSession, company_id: str, user_id: uuid.UUID, role: Role) -> User:
    user = await repo.user_of(session, company_id, user_id)
    found = await repo.membership(session, user.id, company_id)
    if found is None:
        session.add(Membership(user_id=user.id, company_id=company_id, role=role.name.lower()))
    else:
        found.role = role.name.lower()
    await session.flush()
    return user


async def set_disabled(
    session: AsyncSession, access: Access, user_id: uuid.UUID, disabled: bool
) -> User:
    """Only the user's home company may disable them; nobody may lock themselves out."""
    user = await repo.user_of(session, access.company_id, user_id)
    if user.home_company_id != access.company_id:
        raise Conflict(
            "this user belongs to another company; remove them from this one instead",
            code="user_of_another_company",
            field="userId",
        )
    if user.id == access.user_id and disabled:
        raise Conflict("you cannot disable yourself", code="cannot_disable_self", field="userId")
    user.disabled = disabled
    await session.flush()
    return user


async def remove_user(session: AsyncSession, access: Access, user_id: uuid.UUID) -> User:
    """Take an invited user out of the company; a user made here is disabled instead."""
    user = await repo.user_of(session, access.company_id, user_id)
    if user.home_company_id == access.company_id:
        raise Conflict(
            "this user was created in this company; disable them instead",
            code="user_of_this_company",
            field="userId",
        )
    await repo.remove_from_company(session, access.company_id, user.id)
    return user


# --- user groups -----------------------------------------------------------------------------


async def create_group(session: AsyncSession, company_id: str, name: str, role: Role) -> UserGroup:
    name = _text(name, "name", 200)
    if await repo.group_name_taken(session, company_id, name):
        raise Conflict(f"a user group named {name!r} exists", code="group_name_taken", field="name")
    group = UserGroup(company_id=company_id, name=name, role=role.name.lower())
    session.add(group)
    await session.flush()
    return group


async def update_group(
    session: AsyncSession,
    company_id: str,
    group_id: uuid.UUID,
    *,
    name: str | None = None,
    role: Role | None = None,
) -> UserGroup:
    group = await repo.group(session, company_id, group_id)
    if name is not None:
        name = _text(name, "name", 200)
        if await repo.group_name_taken(session, company_id, name, except_id=group.id):
            raise Conflict(
                f"a user group named {name!r} exists", code="group_name_taken", field="name"
            )
        group.name = name
    if role is not None:
        group.role = role.name.lower()
    await session.flush()
    return group


async def delete_group(session: AsyncSession, company_id: str, group_id: uuid.UUID) -> None:
    group = await repo.group(session, company_id, group_id)
    await session.delete(group)
    await session.flush()


async def add_members(
    session: AsyncSession, company_id: str, group_id: uuid.UUID, user_ids: list[uuid.UUID]
) -> UserGroup:
    group = await repo.group(session, company_id, group_id)
    for user_id in user_ids:
        await repo.user_of(session, company_id, user_id)
    if user_ids:
        await repo.add_group_members(session, group.id, user_ids)
    return group


async def remove_member(
    session: AsyncSession, company_id: str, group_id: uuid.UUID, user_id: uuid.UUID
) -> UserGroup:
    group = await repo.group(session, company_id, group_id)
    await repo.remove_group_member(session, group.id, user_id)
    return group


# --- MSP assignments -------------------------------------------------------------------------


async def _assignable(session: AsyncSession, msp_id: str, company_ids: list[str]) -> list[str]:
    """The companies, all managed by this MSP; any other is refused as not found."""
    msp = await repo.company(session, msp_id)
    if msp is None or msp.kind != CompanyKind.MSP.value:
        raise Forbidden("only an MSP's admins may assign companies", code="forbidden")
    wanted = sorted(set(company_ids))
    managed = await repo.managed_companies(session, msp_id, wanted)
    unknown = [c for c in wanted if c not in managed]
    if unknown:
        raise NotFound(
            f"no company {unknown[0]!r} managed by this MSP",
            code="company_not_found",
            field="companyIds",
        )
    return wanted


async def assign_to_user(
    session: AsyncSession, access: Access, user_id: uuid.UUID, company_ids: list[str], role: Role
) -> User:
    """Replace the customer companies the staff member may act for (empty: none)."""
    require_admin(access)
    companies = await _assignable(session, access.company_id, company_ids)
    user = await repo.user_of(session, access.company_id, user_id)
    if user.home_company_id != access.company_id:
        raise Conflict(
            "only the MSP's own staff can be assigned companies",
            code="user_of_another_company",
            field="userId",
        )
    await repo.replace_user_assignments(session, user.id, companies, role.name.lower())
    return user


async def assign_to_group(
    session: AsyncSession, access: Access, group_id: uuid.UUID, company_ids: list[str]
) -> UserGroup:
    """Replace the customer companies the group's members may act for, with its role."""
    require_admin(access)
    companies = await _assignable(session, access.company_id, company_ids)
    group = await repo.group(session, access.company_id, group_id)
    await repo.replace_group_assignments(session, group.id, companies)
    return group


# --- bootstrap -------------------------------------------------------------------------------


async def bootstrap(
    session: AsyncSession,
    *,
    company_id: str,
    company_name: str,
    kind: CompanyKind,
    subject: str,
    email: str,
    name: str,
) -> User:
    """The first company and its first admin of a fresh deployment; refused once anyone exists."""
    if await repo.any_user(session):
        raise Conflict(
            "this deployment has users already; admins add the others", code="bootstrapped"
        )
    await create_company(session, company_id=company_id, name=company_name, kind=kind)
    return await add_user(
        session, company_id, subject=subject, email=email, name=name, role=Role.ADMIN
    )
