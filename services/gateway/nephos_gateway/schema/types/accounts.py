"""Cloud accounts as GraphQL sees them: credentials go in, never come out.

``CloudAccount`` has no field that could carry a secret; the credential
inputs are only forwarded to the asset service, which encrypts them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from nephos_gateway.clients import asset_models as m
from nephos_gateway.schema.types.common import UserError


@strawberry.type(description="A cloud account (AWS today) whose resources Nephos discovers.")
class CloudAccount:
    id: strawberry.ID
    name: str
    provider: str = strawberry.field(description="aws, azure, ...")
    auth_method: str = strawberry.field(description="access_key or assume_role.")
    endpoint_url: str | None = strawberry.field(description="API endpoint override (emulators).")
    regions: list[str] | None = strawberry.field(description="Null: every enabled region.")
    native_account_id: str | None
    status: str = strawberry.field(description="unverified, active or invalid_credentials.")
    status_reason: str | None
    discovery_interval_minutes: int | None
    last_discovery_requested_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, account: m.Account) -> CloudAccount:
        return cls(
            id=strawberry.ID(account.id),
            name=account.name,
            provider=account.provider,
            auth_method=account.auth_method,
            endpoint_url=account.endpoint_url,
            regions=account.regions,
            native_account_id=account.native_account_id,
            status=account.status,
            status_reason=account.status_reason,
            discovery_interval_minutes=account.discovery_interval_minutes,
            last_discovery_requested_at=account.last_discovery_requested_at,
            created_at=account.created_at,
            updated_at=account.updated_at,
        )


@strawberry.input(description="An access key pair, a role to assume, or both.")
class AwsCredentialsInput:
    access_key_id: str | None = None
    secret_access_key: str | None = None
    role_arn: str | None = None
    external_id: str | None = None

    def body(self) -> dict[str, Any]:
        values = {
            "access_key_id": self.access_key_id,
            "secret_access_key": self.secret_access_key,
            "role_arn": self.role_arn,
            "external_id": self.external_id,
        }
        return {k: v for k, v in values.items() if v is not None}


@strawberry.input
class RegisterCloudAccountInput:
    name: str
    provider: str = "aws"
    credentials: AwsCredentialsInput
    endpoint_url: str | None = None
    regions: list[str] | None = None
    discovery_interval_minutes: int | None = None

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": self.name,
            "provider": self.provider,
            "credentials": self.credentials.body(),
        }
        optional = {
            "endpoint_url": self.endpoint_url,
            "regions": self.regions,
            "discovery_interval_minutes": self.discovery_interval_minutes,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        return body


@strawberry.input(description="Only the fields given change; null clears an optional field.")
class UpdateCloudAccountInput:
    name: str | None = strawberry.UNSET
    credentials: AwsCredentialsInput | None = strawberry.UNSET
    endpoint_url: str | None = strawberry.UNSET
    regions: list[str] | None = strawberry.UNSET
    discovery_interval_minutes: int | None = strawberry.UNSET

    def body(self) -> dict[str, Any]:
        given = {
            "name": self.name,
            "credentials": self.credentials.body() if self.credentials else self.credentials,
            "endpoint_url": self.endpoint_url,
            "regions": self.regions,
            "discovery_interval_minutes": self.discovery_interval_minutes,
        }
        return {k: v for k, v in given.items() if v is not strawberry.UNSET}


@strawberry.type
class CloudAccountPayload:
    account: CloudAccount | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class RemoveCloudAccountPayload:
    removed_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(description="What the provider said about the account's credentials.")
class ConnectionTest:
    ok: bool
    native_account_id: str | None = None
    error_code: str | None = None
    message: str | None = None


@strawberry.type
class TestCloudAccountPayload:
    test: ConnectionTest | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
