"""Root mutations: cloud accounts (admins), discovery runs and service groups (operators).

Roles are checked here before any service is called; domain failures come
back as ``userErrors``; auth and availability failures stay GraphQL errors.
"""

from __future__ import annotations

import strawberry

from nephos_gateway.clients.errors import ServiceError
from nephos_gateway.schema.context import GatewayContext
from nephos_gateway.schema.directory import DirectoryMutation
from nephos_gateway.schema.metering_mutations import MeteringMutation
from nephos_gateway.schema.monitoring_mutations import MonitoringMutation
from nephos_gateway.schema.security import IsAdmin, IsOperator
from nephos_gateway.schema.types.accounts import (
    CloudAccount,
    CloudAccountPayload,
    ConnectionTest,
    RegisterCloudAccountInput,
    RemoveCloudAccountPayload,
    TestCloudAccountPayload,
    UpdateCloudAccountInput,
    credential_locations,
)
from nephos_gateway.schema.types.common import user_errors
from nephos_gateway.schema.types.discovery import DiscoveryRun, StartDiscoveryPayload
from nephos_gateway.schema.types.groups import (
    CreateServiceGroupInput,
    DeleteServiceGroupPayload,
    ServiceGroup,
    ServiceGroupPayload,
    UpdateServiceGroupInput,
)

Info = strawberry.Info[GatewayContext]


@strawberry.type
class Mutation(DirectoryMutation, MeteringMutation, MonitoringMutation):
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
            where = credential_locations(input.credentials)
            return CloudAccountPayload(
                user_errors=user_errors(exc, id_field="input", locations=where)
            )
        return CloudAccountPayload(account=CloudAccount.of(account))

    @strawberry.mutation(permission_classes=[IsAdmin], description="Change the given fields.")
    async def update_cloud_account(
        self, info: Info, id: strawberry.ID, input: UpdateCloudAccountInput
    ) -> CloudAccountPayload:
        try:
            account = await info.context.asset.update_account(str(id), input.body())
        except ServiceError as exc:
            where = credential_locations(input.credentials or None)
            return CloudAccountPayload(user_errors=user_errors(exc, locations=where))
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

    @strawberry.mutation(
        permission_classes=[IsOperator],
        description="Create a service group; members follow its rule as discovery sees tags.",
    )
    async def create_service_group(
        self, info: Info, input: CreateServiceGroupInput
    ) -> ServiceGroupPayload:
        try:
            group = await info.context.asset.create_group(input.body())
        except ServiceError as exc:
            return ServiceGroupPayload(user_errors=user_errors(exc, id_field="input"))
        return ServiceGroupPayload(service_group=ServiceGroup.of(group))

    @strawberry.mutation(permission_classes=[IsOperator], description="Change the given fields.")
    async def update_service_group(
        self, info: Info, id: strawberry.ID, input: UpdateServiceGroupInput
    ) -> ServiceGroupPayload:
        try:
            group = await info.context.asset.update_group(str(id), input.body())
        except ServiceError as exc:
            return ServiceGroupPayload(user_errors=user_errors(exc))
        return ServiceGroupPayload(service_group=ServiceGroup.of(group))

    @strawberry.mutation(
        permission_classes=[IsOperator], description="Delete the group; its assets stay."
    )
    async def delete_service_group(
        self, info: Info, id: strawberry.ID
    ) -> DeleteServiceGroupPayload:
        try:
            await info.context.asset.delete_group(str(id))
        except ServiceError as exc:
            return DeleteServiceGroupPayload(user_errors=user_errors(exc))
        return DeleteServiceGroupPayload(deleted_id=id)

    @strawberry.mutation(
        permission_classes=[IsOperator],
        description="Put assets in the group by hand, whatever their tags say.",
    )
    async def add_service_group_members(
        self, info: Info, id: strawberry.ID, asset_ids: list[strawberry.ID]
    ) -> ServiceGroupPayload:
        # The service names the body's ``asset_ids`` (or ``members``); here they are assetIds.
        fields = {"unknown_assets": "assetIds", "asset_not_found": "assetIds"}
        try:
            group = await info.context.asset.add_group_members(str(id), [str(a) for a in asset_ids])
        except ServiceError as exc:
            return ServiceGroupPayload(user_errors=user_errors(exc, fields=fields))
        return ServiceGroupPayload(service_group=ServiceGroup.of(group))

    @strawberry.mutation(
        permission_classes=[IsOperator],
        description="Take back a hand-picked member; it stays a member if the rule matches it.",
    )
    async def remove_service_group_member(
        self, info: Info, id: strawberry.ID, asset_id: strawberry.ID
    ) -> ServiceGroupPayload:
        try:
            group = await info.context.asset.remove_group_member(str(id), str(asset_id))
        except ServiceError as exc:
            fields = {"asset_not_found": "assetId"}
            return ServiceGroupPayload(user_errors=user_errors(exc, fields=fields))
        return ServiceGroupPayload(service_group=ServiceGroup.of(group))
