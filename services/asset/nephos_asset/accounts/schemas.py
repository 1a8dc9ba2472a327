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

REGION_PATTERN = r"^[a-z]{2}(-[a-z]+)+-\d+$"


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


def _reveal(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


class AccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    provider: Literal["aws"]
    credentials: AwsCredentials
    endpoint_url: AnyHttpUrl | None = Field(
        default=None, description="Send every API call here instead of the provider (emulators)."
    )
    regions: list[str] | None = Field(
        default=None, description="Regions to discover; all enabled regions when omitted."
    )
    discovery_interval_minutes: int | None = Field(default=None, ge=5, le=7 * 24 * 60)

    @model_validator(mode="after")
    def _regions_look_right(self) -> Self:
        _check_regions(self.regions)
        return self


class AccountUpdate(BaseModel):
    """Only the fields present are changed; ``null`` clears an optional field."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    credentials: AwsCredentials | None = None
    endpoint_url: AnyHttpUrl | None = None
    regions: list[str] | None = None
    discovery_interval_minutes: int | None = Field(default=None, ge=5, le=7 * 24 * 60)

    @model_validator(mode="after")
    def _regions_look_right(self) -> Self:
        _check_regions(self.regions)
        return self


def _check_regions(regions: list[str] | None) -> None:
    for region in regions or ():
        if not re.match(REGION_PATTERN, region):
            raise ValueError(f"{region!r} is not a region name")
    if regions is not None and not regions:
        raise ValueError("regions, when given, must name at least one region")


class AccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    provider: str
    auth_method: str
    endpoint_url: str | None
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
