"""HTTP routes of billing ingest: operators trigger it, viewers see deliveries.

The ingest runs within the request: the caller's credentials are used for
that one ingest and never stored, so there is nothing a queued job could
read them from later.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query, Request, status
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal, operator, viewer
from nephos_common.db import database_from, session_dependency
from nephos_metering.ingest import repository
from nephos_metering.ingest.formats import FORMATS, UploadFormat
from nephos_metering.ingest.manifest import BillingPeriod
from nephos_metering.ingest.s3 import S3Access
from nephos_metering.ingest.schemas import CurIngestCreate, DeliveryList, DeliveryOut, IngestOut
from nephos_metering.ingest.service import CurIngest, ingest_cur
from nephos_metering.ingest.upload_body import received
from nephos_metering.ingest.uploads import Upload, ingest_upload
from nephos_metering.settings import Settings

router = APIRouter(tags=["ingest"])


def _job(principal: Principal, account_id: uuid.UUID, body: CurIngestCreate) -> CurIngest:
    keys = body.credentials
    access = S3Access(
        access_key_id=keys.access_key_id,
        secret_access_key=keys.secret_access_key.get_secret_value(),
        session_token=keys.session_token.get_secret_value() if keys.session_token else None,
        region=body.region,
        endpoint_url=str(body.endpoint_url).rstrip("/") if body.endpoint_url else None,
    )
    return CurIngest(
        tenant=principal.tenant, account_id=account_id, bucket=body.bucket,
        prefix=body.prefix, export_name=body.export_name,
        period=BillingPeriod.of_month(body.billing_period), format=body.format, access=access,
    )  # fmt: skip


@router.post(
    "/accounts/{account_id}/cur-ingests",
    status_code=status.HTTP_201_CREATED,
    response_model=IngestOut,
)
async def ingest(
    account_id: uuid.UUID, body: CurIngestCreate, request: Request, principal: Principal = operator
) -> IngestOut:
    """Ingest one CUR delivery (a billing period) of the account from S3.

    Answers ``skipped`` with the delivery already in force when the manifest
    and files are unchanged; a broken file answers 422 ``delivery_rejected``
    naming the file and row, and leaves the stored costs as they were.
    """
    settings: Settings = request.app.state.settings
    settings.check_endpoint_override(body.endpoint_url)
    job = _job(principal, account_id, body)
    result = await ingest_cur(database_from(request), job, settings.ingest_batch_rows)
    return IngestOut(outcome=result.outcome, delivery=DeliveryOut.model_validate(result.delivery))


@router.post(
    "/accounts/{account_id}/uploads",
    status_code=status.HTTP_201_CREATED,
    response_model=IngestOut,
)
async def upload(
    account_id: uuid.UUID,
    request: Request,
    file_format: UploadFormat = Query(alias="format", description="What the file holds"),
    filename: str | None = Query(default=None, max_length=255, description="For a raw body"),
    principal: Principal = operator,
) -> IngestOut:
    """Ingest one billing file: a multipart ``file`` field or the raw body, gzip or not.

    The file is one billing period of one billing account. An identical file
    uploaded again answers ``skipped``; a different one for the same period
    restates it; a broken one answers 422 ``delivery_rejected`` naming the
    file, row and column, and leaves the stored costs as they were.
    """
    settings: Settings = request.app.state.settings
    async with received(request, filename, settings.upload_max_bytes) as spooled:
        job = Upload(principal.tenant, account_id, FORMATS[file_format], spooled)
        result = await ingest_upload(database_from(request), job, settings.ingest_batch_rows)
    return IngestOut(outcome=result.outcome, delivery=DeliveryOut.model_validate(result.delivery))


@router.get("/deliveries", response_model=DeliveryList)
async def list_deliveries(
    account_id: uuid.UUID | None = None,
    limit: int = Query(50, ge=1, le=500),
    principal: Principal = viewer,
    session: AsyncSession = Depends(session_dependency),
) -> DeliveryList:
    found = await repository.list_for(session, principal.tenant, account_id, limit)
    return DeliveryList(items=[DeliveryOut.model_validate(d) for d in found])
