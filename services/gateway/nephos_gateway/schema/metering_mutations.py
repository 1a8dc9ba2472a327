"""Metering mutations: budgets and their evaluation, cost sets, anomalies and their
detection, recommendations and their recomputation, invoice terms, cost allocation tags,
billing sources and ingest runs.

A base class of ``Mutation``. The roles match the service's own checks
(operators change budgets, sources and findings, and run evaluations, detections
and recomputations now; admins set invoice terms and
cost allocation tags; any user keeps their own cost sets): a lesser role is
refused FORBIDDEN before any call, and the service checks again from the internal token. Domain
failures come back as ``userErrors``; auth and availability failures stay
GraphQL errors.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from nephos_gateway.clients.errors import ServiceError
from nephos_gateway.schema.context import GatewayContext
from nephos_gateway.schema.metering_ops import AsOf
from nephos_gateway.schema.security import IsAdmin, IsOperator
from nephos_gateway.schema.types import billing_sources, budgets, cost_sets
from nephos_gateway.schema.types.anomalies import (
    DETECT_INPUT_OF_CODE,
    Anomaly,
    AnomalyPayload,
    DetectAnomaliesInput,
    DetectAnomaliesPayload,
)
from nephos_gateway.schema.types.billing_sources import (
    CostSource,
    CostSourcePayload,
    CreateCostSourceInput,
    DeleteCostSourcePayload,
    IngestRun,
    StartIngestPayload,
    UpdateCostSourceInput,
)
from nephos_gateway.schema.types.budgets import (
    Budget,
    BudgetInput,
    BudgetPayload,
    DeleteBudgetPayload,
    EvaluateBudgetPayload,
)
from nephos_gateway.schema.types.common import user_errors
from nephos_gateway.schema.types.cost_allocation_tags import (
    FIELD_OF_CODE,
    CostAllocationTag,
    CostAllocationTagPayload,
    UnmarkCostAllocationTagPayload,
)
from nephos_gateway.schema.types.cost_sets import (
    CostSet,
    CostSetInput,
    CostSetPayload,
    DeleteCostSetPayload,
)
from nephos_gateway.schema.types.invoices import (
    InvoiceTerms,
    InvoiceTermsInput,
    InvoiceTermsPayload,
)
from nephos_gateway.schema.types.recommendations import (
    Recommendation,
    RecommendationPayload,
    RecommendationStatus,
    RefreshRecommendationsPayload,
)

Info = strawberry.Info[GatewayContext]
Judged = Annotated[
    date | None,
    strawberry.argument(
        description="Judge the period containing this day; the current one by default."
    ),
]


@strawberry.type
class MeteringMutation:
    @strawberry.mutation(permission_classes=[IsOperator], description="Create a budget.")
    async def create_budget(self, info: Info, input: BudgetInput) -> BudgetPayload:
        try:
            budget = await info.context.metering.create_budget(input.body())
        except ServiceError as exc:
            errors = user_errors(exc, id_field="input", fields=budgets.INPUT_OF_CODE)
            return BudgetPayload(user_errors=errors)
        return BudgetPayload(budget=Budget.of(budget))

    @strawberry.mutation(permission_classes=[IsOperator], description="Replace every field.")
    async def update_budget(
        self, info: Info, id: strawberry.ID, input: BudgetInput
    ) -> BudgetPayload:
        try:
            budget = await info.context.metering.replace_budget(str(id), input.body())
        except ServiceError as exc:
            return BudgetPayload(user_errors=user_errors(exc, fields=budgets.INPUT_OF_CODE))
        return BudgetPayload(budget=Budget.of(budget))

    @strawberry.mutation(permission_classes=[IsOperator], description="Delete a budget.")
    async def delete_budget(self, info: Info, id: strawberry.ID) -> DeleteBudgetPayload:
        try:
            await info.context.metering.delete_budget(str(id))
        except ServiceError as exc:
            return DeleteBudgetPayload(user_errors=user_errors(exc))
        return DeleteBudgetPayload(deleted_id=id)

    @strawberry.mutation(
        permission_classes=[IsOperator],
        description="Evaluate a budget now: its status, sending the notices of thresholds "
        "crossed for the first time this period.",
    )
    async def evaluate_budget(
        self, info: Info, id: strawberry.ID, as_of: Judged = None
    ) -> EvaluateBudgetPayload:
        try:
            found = await info.context.metering.evaluate_budget(str(id), as_of)
        except ServiceError as exc:
            return EvaluateBudgetPayload(user_errors=user_errors(exc))
        return EvaluateBudgetPayload.of(found)

    @strawberry.mutation(description="Save a cost question for the caller (any role).")
    async def create_cost_set(self, info: Info, input: CostSetInput) -> CostSetPayload:
        try:
            found = await info.context.metering.create_cost_set(input.body())
        except ServiceError as exc:
            errors = user_errors(exc, id_field="input", fields=cost_sets.INPUT_OF_CODE)
            return CostSetPayload(user_errors=errors)
        return CostSetPayload(cost_set=CostSet.of(found))

    @strawberry.mutation(description="Replace every field of one of the caller's cost sets.")
    async def update_cost_set(
        self, info: Info, id: strawberry.ID, input: CostSetInput
    ) -> CostSetPayload:
        try:
            found = await info.context.metering.replace_cost_set(str(id), input.body())
        except ServiceError as exc:
            return CostSetPayload(user_errors=user_errors(exc, fields=cost_sets.INPUT_OF_CODE))
        return CostSetPayload(cost_set=CostSet.of(found))

    @strawberry.mutation(description="Delete one of the caller's cost sets.")
    async def delete_cost_set(self, info: Info, id: strawberry.ID) -> DeleteCostSetPayload:
        try:
            await info.context.metering.delete_cost_set(str(id))
        except ServiceError as exc:
            return DeleteCostSetPayload(user_errors=user_errors(exc))
        return DeleteCostSetPayload(deleted_id=id)

    @strawberry.mutation(permission_classes=[IsOperator], description="Mark an anomaly as seen.")
    async def acknowledge_anomaly(self, info: Info, id: strawberry.ID) -> AnomalyPayload:
        try:
            found = await info.context.metering.acknowledge_anomaly(str(id))
        except ServiceError as exc:
            return AnomalyPayload(user_errors=user_errors(exc))
        return AnomalyPayload(anomaly=Anomaly.of(found))

    @strawberry.mutation(
        permission_classes=[IsOperator],
        description="Judge a range of days for cost anomalies now, instead of after the next "
        "ingest; new ones are announced like those an ingest finds.",
    )
    async def detect_anomalies(
        self, info: Info, input: DetectAnomaliesInput
    ) -> DetectAnomaliesPayload:
        try:
            found = await info.context.metering.detect_anomalies(input.body())
        except ServiceError as exc:
            errors = user_errors(exc, id_field="input", fields=DETECT_INPUT_OF_CODE)
            return DetectAnomaliesPayload(user_errors=errors)
        return DetectAnomaliesPayload(detected=[Anomaly.of(a) for a in found])

    @strawberry.mutation(
        permission_classes=[IsOperator],
        description="Compute the company's recommendations now instead of after the next "
        "ingest; dismissals are kept.",
    )
    async def refresh_recommendations(
        self, info: Info, as_of: AsOf = None
    ) -> RefreshRecommendationsPayload:
        try:
            found = await info.context.metering.refresh_recommendations(as_of)
        except ServiceError as exc:
            return RefreshRecommendationsPayload(user_errors=user_errors(exc))
        return RefreshRecommendationsPayload(computed_at=found.computed_at, found=found.found)

    @strawberry.mutation(
        permission_classes=[IsOperator],
        description="Dismiss a recommendation, or open it again; kept through recomputation.",
    )
    async def update_recommendation(
        self, info: Info, id: strawberry.ID, status: RecommendationStatus
    ) -> RecommendationPayload:
        try:
            found = await info.context.metering.change_recommendation(str(id), status.value)
        except ServiceError as exc:
            return RecommendationPayload(user_errors=user_errors(exc))
        return RecommendationPayload(recommendation=Recommendation.of(found))

    @strawberry.mutation(
        permission_classes=[IsAdmin], description="Set the company's markup or discount."
    )
    async def set_invoice_terms(self, info: Info, input: InvoiceTermsInput) -> InvoiceTermsPayload:
        try:
            terms = await info.context.metering.set_invoice_terms(input.body())
        except ServiceError as exc:
            return InvoiceTermsPayload(user_errors=user_errors(exc, id_field="input"))
        return InvoiceTermsPayload(terms=InvoiceTerms.of(terms))

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Mark a tag key as a cost allocation tag (again: no change); its totals "
        "are built by a job, and readyAt tells when.",
    )
    async def mark_cost_allocation_tag(self, info: Info, key: str) -> CostAllocationTagPayload:
        try:
            found = await info.context.metering.mark_cost_allocation_tag(key)
        except ServiceError as exc:
            errors = user_errors(exc, id_field="key", fields=FIELD_OF_CODE)
            return CostAllocationTagPayload(user_errors=errors)
        return CostAllocationTagPayload(tag=CostAllocationTag.of(found))

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Unmark a cost allocation tag and drop its totals.",
    )
    async def unmark_cost_allocation_tag(
        self, info: Info, key: str
    ) -> UnmarkCostAllocationTagPayload:
        try:
            await info.context.metering.unmark_cost_allocation_tag(key)
        except ServiceError as exc:
            return UnmarkCostAllocationTagPayload(user_errors=user_errors(exc, id_field="key"))
        return UnmarkCostAllocationTagPayload(unmarked_key=key)

    @strawberry.mutation(
        permission_classes=[IsOperator], description="Say where an account's bill comes from."
    )
    async def create_cost_source(
        self, info: Info, input: CreateCostSourceInput
    ) -> CostSourcePayload:
        try:
            source = await info.context.metering.create_source(input.body())
        except ServiceError as exc:
            fields = billing_sources.INPUT_OF_CODE
            return CostSourcePayload(user_errors=user_errors(exc, id_field="input", fields=fields))
        return CostSourcePayload(source=CostSource.of(source))

    @strawberry.mutation(permission_classes=[IsOperator], description="Change the given fields.")
    async def update_cost_source(
        self, info: Info, id: strawberry.ID, input: UpdateCostSourceInput
    ) -> CostSourcePayload:
        try:
            source = await info.context.metering.update_source(str(id), input.body())
        except ServiceError as exc:
            return CostSourcePayload(user_errors=user_errors(exc))
        return CostSourcePayload(source=CostSource.of(source))

    @strawberry.mutation(
        permission_classes=[IsOperator],
        description="Stop ingesting the account's bill; costs already ingested stay.",
    )
    async def delete_cost_source(self, info: Info, id: strawberry.ID) -> DeleteCostSourcePayload:
        try:
            await info.context.metering.delete_source(str(id))
        except ServiceError as exc:
            return DeleteCostSourcePayload(user_errors=user_errors(exc))
        return DeleteCostSourcePayload(deleted_id=id)

    @strawberry.mutation(
        permission_classes=[IsOperator],
        description="Queue an ingest of the source (one month, or its open months); "
        "poll ingestRuns for its progress.",
    )
    async def start_ingest(
        self, info: Info, source_id: strawberry.ID, billing_period: str | None = None
    ) -> StartIngestPayload:
        try:
            run = await info.context.metering.start_ingest(str(source_id), billing_period)
        except ServiceError as exc:
            fields = {"invalid_billing_period": "billingPeriod"}
            return StartIngestPayload(
                user_errors=user_errors(exc, id_field="sourceId", fields=fields)
            )
        return StartIngestPayload(run=IngestRun.of(run))
