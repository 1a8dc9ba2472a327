"""Shapes of anomalies; amounts are exact decimal strings."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class AnomalyOut(BaseModel):
    id: uuid.UUID
    account_id: uuid.UUID
    service_name: str
    day: date
    currency: str
    actual: str
    expected: str
    expected_low: str
    expected_high: str
    detected_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None


class AnomalyList(BaseModel):
    items: list[AnomalyOut]


class DetectBody(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: date = Field(alias="from", description="First day judged, included")
    end: date = Field(alias="to", description="Last day judged, included")
    account_id: uuid.UUID | None = Field(default=None, description="Every account by default")


class Detection(BaseModel):
    detected: list[AnomalyOut] = Field(description="Anomalies new to this run")
