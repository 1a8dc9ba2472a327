"""A company's invoice terms: the percent the MSP adds (markup) or takes off (discount)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, Numeric, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from nephos_metering.db import Base


class InvoiceTerms(Base):
    """``adjustment_percent`` 12.5 is a 12.5 % markup, -5 a 5 % discount."""

    __tablename__ = "invoice_terms"

    tenant: Mapped[str] = mapped_column(String(100), primary_key=True)
    adjustment_percent: Mapped[Decimal] = mapped_column(Numeric(asdecimal=True))
    note: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
