"""Request and response bodies of the metrics routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

METRIC_NAME = r"^[a-z][a-z0-9_.]{0,99}$"
Resolution = Literal["raw", "5m", "1h", "1d"]


class PointIn(BaseModel):
    asset_id: uuid.UUID
    metric: str = Field(pattern=METRIC_NAME)
    ts: AwareDatetime
    value: float = Field(allow_inf_nan=False)


class PointsIn(BaseModel):
    """Points pushed by a hybrid or on-premise machine (the simple JSON alternative to OTLP)."""

    points: list[PointIn] = Field(min_length=1, max_length=10_000)


class PointsAccepted(BaseModel):
    received: int
    stored: int


class SeriesPoint(BaseModel):
    ts: datetime
    avg: float
    min: float
    max: float


class SeriesOut(BaseModel):
    asset_id: uuid.UUID
    metric: str
    start: datetime
    end: datetime
    resolution: Resolution
    points: list[SeriesPoint]


class SeriesList(BaseModel):
    items: list[SeriesOut]


class LatestPoint(BaseModel):
    asset_id: uuid.UUID
    metric: str
    ts: datetime
    value: float


class LatestList(BaseModel):
    items: list[LatestPoint]
