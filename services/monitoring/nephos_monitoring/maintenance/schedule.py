"""Whether a maintenance window is on at an instant, in the window's own time zone.

A weekly window is a local start time on some weekdays plus a duration, so it
follows daylight-saving changes the way the people who planned it expect: 02:00
local stays 02:00 local. A window may run past midnight (or for days), so the
start of the previous week's days is checked too.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _once(schedule: dict[str, Any], zone: ZoneInfo, now: datetime) -> bool:
    start = _aware(datetime.fromisoformat(schedule["starts_at"]), zone)
    end = _aware(datetime.fromisoformat(schedule["ends_at"]), zone)
    return start <= now < end


def _aware(value: datetime, zone: ZoneInfo) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def _weekly(schedule: dict[str, Any], zone: ZoneInfo, now: datetime) -> bool:
    local_now = now.astimezone(zone)
    start_time = time.fromisoformat(schedule["start"])
    length = timedelta(minutes=int(schedule["duration_minutes"]))
    days = {DAYS.index(d) for d in schedule["days"]}
    for back in range(8):
        day = local_now.date() - timedelta(days=back)
        if day.weekday() not in days:
            continue
        start = datetime.combine(day, start_time, tzinfo=zone)
        if start.astimezone(UTC) <= now < (start + length).astimezone(UTC):
            return True
    return False


def is_on(schedule: dict[str, Any], timezone: str, now: datetime) -> bool:
    zone = ZoneInfo(timezone)
    if schedule["kind"] == "once":
        return _once(schedule, zone, now)
    return _weekly(schedule, zone, now)
