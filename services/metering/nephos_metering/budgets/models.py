"""Budgets of a company and the threshold notices already sent for them.

A notice row is the memory of "this threshold was crossed in this period": its
primary key makes a second notice for the same (budget, period, threshold,
basis) impossible, however often or concurrently a budget is evaluated.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, Index, Numeric, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nephos_metering.db import Base


class Budget(Base):
    """``scope`` is ``{"type": ...}`` plus the type's keys; ``thresholds`` is a list of
    ``{"percent": int, "basis": "actual" | "forecast"}``; monthly budgets have no dates."""

    __tablename__ = "budgets"
    __table_args__ = (Index(None, "tenant", "name"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tenant: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    scope: Mapped[dict[str, str]] = mapped_column(JSONB)
    amount: Mapped[Decimal] = mapped_column(Numeric(asdecimal=True))
    currency: Mapped[str] = mapped_column(String(3))
    period: Mapped[str] = mapped_column(String(10))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    thresholds: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class BudgetNotice(Base):
    """One ``metering.budget.exceeded`` sent: a threshold crossed in one period."""

    __tablename__ = "budget_notices"

    budget_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("budgets.id", ondelete="CASCADE"), primary_key=True
    )
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    threshold_percent: Mapped[int] = mapped_column(primary_key=True)
    basis: Mapped[str] = mapped_column(String(10), primary_key=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(asdecimal=True))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
