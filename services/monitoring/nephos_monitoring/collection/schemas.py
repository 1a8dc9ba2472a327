"""The collection request and its summary.

The key pair is a ``SecretStr``: it never appears in a repr, a log line or a
validation error echo, and it is not written anywhere.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AnyHttpUrl, AwareDatetime, BaseModel, ConfigDict, Field, SecretStr


class CollectionRequest(BaseModel):
    account_id: uuid.UUID
    regions: list[str] = Field(default_factory=list, max_length=40)
    """Empty: every region where the account has targets."""
    access_key_id: SecretStr
    secret_access_key: SecretStr
    session_token: SecretStr | None = None
    endpoint_url: AnyHttpUrl | None = None
    """An endpoint override (a local moto server in tests); the real CloudWatch when absent."""
    end: AwareDatetime | None = None
    lookback_seconds: int | None = Field(default=None, ge=60, le=86_400)
    period_seconds: int | None = Field(default=None, ge=60, le=3600)


class CollectionResult(BaseModel):
    account_id: uuid.UUID
    start: datetime
    end: datetime
    targets: int
    regions: list[str]
    queries: int
    api_calls: int
    points_received: int
    points_stored: int


class JobRequest(BaseModel):
    account_id: uuid.UUID


class JobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    account_id: uuid.UUID
    provider: str
    slot: datetime
    trigger: str
    status: str
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    targets: int
    api_calls: int
    points_stored: int
    error: str | None


class JobList(BaseModel):
    items: list[JobOut]
