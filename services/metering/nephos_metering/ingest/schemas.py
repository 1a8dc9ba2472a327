"""Request and response shapes of billing ingest.

Credentials come in as ``SecretStr`` for one ingest and never go out: no
response model has a field that could carry them.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, SecretStr, field_serializer


class AwsKeyPair(BaseModel):
    model_config = ConfigDict(extra="forbid")

    access_key_id: str = Field(min_length=16, max_length=128)
    secret_access_key: SecretStr
    session_token: SecretStr | None = None


class CurIngestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bucket: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
    prefix: str = Field(default="", max_length=512)
    export_name: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.-]+$")
    billing_period: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")
    format: Literal["cur2", "legacy"] = "cur2"
    region: str = Field(default="us-east-1", pattern=r"^[a-z]{2}(-[a-z]+)+-\d+$")
    endpoint_url: AnyHttpUrl | None = Field(
        default=None, description="Send S3 calls here instead of AWS (emulators)."
    )
    credentials: AwsKeyPair = Field(
        description="Used for this ingest only; never stored, logged or returned."
    )


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    account_id: uuid.UUID
    source: str
    bucket: str
    manifest_key: str
    files: list[str]
    billing_account_id: str | None
    billing_period_start: datetime
    billing_period_end: datetime
    status: str
    row_count: int
    billed_cost_total: Decimal | None
    billing_currency: str | None
    error: str | None
    error_details: dict[str, object] | None
    requested_at: datetime
    finished_at: datetime | None

    @field_serializer("billed_cost_total")
    def _exact(self, value: Decimal | None) -> str | None:
        return None if value is None else format(value, "f")


class IngestOut(BaseModel):
    outcome: Literal["ingested", "skipped"]
    delivery: DeliveryOut


class DeliveryList(BaseModel):
    items: list[DeliveryOut]
