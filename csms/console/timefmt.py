"""Times as people in 湘江新区 read them (Asia/Shanghai, ``YYYY-MM-DD HH:MM``); filter dates as local days."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Shanghai")


def local_time(value: datetime | None, seconds: bool = False) -> str:
    """``value`` in local time (an aware datetime; a naive one is taken as UTC), or "–"."""
    if value is None:
        return "–"
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return value.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def day_start(day: date) -> datetime:
    """The first instant of ``day`` in local time."""
    return datetime.combine(day, time(0), LOCAL)


def day_end(day: date) -> datetime:
    """The first instant after ``day`` in local time (an exclusive bound: "to" includes the day)."""
    return day_start(day + timedelta(days=1))


def today(now: datetime) -> date:
    return now.astimezone(LOCAL).date()
