"""HTTP routes of cost allocation tags: anyone reads them, admins mark and unmark them
(each marked key adds work to every ingest); and the tag keys the bill carries, to
pick them from."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from nephos_common.auth import Principal, admin, viewer
from nephos_common.db import session_dependency
from nephos_metering.costtags import repository, service
from nephos_metering.costtags.schemas import (
    CostAllocationTagCreate,
    CostAllocationTagList,
    CostAllocationTagOut,
    CostTagKeyList,
    CostTagKeyOut,
)

router = APIRouter(prefix="/cost-allocation-tags", tags=["cost allocation tags"])
keys_router = APIRouter(prefix="/cost-tag-keys", tags=["cost allocation tags"])


@keys_router.get("", response_model=CostTagKeyList)
async def list_cost_tag_keys(
    principal: Principal = viewer, session: AsyncSession = Depends(session_dependency)
) -> CostTagKeyList:
    """Every tag key the company's cost rows carry, sorted, each saying whether it is marked.
    A delivery's keys are listed soon after its ingest; one not listed yet is listed now."""
    found = await service.tag_keys(session, principal.tenant)
    return CostTagKeyList(items=[CostTagKeyOut(key=key, marked=marked) for key, marked in found])


@router.get("", response_model=CostAllocationTagList)
async def list_cost_allocation_tags(
    principal: Principal = viewer, session: AsyncSession = Depends(session_dependency)
) -> CostAllocationTagList:
    found = await repository.list_for(session, principal.tenant)
    return CostAllocationTagList(items=[CostAllocationTagOut.model_validate(t) for t in found])


@router.post("", response_model=CostAllocationTagOut, status_code=status.HTTP_202_ACCEPTED)
async def mark_cost_allocation_tag(
    body: CostAllocationTagCreate,
    principal: Principal = admin,
    session: AsyncSession = Depends(session_dependency),
) -> CostAllocationTagOut:
    """Mark a tag key; its totals are built by a job (``ready_at`` tells when done).
    Marking a key already built changes nothing; one not built yet is queued again."""
    marked = await service.mark(session, principal.tenant, body.key, principal.subject)
    return CostAllocationTagOut.model_validate(marked)


@router.get("/{key:path}", response_model=CostAllocationTagOut)
async def get_cost_allocation_tag(
    key: str, principal: Principal = viewer, session: AsyncSession = Depends(session_dependency)
) -> CostAllocationTagOut:
    found = await repository.marked(session, principal.tenant, key)
    return CostAllocationTagOut.model_validate(found)


@router.delete("/{key:path}", status_code=status.HTTP_204_NO_CONTENT)
async def unmark_cost_allocation_tag(
    key: str, principal: Principal = admin, session: AsyncSession = Depends(session_dependency)
) -> Response:
    """Unmark a key and drop its totals; its questions read the line items again."""
    await service.unmark(session, principal.tenant, key)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
