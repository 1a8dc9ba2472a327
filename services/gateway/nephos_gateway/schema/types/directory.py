"""Companies, users and user groups as the portal shows them; roles as an enum."""

from __future__ import annotations

import enum
import uuid

import strawberry

from nephos_common.auth import Role
from nephos_common.errors import Conflict, Forbidden, InvalidInput, NephosError, NotFound
from nephos_gateway.directory import models
from nephos_gateway.directory.service import parse_id
from nephos_gateway.schema.security import auth_error
from nephos_gateway.schema.types.common import UserError


@strawberry.enum(description="What a user may do in a company; each includes the lower ones.")
class UserRole(enum.Enum):
    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"

    @property
    def role(self) -> Role:
        return Role[self.name]

    @classmethod
    def of(cls, role: Role | str) -> UserRole:
        return cls(role.name.lower() if isinstance(role, Role) else role)


@strawberry.enum
class CompanyKind(enum.Enum):
    CUSTOMER = "customer"
    MSP = "msp"


@strawberry.type(description="A tenant: every object of Nephos belongs to exactly one company.")
class Company:
    id: strawberry.ID = strawberry.field(description="The company's slug, e.g. acme.")
    name: str
    kind: CompanyKind
    role: UserRole | None = strawberry.field(
        default=None, description="The caller's role in this company."
    )

    @classmethod
    def of(cls, company: models.Company, role: Role | None = None) -> Company:
        return cls(
            id=strawberry.ID(company.id),
            name=company.name,
            kind=CompanyKind(company.kind),
            role=UserRole.of(role) if role is not None else None,
        )


@strawberry.type(description="A person known to the identity provider by their subject.")
class User:
    id: strawberry.ID
    subject: str = strawberry.field(description="The identity provider's `sub`.")
    email: str
    name: str
    disabled: bool
    home_company_id: strawberry.ID
    role: UserRole | None = strawberry.field(
        default=None,
        description="Direct role in the current company (groups may grant more); null: none.",
    )
    assigned_company_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="MSP staff: customer companies assigned to them."
    )

    @classmethod
    def of(
        cls, user: models.User, role: str | None = None, assigned: list[str] | None = None
    ) -> User:
        return cls(
            id=strawberry.ID(str(user.id)),
            subject=user.subject,
            email=user.email,
            name=user.name,
            disabled=user.disabled,
            home_company_id=strawberry.ID(user.home_company_id),
            role=UserRole.of(role) if role else None,
            assigned_company_ids=[strawberry.ID(c) for c in sorted(assigned or [])],
        )


@strawberry.type(description="Users of a company who share a role.")
class UserGroup:
    id: strawberry.ID
    name: str
    role: UserRole
    members: list[User]
    assigned_company_ids: list[strawberry.ID] = strawberry.field(
        description="MSP groups: customer companies every member may act for, with this role."
    )

    @classmethod
    def of(
        cls, group: models.UserGroup, members: list[User], assigned: list[str] | None = None
    ) -> UserGroup:
        return cls(
            id=strawberry.ID(str(group.id)),
            name=group.name,
            role=UserRole.of(group.role),
            members=sorted(members, key=lambda u: u.email),
            assigned_company_ids=[strawberry.ID(c) for c in sorted(assigned or [])],
        )


@strawberry.type(description="The caller: who they are and where they may act.")
class Me:
    user: User
    companies: list[Company] = strawberry.field(
        description="Every company the caller may act for, with their role there."
    )
    current_company: Company = strawberry.field(
        description="The company this request acts for (X-Nephos-Tenant, or the default)."
    )


@strawberry.input
class CreateUserInput:
    subject: str = strawberry.field(description="The identity provider's `sub` of the person.")
    email: str
    name: str
    role: UserRole = UserRole.VIEWER


@strawberry.input
class CreateUserGroupInput:
    name: str
    role: UserRole = UserRole.VIEWER


@strawberry.input
class CreateCompanyInput:
    id: strawberry.ID = strawberry.field(description="The slug: lowercase letters, digits, - or _.")
    name: str


@strawberry.type
class UserPayload:
    user: User | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RemoveUserPayload:
    removed_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UserGroupPayload:
    user_group: UserGroup | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteUserGroupPayload:
    deleted_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CompanyPayload:
    company: Company | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def directory_errors(
    exc: NephosError, *, id_field: str = "id", in_input: bool = False
) -> list[UserError]:
    """A domain failure as user errors; a refusal stays a FORBIDDEN GraphQL error.

    ``in_input``: the mutation takes an ``input`` object, so a named field is
    reported as ``input.<field>``.
    """
    if isinstance(exc, Forbidden):
        raise auth_error(exc)
    if not isinstance(exc, InvalidInput | Conflict | NotFound):
        raise exc
    named = exc.details.get("field")
    field = named if isinstance(named, str) else None
    if field is None and isinstance(exc, NotFound):
        field = id_field
    elif field is not None and in_input:
        field = f"input.{field}"
    return [UserError(code=exc.code.upper(), message=exc.message, field=field)]


def user_ids(values: list[strawberry.ID]) -> list[uuid.UUID]:
    return [parse_id(str(v), "user", "user_not_found") for v in values]
