"""Maintenance windows: planned work during which alerts on the covered assets are
silenced, once or every week, in the window's own time zone."""

from __future__ import annotations

import enum
from datetime import datetime, time
from typing import Any

import strawberry

from nephos_gateway.clients import monitoring_models as m
from nephos_gateway.schema.types.alert_rules import TagInput, given, tag_map
from nephos_gateway.schema.types.assets import Tag
from nephos_gateway.schema.types.common import UserError


@strawberry.enum
class Weekday(enum.Enum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


@strawberry.type(description="What the window covers; only the fields of its kind are set.")
class MaintenanceScope:
    kind: str = strawberry.field(description="assets, tags or service_group.")
    asset_ids: list[strawberry.ID] | None
    tags: list[Tag] | None
    service_group_id: strawberry.ID | None

    @classmethod
    def of(cls, scope: dict[str, Any]) -> MaintenanceScope:
        tags = scope.get("tags")
        group = scope.get("group_id")
        return cls(
            kind=str(scope.get("kind", "")),
            asset_ids=[strawberry.ID(str(a)) for a in scope.get("asset_ids") or ()] or None,
            tags=[Tag(key=k, value=v) for k, v in sorted(tags.items())] if tags else None,
            service_group_id=strawberry.ID(str(group)) if group else None,
        )


@strawberry.type(
    description="once: startsAt to endsAt; weekly: on days from start for durationMinutes. "
    "Times without an offset are in the window's time zone."
)
class MaintenanceSchedule:
    kind: str = strawberry.field(description="once or weekly.")
    starts_at: datetime | None
    ends_at: datetime | None
    days: list[Weekday] | None
    start: time | None
    duration_minutes: int | None

    @classmethod
    def of(cls, schedule: dict[str, Any]) -> MaintenanceSchedule:
        def moment(key: str) -> datetime | None:
            value = schedule.get(key)
            return datetime.fromisoformat(value) if isinstance(value, str) else None

        start = schedule.get("start")
        return cls(
            kind=str(schedule.get("kind", "")),
            starts_at=moment("starts_at"),
            ends_at=moment("ends_at"),
            days=[Weekday(d) for d in schedule["days"]] if schedule.get("days") else None,
            start=time.fromisoformat(start) if isinstance(start, str) else None,
            duration_minutes=schedule.get("duration_minutes"),
        )


@strawberry.type
class MaintenanceWindow:
    id: strawberry.ID
    name: str
    scope: MaintenanceScope
    schedule: MaintenanceSchedule
    timezone: str
    comment: str
    created_by: str
    created_at: datetime
    active: bool = strawberry.field(description="Whether it is on right now.")

    @classmethod
    def of(cls, w: m.MaintenanceWindow) -> MaintenanceWindow:
        return cls(
            id=strawberry.ID(w.id),
            name=w.name,
            scope=MaintenanceScope.of(w.scope),
            schedule=MaintenanceSchedule.of(w.schedule),
            timezone=w.timezone,
            comment=w.comment,
            created_by=w.created_by,
            created_at=w.created_at,
            active=w.active,
        )


@strawberry.input(one_of=True, description="Exactly one: what the window covers.")
class MaintenanceScopeInput:
    asset_ids: list[strawberry.ID] | None = strawberry.UNSET
    tags: list[TagInput] | None = strawberry.UNSET
    service_group_id: strawberry.ID | None = strawberry.UNSET

    def body(self) -> dict[str, Any]:
        if given(self.asset_ids):
            return {"kind": "assets", "asset_ids": [str(a) for a in self.asset_ids or ()]}
        if given(self.tags):
            return {"kind": "tags", "tags": tag_map(self.tags or [])}
        return {"kind": "service_group", "group_id": str(self.service_group_id)}


@strawberry.input
class OnceScheduleInput:
    starts_at: datetime
    ends_at: datetime


@strawberry.input
class WeeklyScheduleInput:
    days: list[Weekday]
    start: time = strawberry.field(description="Local time of day, in the window's time zone.")
    duration_minutes: int


@strawberry.input(one_of=True, description="Exactly one: once, or every week.")
class MaintenanceScheduleInput:
    once: OnceScheduleInput | None = strawberry.UNSET
    weekly: WeeklyScheduleInput | None = strawberry.UNSET

    def body(self) -> dict[str, Any]:
        if given(self.once):
            once = self.once
            assert once
            return {
                "kind": "once",
                "starts_at": once.starts_at.isoformat(),
                "ends_at": once.ends_at.isoformat(),
            }
        weekly = self.weekly
        assert weekly  # one_of: exactly one is given
        return {
            "kind": "weekly",
            "days": [d.value for d in weekly.days],
            "start": weekly.start.isoformat(),
            "duration_minutes": weekly.duration_minutes,
        }


@strawberry.input
class MaintenanceWindowInput:
    name: str
    scope: MaintenanceScopeInput
    schedule: MaintenanceScheduleInput
    timezone: str = strawberry.field(default="UTC", description="e.g. Asia/Seoul.")
    comment: str = ""

    def body(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "scope": self.scope.body(),
            "schedule": self.schedule.body(),
            "timezone": self.timezone,
            "comment": self.comment,
        }


@strawberry.type
class MaintenanceWindowPayload:
    maintenance_window: MaintenanceWindow | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteMaintenanceWindowPayload:
    deleted_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
