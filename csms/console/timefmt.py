"""Times as the console shows them: local time of 湘江新区 (Asia/Shanghai), ``YYYY-MM-DD HH:MM``."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Shanghai")


def local_time(value: datetime | float | None) -> str:
    """A datetime (naive ones are UTC, as the database keeps them) or a Unix time, in local time."""
    if value is None:
        return "–"
    if not isinstance(value, datetime):
        value = datetime.fromtimestamp(value, UTC)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
