"""Request and response shapes of billing sources and ingest runs.

API sources have no field for credentials or an endpoint: jobs get both from
the asset service's session of the account. An Azure export source names its
storage container and takes a SAS token in ``credentials``, which is sealed
and only ever answered as ``has_credentials``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal, Self
from urllib.parse import parse_qs, urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from nephos_common.errors import InvalidInput
from nephos_metering.sources.models import SourceKind

MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


class AwsCurConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bucket: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
    prefix: str = Field(default="", max_length=512)
    export_name: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.-]+$")
    format: Literal["cur2", "legacy"] = "cur2"
    region: str = Field(default="us-east-1", pattern=r"^[a-z]{2}(-[a-z]+)+-\d+$")


class CostApiConfig(BaseModel):
    """Cost Explorer and Cost Management: the account says where; only amortisation is asked."""

    model_config = ConfigDict(extra="forbid")

    amortized: bool = Field(
        default=False, description="EffectiveCost from amortised cost (commitments spread)."
    )


class AzureExportConfig(BaseModel):
    """Where a scheduled Cost Management export writes: ``<container>/<directory>/<export>/``."""

    model_config = ConfigDict(extra="forbid")

    blob_endpoint: str = Field(
        max_length=300, description="The storage account's blob endpoint, e.g. "
        "https://acme.blob.core.windows.net.",
    )  # fmt: skip
    container: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
    directory: str = Field(default="", max_length=512)
    export_name: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.-]+$")
    cost_type: Literal["actual", "amortized"] = Field(
        default="actual", description="The export's dataset: ActualCost or AmortizedCost."
    )

    @field_validator("blob_endpoint")
    @classmethod
    def _plain_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("https", "http") or not parts.netloc or parts.query:
            raise ValueError("give the blob endpoint as an https URL without a query")
        return value.strip().rstrip("/")


CONFIG_MODELS: dict[SourceKind, type[BaseModel]] = {
    SourceKind.AWS_CUR: AwsCurConfig,
    SourceKind.AWS_COST_EXPLORER: CostApiConfig,
    SourceKind.AZURE_COST_MANAGEMENT: CostApiConfig,
    SourceKind.AZURE_EXPORT: AzureExportConfig,
}
CREDENTIAL_KINDS = frozenset({SourceKind.AZURE_EXPORT})


class SourceCredentials(BaseModel):
    """A container SAS token with read and list permissions (with or without the ``?``)."""

    model_config = ConfigDict(extra="forbid")

    sas_token: SecretStr = Field(min_length=1, max_length=4096)

    @field_validator("sas_token")
    @classmethod
    def _looks_like_sas(cls, value: SecretStr) -> SecretStr:
        token = value.get_secret_value().strip().lstrip("?")
        fields = parse_qs(token)
        if "sig" not in fields or "sv" not in fields:
            raise ValueError("a SAS token carries sv= and sig=; paste the token, not the URL")
        return SecretStr(token)

    def sealed_form(self) -> dict[str, Any]:
        return {"sas_token": self.sas_token.get_secret_value()}


def checked_config(kind: SourceKind, config: dict[str, Any]) -> dict[str, Any]:
    """The kind's configuration validated and with its defaults, as stored."""
    try:
        model = CONFIG_MODELS[kind].model_validate(config)
    except ValueError as exc:
        raise InvalidInput(f"invalid {kind} configuration: {exc}", code="invalid_config",
                           field="config") from None  # fmt: skip
    return model.model_dump(mode="json")


class Schedule(BaseModel):
    interval_minutes: int | None = Field(default=None, ge=1, le=7 * 24 * 60)
    daily_hour: int | None = Field(default=None, ge=0, le=23, description="UTC hour of day.")

    @model_validator(mode="after")
    def _one_rule(self) -> Self:
        if self.interval_minutes is not None and self.daily_hour is not None:
            raise ValueError("give interval_minutes or daily_hour, not both")
        return self


class SourceCreate(Schedule):
    model_config = ConfigDict(extra="forbid")

    account_id: uuid.UUID
    kind: SourceKind
    name: str = Field(min_length=1, max_length=200)
    config: dict[str, Any] = Field(default_factory=dict)
    credentials: SourceCredentials | None = None
    enabled: bool = True


class SourceUpdate(Schedule):
    """Only the fields given change; the account and kind of a source stay."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    config: dict[str, Any] | None = None
    credentials: SourceCredentials | None = Field(
        default=None, description="New credentials replace the sealed ones."
    )
    enabled: bool | None = None


class SourceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    account_id: uuid.UUID
    kind: str
    name: str
    config: dict[str, Any]
    has_credentials: bool
    interval_minutes: int | None
    daily_hour: int | None
    enabled: bool
    last_run_requested_at: datetime | None
    created_at: datetime
    updated_at: datetime


class SourceList(BaseModel):
    items: list[SourceOut]


class RunCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    billing_period: str | None = Field(
        default=None, pattern=MONTH, description="YYYY-MM; by default the open periods."
    )


class RunOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    source_id: uuid.UUID
    account_id: uuid.UUID
    kind: str
    trigger: str
    status: str
    billing_periods: list[str]
    periods_done: int
    results: list[dict[str, Any]]
    error: str | None
    error_details: dict[str, Any] | None
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class RunList(BaseModel):
    items: list[RunOut]


class AccountFreshness(BaseModel):
    """How current an account's costs are: through when, and as of which delivery."""

    account_id: uuid.UUID
    data_through: datetime | None
    last_delivery_at: datetime | None
    provisional_from: datetime | None
    """The first day whose cost may still change (see the hot bill's rule)."""


class FreshnessList(BaseModel):
    items: list[AccountFreshness]
