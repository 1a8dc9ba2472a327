"""Request and response shapes of the cloud-account API.

Secrets come in through ``SecretStr`` and never go out: no response model
has a field that could carry one.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Literal, Self

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, SecretStr, model_validator

from nephos_common.errors import InvalidInput

REGION_PATTERNS = {"aws": r"^[a-z]{2}(-[a-z]+)+-\d+$", "azure": r"^[a-z][a-z0-9]+$"}
GUID_PATTERN = r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$"


class AwsCredentials(BaseModel):
    """An access key pair, a role to assume (with its external id), or both."""

    model_config = ConfigDict(extra="forbid")

    access_key_id: str | None = Field(default=None, min_length=16, max_length=128)
    secret_access_key: SecretStr | None = None
    role_arn: str | None = Field(default=None, pattern=r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$")
    external_id: SecretStr | None = None

    @model_validator(mode="after")
    def _one_way_in(self) -> Self:
        if bool(self.access_key_id) != bool(self.secret_access_key):
            raise ValueError("access_key_id and secret_access_key go together")
        if not self.access_key_id and not self.role_arn:
            raise ValueError("give an access key pair, a role_arn, or both")
        return self

    @property
    def auth_method(self) -> str:
        return "assume_role" if self.role_arn else "access_key"

    def sealed_form(self) -> dict[str, str | None]:
        """The plain values to encrypt; only ever handed to ``SecretBox.seal``."""
        return {
            "access_key_id": self.access_key_id,
            "secret_access_key": _reveal(self.secret_access_key),
            "role_arn": self.role_arn,
            "external_id": _reveal(self.external_id),
        }


class AzureCredentials(BaseModel):
    """A service principal's secret, or workload identity (federated token, no secret)."""

    model_config = ConfigDict(extra="forbid")

    tenant_id: str = Field(pattern=GUID_PATTERN, description="Entra ID (Azure AD) tenant")
    client_id: str = Field(pattern=GUID_PATTERN)
    client_secret: SecretStr | None = None
    subscription_id: str = Field(pattern=GUID_PATTERN)
    use_workload_identity: bool = False

    @model_validator(mode="after")
    def _one_way_in(self) -> Self:
        if bool(self.client_secret) == self.use_workload_identity:
            raise ValueError("give a client_secret, or use_workload_identity, not both")
        return self

    @property
    def auth_method(self) -> str:
        return "workload_identity" if self.use_workload_identity else "client_secret"

    def sealed_form(self) -> dict[str, str | bool | None]:
        return {
            "tenant_id": self.tenant_id,
            "client_id": self.client_id,
            "client_secret": _reveal(self.client_secret),
            "subscription_id": self.subscription_id,
            "use_workload_identity": self.use_workload_identity,
        }


Credentials = AwsCredentials | AzureCredentials
CREDENTIALS_OF = {"aws": AwsCredentials, "azure": AzureCredentials}


def _check_provider(provider: str | None, credentials: Credentials | None) -> None:
    if provider is not None and credentials is not None:
        expected = CREDENTIALS_OF[provider]
        if not isinstance(credentials, expected):
            raise ValueError(f"{provider} accounts take {expected.__name__} credentials")


def _reveal(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


class AccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    provider: Literal["aws", "azure"]
    credentials: Credentials
    endpoint_url: AnyHttpUrl | None = Field(
        default=None, description="Send every API call here instead of the provider (emulators)."
    )
    auth_endpoint_url: AnyHttpUrl | None = Field(
        default=None,
        description="Azure only: the token authority, for sovereign clouds or emulators.",
    )
    regions: list[str] | None = Field(
        default=None, description="Regions to discover; all enabled regions when omitted."
    )
    discovery_interval_minutes: int | None = Field(default=None, ge=5, le=7 * 24 * 60)

    @model_validator(mode="after")
    def _regions_look_right(self) -> Self:
        _check_regions(self.provider, self.regions)
        _check_provider(self.provider, self.credentials)
        return self


class AccountUpdate(BaseModel):
    """Only the fields present are changed; ``null`` clears an optional field."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    credentials: Credentials | None = None
    endpoint_url: AnyHttpUrl | None = None
    auth_endpoint_url: AnyHttpUrl | None = None
    regions: list[str] | None = None
    discovery_interval_minutes: int | None = Field(default=None, ge=5, le=7 * 24 * 60)

    def check_for(self, provider: str) -> None:
        """Field checks that need the account's provider (not part of the update)."""
        try:
            _check_regions(provider, self.regions)
            _check_provider(provider, self.credentials)
        except ValueError as exc:
            raise InvalidInput(str(exc), code="invalid_input") from None


def _check_regions(provider: str, regions: list[str] | None) -> None:
    for region in regions or ():
        if not re.match(REGION_PATTERNS[provider], region):
            raise ValueError(f"{region!r} is not a {provider} region name")
    if regions is not None and not regions:
        raise ValueError("regions, when given, must name at least one region")


class AccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    provider: str
    auth_method: str
    endpoint_url: str | None
    auth_endpoint_url: str | None
    regions: list[str] | None
    native_account_id: str | None
    status: str
    status_reason: str | None
    discovery_interval_minutes: int | None
    last_discovery_requested_at: datetime | None
    created_at: datetime
    updated_at: datetime


class AccountList(BaseModel):
    items: list[AccountOut]


class ConnectionTest(BaseModel):
    ok: bool
    native_account_id: str | None = None
    error_code: str | None = None
    message: str | None = None
