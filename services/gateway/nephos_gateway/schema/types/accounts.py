"""Cloud accounts as GraphQL sees them: credentials go in, never come out.

``CloudAccount`` has no field that could carry a secret; the credential
inputs are only forwarded to the asset service, which encrypts them.
Credentials are a ``@oneOf`` input, one member per provider: the provider
follows from the member given, so an AWS key can never be sent as Azure's
(and a new provider is a new member, not a breaking change).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import strawberry

from nephos_gateway.clients import asset_models as m
from nephos_gateway.schema.types.common import LocationMap, UserError


@strawberry.type(description="A cloud account (AWS or Azure) whose resources Nephos discovers.")
class CloudAccount:
    id: strawberry.ID
    name: str
    provider: str = strawberry.field(description="aws, azure, ...")
    auth_method: str = strawberry.field(
        description="aws: access_key or assume_role; azure: client_secret or workload_identity."
    )
    endpoint_url: str | None = strawberry.field(description="API endpoint override (emulators).")
    auth_endpoint_url: str | None = strawberry.field(
        description="Azure token authority override (sovereign clouds, emulators)."
    )
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
            auth_endpoint_url=account.auth_endpoint_url,
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


@strawberry.input(
    description="An Entra ID service principal: its client secret, or workload identity."
)
class AzureCredentialsInput:
    tenant_id: str = strawberry.field(description="Entra ID (Azure AD) tenant, a GUID.")
    client_id: str = strawberry.field(description="The application (client) id, a GUID.")
    subscription_id: str = strawberry.field(description="The subscription to discover, a GUID.")
    client_secret: str | None = strawberry.field(
        default=None, description="Required unless useWorkloadIdentity."
    )
    use_workload_identity: bool = strawberry.field(
        default=False, description="Use the federated token of the pod, no secret."
    )

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "tenant_id": self.tenant_id,
            "client_id": self.client_id,
            "subscription_id": self.subscription_id,
            "use_workload_identity": self.use_workload_identity,
        }
        if self.client_secret is not None:
            body["client_secret"] = self.client_secret
        return body


@strawberry.input(one_of=True, description="Exactly one: the credentials of one provider.")
class CloudCredentialsInput:
    aws: AwsCredentialsInput | None = strawberry.UNSET
    azure: AzureCredentialsInput | None = strawberry.UNSET

    def provider(self) -> str:
        return "azure" if self.azure else "aws"

    def body(self) -> dict[str, Any]:
        """The given member's body; validation has already refused zero or two members."""
        given = self.azure or self.aws
        return given.body() if given else {}


@strawberry.input
class RegisterCloudAccountInput:
    name: str
    credentials: CloudCredentialsInput = strawberry.field(
        description="The provider of the account is the member given (aws or azure)."
    )
    endpoint_url: str | None = None
    auth_endpoint_url: str | None = strawberry.field(
        default=None, description="Azure only: token authority override."
    )
    regions: list[str] | None = None
    discovery_interval_minutes: int | None = None

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": self.name,
            "provider": self.credentials.provider(),
            "credentials": self.credentials.body(),
        }
        optional = {
            "endpoint_url": self.endpoint_url,
            "auth_endpoint_url": self.auth_endpoint_url,
            "regions": self.regions,
            "discovery_interval_minutes": self.discovery_interval_minutes,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        return body


@strawberry.input(description="Only the fields given change; null clears an optional field.")
class UpdateCloudAccountInput:
    name: str | None = strawberry.UNSET
    credentials: CloudCredentialsInput | None = strawberry.field(
        default=strawberry.UNSET, description="Must be of the account's provider."
    )
    endpoint_url: str | None = strawberry.UNSET
    auth_endpoint_url: str | None = strawberry.UNSET
    regions: list[str] | None = strawberry.UNSET
    discovery_interval_minutes: int | None = strawberry.UNSET

    def body(self) -> dict[str, Any]:
        given = {
            "name": self.name,
            "credentials": self.credentials.body() if self.credentials else self.credentials,
            "endpoint_url": self.endpoint_url,
            "auth_endpoint_url": self.auth_endpoint_url,
            "regions": self.regions,
            "discovery_interval_minutes": self.discovery_interval_minutes,
        }
        return {k: v for k, v in given.items() if v is not strawberry.UNSET}


# How pydantic names a member of a (non-discriminated) union in an error's location:
# "AzureCredentials", or "function-after[_one_way_in(), AzureCredentials]" with a validator.
_MEMBER = re.compile(r"(?:^|[\[\s,])(Aws|Azure)Credentials\]?$")


def credential_locations(credentials: CloudCredentialsInput | None) -> LocationMap | None:
    """Problem locations in this input's terms: ``body.credentials.azure.tenant_id``.

    The service validates credentials against every provider's model in turn
    and reports the problems of each; only those of the provider the caller
    chose are about the caller's input, the others are dropped.
    """
    if not credentials:
        return None
    provider = credentials.provider()

    def locate(location: str) -> str | None:
        parts = location.split(".")
        if parts[:2] != ["body", "credentials"] or len(parts) < 3:
            return location
        member = _MEMBER.search(parts[2])
        if member is None:
            return location
        if member[1].lower() != provider:
            return None
        return ".".join([*parts[:2], provider, *parts[3:]])

    return locate


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
