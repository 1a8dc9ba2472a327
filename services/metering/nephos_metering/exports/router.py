"""HTTP route of the FOCUS export; any role of the company may download its own costs."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from nephos_common.auth import Principal, viewer
from nephos_common.db import database_from
from nephos_metering.exports.service import (
    MEDIA_TYPES,
    ExportFormat,
    billing_month,
    file_name,
    focus_file,
)

router = APIRouter(prefix="/focus-exports", tags=["exports"])


@router.get(
    "",
    response_class=StreamingResponse,
    responses={200: {"content": {t: {} for t in MEDIA_TYPES.values()}}},
)
async def focus_export(
    request: Request,
    billing_period: str = Query(description="YYYY-MM", examples=["2024-05"]),
    format: ExportFormat = ExportFormat.PARQUET,
    principal: Principal = viewer,
) -> StreamingResponse:
    """The company's costs of one billing period as a FOCUS 1.2 CostAndUsage file."""
    first = billing_month(billing_period)
    body = focus_file(database_from(request), principal.tenant, first, format)
    name = file_name(principal.tenant, first, format)
    return StreamingResponse(
        body,
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
