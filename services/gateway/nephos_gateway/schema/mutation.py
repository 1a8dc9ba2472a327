"""Root mutations: cloud accounts (admins) and discovery runs (operators).

Roles are checked here before any service is called; domain failures come
back as ``userErrors``; auth and availability failures stay GraphQL errors.
"""

from __future__ import annotations

import strawberry

from nephos_gateway.clients.errors import ServiceError
from nephos_gateway.schema.context import GatewayContext
from nephos_gateway.schema.security import IsAdmin, IsOperator
from nephos_gateway.schema.types.accounts import (
    CloudAccount,
    CloudAccountPayload,
    ConnectionTest,
    RegisterCloudAccountInput,
    RemoveCloudAccountPayload,
    TestCloudAccountPayload,
    UpdateCloudAccountInput,
)
from nephos_gateway.schema.types.common import user_errors
from nephos_gateway.schema.types.discovery import DiscoveryRun, StartDiscoveryPayload

Info = strawberry.Info[GatewayContext]


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Register a cloud account; its credentials are encrypted and never returned.",
    )
    async def register_cloud_account(
        self, info: Info, input: RegisterCloudAccountInput
    ) -> CloudAccountPayload:
        try:
            account = await info.context.asset.register_account(input.body())
        except ServiceError as exc:
            return CloudAccountPayload(user_errors=user_errors(exc, id_field="input"))
        return CloudAccountPayload(account=CloudAccount.of(account))

    @strawberry.mutation(permission_classes=[IsAdmin], description="Change the given fields.")
    async def update_cloud_account(
        self, info: Info, id: strawberry.ID, input: UpdateCloudAccountInput
    ) -> CloudAccountPayload:
        try:
            account = await info.context.asset.update_account(str(id), input.body())
        except ServiceError as exc:
            return CloudAccountPayload(user_errors=user_errors(exc))
        return CloudAccountPayload(account=CloudAccount.of(account))

    @strawberry.mutation(
        permission_classes=[IsAdmin], description="Remove the account and its inventory."
    )
    async def remove_cloud_account(
        self, info: Info, id: strawberry.ID
    ) -> RemoveCloudAccountPayload:
        try:
            await info.context.asset.remove_account(str(id))
        except ServiceError as exc:
            return RemoveCloudAccountPayload(user_errors=user_errors(exc))
        return RemoveCloudAccountPayload(removed_id=id)

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Check the credentials against the provider and record the outcome.",
    )
    async def test_cloud_account(self, info: Info, id: strawberry.ID) -> TestCloudAccountPayload:
        try:
            found = await info.context.asset.test_account(str(id))
        except ServiceError as exc:
            return TestCloudAccountPayload(user_errors=user_errors(exc))
        test = ConnectionTest(
            ok=found.ok,
            native_account_id=found.native_account_id,
            error_code=found.error_code,
            message=found.message,
        )
        return TestCloudAccountPayload(test=test)

    @strawberry.mutation(
        permission_classes=[IsOperator],
        description="Queue a discovery run of the account; poll discoveryRun for its progress.",
    )
    async def start_discovery(self, info: Info, account_id: strawberry.ID) -> StartDiscoveryPayload:
        try:
            run = await info.context.asset.start_discovery(str(account_id))
        except ServiceError as exc:
            return StartDiscoveryPayload(user_errors=user_errors(exc, id_field="accountId"))
        return StartDiscoveryPayload(run=DiscoveryRun.of(run))
