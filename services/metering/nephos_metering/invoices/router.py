"""HTTP routes of invoices (any role reads) and invoice terms (admins change them)."""

from __future__ import annotations

from enum import StrEnum

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal, admin, viewer
from nephos_common.db import session_dependency
from nephos_metering.exports.service import billing_month
from nephos_metering.invoices import service
from nephos_metering.invoices.documents import invoice_csv, invoice_pdf
from nephos_metering.invoices.schemas import Invoice, TermsIn, TermsOut

router = APIRouter(tags=["invoices"])


class InvoiceFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    PDF = "pdf"


@router.get("/invoices/{billing_period}", response_model=Invoice,
            responses={200: {"content": {"text/csv": {}, "application/pdf": {}}}})  # fmt: skip
async def get_invoice(
    billing_period: str,
    format: InvoiceFormat = Query(default=InvoiceFormat.JSON),
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> Invoice | Response:
    """The company's invoice of one month (``YYYY-MM``) as JSON, CSV or PDF."""
    found = await service.invoice(session, principal.tenant, billing_month(billing_period))
    if format is InvoiceFormat.JSON:
        return found
    name = f"invoice-{principal.tenant}-{found.billing_period}.{format.value}"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    if format is InvoiceFormat.CSV:
        return Response(invoice_csv(found), media_type="text/csv", headers=disposition)
    return Response(invoice_pdf(found), media_type="application/pdf", headers=disposition)


@router.get("/invoice-terms", response_model=TermsOut)
async def get_terms(
    principal: Principal = viewer, session: AsyncSession = Depends(session_dependency)
) -> TermsOut:
    return await service.get_terms(session, principal.tenant)


@router.put("/invoice-terms", response_model=TermsOut)
async def put_terms(
    body: TermsIn,
    principal: Principal = admin,
    session: AsyncSession = Depends(session_dependency),
) -> TermsOut:
    """Set the company's markup (positive percent) or discount (negative); admins only."""
    return await service.set_terms(session, principal, body)
