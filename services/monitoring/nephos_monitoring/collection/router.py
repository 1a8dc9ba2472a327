"""HTTP route of collection runs (operators)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from nephos_common.auth import Principal, operator
from nephos_common.db import database_from
from nephos_monitoring.collection import service
from nephos_monitoring.collection.schemas import CollectionRequest, CollectionResult

router = APIRouter(tags=["collection"])


@router.post("/collections", response_model=CollectionResult)
async def collect(
    data: CollectionRequest, request: Request, principal: Principal = operator
) -> CollectionResult:
    """Collect an account's EC2 metrics now, with credentials used for this run only.

    The monitoring service has no credential store of its own; see the module
    docstring of ``collection.service`` for how runs read the cloud.
    """
    result = await service.run(
        database_from(request),
        request.app.state.tables,
        request.app.state.settings,
        principal.tenant,
        data,
    )
    request.app.state.relay.wake()
    return result
