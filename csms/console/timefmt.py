"""Times as people in 湘江新区 read them (Asia/Shanghai, ``YYYY-MM-DD HH:MM``); filter dates as local days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Shanghai")


def local_time(value: datetime | float | None, seconds: bool = False) -> str:
    """A datetime (naive ones are UTC, as the database keeps them) or a Unix time, in local time; "–" for
    none."""
    if value is None:
        return "–"
    if not isinstance(value, datetime):
        value = datetime.fromtimestamp(value, UTC)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def day_start(day: date) -> datetime:
    """The first instant of ``day`` in local time."""
    return datetime.combine(day, time(0), LOCAL)


def day_end(day: date) -> datetime:
    """The first instant after ``day`` in local time (an exclusive bound: "to" includes the day)."""
    return day_start(day + timedelta(days=1))


def today(now: datetime) -> date:
    return now.astimezone(LOCAL).date()


def local_midnight(now: datetime) -> datetime:
    """The start of ``now``'s local day, as an aware datetime."""
    return day_start(today(now))
