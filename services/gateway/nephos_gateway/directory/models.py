"""Companies, users, memberships, user groups and MSP assignments: who may act where, and how.

A company's ``id`` is the tenant slug every service scopes its rows by. A
user's role in a company is the highest of their direct membership, the
groups of that company they are in, and (for MSP staff) the assignments of
customer companies to them or to one of their groups.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    String,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from nephos_gateway.db import Base

ROLE_CHECK = "role IN ('viewer', 'operator', 'admin')"


class CompanyKind(StrEnum):
    CUSTOMER = "customer"
    MSP = "msp"
    """A managed service provider: its staff act for the customer companies assigned to them."""


class Company(Base):
    __tablename__ = "companies"
    __table_args__ = (CheckConstraint("kind IN ('customer', 'msp')", name="kind"),)

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    """The tenant slug: the services know the company only by it."""
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default=CompanyKind.CUSTOMER.value)
    managed_by: Mapped[str | None] = mapped_column(
        ForeignKey("companies.id", ondelete="SET NULL"), index=True
    )
    """The MSP that created the company; only its admins may assign it to their staff."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class User(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    subject: Mapped[str] = mapped_column(String(255), unique=True)
    """The identity provider's ``sub``: how a token is matched to the user."""
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    home_company_id: Mapped[str] = mapped_column(
        ForeignKey("companies.id", ondelete="RESTRICT"), index=True
    )
    """Where the user was created: the default company, and the only one that may disable them."""
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Membership(Base):
    """A user's direct role in a company."""

    __tablename__ = "memberships"
    __table_args__ = (
        CheckConstraint(ROLE_CHECK, name="role"),
        Index("ix_memberships_company", "company_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[str] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20))


class UserGroup(Base):
    """Users of a company who share a role (in the company, and in companies assigned to it)."""

    __tablename__ = "user_groups"
    __table_args__ = (
        CheckConstraint(ROLE_CHECK, name="role"),
        Index("ix_user_groups_company_name", "company_id", "name", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    company_id: Mapped[str] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class GroupMember(Base):
    __tablename__ = "user_group_members"
    __table_args__ = (Index("ix_user_group_members_user", "user_id"),)

    group_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )


class UserAssignment(Base):
    """A customer company an MSP staff member may act for, with the role they act with."""

    __tablename__ = "msp_user_assignments"
    __table_args__ = (CheckConstraint(ROLE_CHECK, name="role"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[str] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20))


class GroupAssignment(Base):
    """A customer company every member of an MSP's group may act for, with the group's role."""

    __tablename__ = "msp_group_assignments"

    group_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_groups.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[str] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
