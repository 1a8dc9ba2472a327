"""When a maintenance window is on: weekly windows in their own time zone, past
midnight and across a daylight-saving change; one-off windows with and without an
offset."""

from __future__ import annotations

from datetime import UTC, datetime

from nephos_monitoring.maintenance.schedule import is_on

SUNDAY_NIGHT = {"kind": "weekly", "days": ["sun"], "start": "23:00", "duration_minutes": 180}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_weekly_window_runs_past_midnight_in_its_zone() -> None:
    # Sunday 23:00 to Monday 02:00 in Seoul (UTC+9): Sunday 14:00 to 17:00 UTC.
    zone = "Asia/Seoul"
    assert is_on(SUNDAY_NIGHT, zone, at("2026-11-29T14:00:00+00:00"))
    assert is_on(SUNDAY_NIGHT, zone, at("2026-11-30T01:59:00+09:00"))
    assert not is_on(SUNDAY_NIGHT, zone, at("2026-11-30T02:00:00+09:00"))
    assert not is_on(SUNDAY_NIGHT, zone, at("2026-11-29T22:59:00+09:00"))
    # The same local times on a Saturday are not in the window.
    assert not is_on(SUNDAY_NIGHT, zone, at("2026-11-28T23:30:00+09:00"))


def test_weekly_window_keeps_its_local_time_across_daylight_saving() -> None:
    window = {"kind": "weekly", "days": ["sun"], "start": "03:00", "duration_minutes": 60}
    zone = "Europe/Berlin"
    # Summer (UTC+2): 03:00 local is 01:00 UTC; winter (UTC+1): 02:00 UTC.
    assert is_on(window, zone, at("2026-07-05T01:30:00+00:00"))
    assert not is_on(window, zone, at("2026-07-05T02:30:00+00:00"))
    assert is_on(window, zone, at("2026-11-29T02:30:00+00:00"))
    assert not is_on(window, zone, at("2026-11-29T01:30:00+00:00"))


def test_one_off_window_reads_naive_times_in_its_zone() -> None:
    naive = {"kind": "once", "starts_at": "2026-12-01T09:00:00", "ends_at": "2026-12-01T10:00:00"}
    assert is_on(naive, "America/New_York", at("2026-12-01T14:30:00+00:00"))
    assert not is_on(naive, "America/New_York", at("2026-12-01T09:30:00+00:00"))
    offset = {**naive, "starts_at": "2026-12-01T09:00:00+00:00"}
    assert is_on(offset, "America/New_York", at("2026-12-01T09:30:00+00:00"))
