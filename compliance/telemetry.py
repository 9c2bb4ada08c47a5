"""Telemetry cross-check: do the chargers a car park claims really talk to the CSMS?

Pure: the CSMS passes what it knows (station id -> last time heard, or ``None`` when never seen) and
``now``; nothing here touches a database or a socket. A listed station never seen, or silent for
``silent_after_days`` days or more, is a discrepancy. In strict mode the car park is re-judged counting
only spaces whose chargers were seen online (see :func:`apply_strict`).

Assumption (documented in docs/compliance.md): one listed station serves one space unless the caller
says otherwise through ``spaces_per_station`` (a dual-gun pile on two spaces counts two).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from compliance.errors import TelemetryError
from compliance.model import CarPark

MAX_SILENT_DAYS = 3650.0
"""The longest silence threshold accepted [days] (ten years; a larger one would overflow a timedelta)."""


class StationStatus(StrEnum):
    ONLINE = "online"
    SILENT = "silent"
    NEVER_SEEN = "never_seen"


@dataclass(frozen=True, slots=True)
class StationFinding:
    """One listed station: its status, when it was last heard (UTC) and for how many days it was silent."""

    station_id: str
    status: StationStatus
    last_seen: datetime | None
    silent_days: float | None


@dataclass(frozen=True, slots=True)
class TelemetryCheck:
    """The cross-check of one car park's listed stations."""

    car_park_id: str
    findings: tuple[StationFinding, ...]
    silent_after_days: float

    @property
    def online_station_ids(self) -> tuple[str, ...]:
        return tuple(f.station_id for f in self.findings if f.status is StationStatus.ONLINE)

    @property
    def discrepancies(self) -> tuple[StationFinding, ...]:
        """Listed stations never seen or silent for ``silent_after_days`` or more."""
        return tuple(f for f in self.findings if f.status is not StationStatus.ONLINE)

    @property
    def has_discrepancy(self) -> bool:
        return any(f.status is not StationStatus.ONLINE for f in self.findings)

    def message(self, lang: str = "en") -> str:
        """A one-line bilingual description of the discrepancies (empty when there are none)."""
        parts = []
        for f in self.discrepancies:
            if f.status is StationStatus.NEVER_SEEN:
                parts.append(f"{f.station_id} 从未接入平台" if lang == "zh" else f"{f.station_id} never seen")
            else:
                days = f"{f.silent_days:.1f}"
                parts.append(
                    f"{f.station_id} 已 {days} 天无通信"
                    if lang == "zh"
                    else f"{f.station_id} silent {days} d"
                )
        return ("；" if lang == "zh" else "; ").join(parts)


def _require_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise TelemetryError(f"{what}: expected a timezone-aware datetime, got a naive one")


def cross_check(
    car_park_id: str,
    station_ids: tuple[str, ...] | list[str],
    last_seen: Mapping[str, datetime | None],
    now: datetime,
    silent_after_days: float = 7.0,
) -> TelemetryCheck:
    """Compare a car park's listed stations with what the CSMS has heard.

    Parameters
    ----------
    car_park_id : str
        The car park, for the report.
    station_ids : sequence of str
        Station ids the register lists for the car park.
    last_seen : mapping of str to aware datetime or None
        What the CSMS knows: when each station was last heard; a missing key or ``None`` means never.
    now : datetime
        The reference time (aware); injected so that results are reproducible.
    silent_after_days : float
        A station not heard for this many days or more [days] counts as silent.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> now = datetime(2025, 6, 30, tzinfo=timezone.utc)
    >>> check = cross_check("P1", ["A", "B", "C"], {"A": datetime(2025, 6, 29, tzinfo=timezone.utc),
    ...                     "B": datetime(2025, 6, 1, tzinfo=timezone.utc)}, now, silent_after_days=7)
    >>> [(f.station_id, f.status.value) for f in check.findings]
    [('A', 'online'), ('B', 'silent'), ('C', 'never_seen')]
    >>> check.message()
    'B silent 29.0 d; C never seen'
    """
    _require_aware(now, "now")
    if not 0 <= silent_after_days <= MAX_SILENT_DAYS:
        raise TelemetryError(
            f"silent_after_days must be between 0 and {MAX_SILENT_DAYS} days, got {silent_after_days}"
        )
    threshold = timedelta(days=silent_after_days)
    findings = []
    for station_id in dict.fromkeys(station_ids):  # a station listed twice is checked once
        seen = last_seen.get(station_id)
        if seen is None:
            findings.append(StationFinding(station_id, StationStatus.NEVER_SEEN, None, None))
            continue
        _require_aware(seen, f"last_seen[{station_id!r}]")
        silence = now - seen
        status = StationStatus.SILENT if silence >= threshold else StationStatus.ONLINE
        findings.append(StationFinding(station_id, status, seen, silence.total_seconds() / 86400.0))
    return TelemetryCheck(car_park_id, tuple(findings), silent_after_days)


def cross_check_car_park(
    cp: CarPark, last_seen: Mapping[str, datetime | None], now: datetime, silent_after_days: float = 7.0
) -> TelemetryCheck:
    """:func:`cross_check` for a record's own ``station_ids``."""
    return cross_check(cp.id, cp.station_ids, last_seen, now, silent_after_days)


def apply_strict(
    cp: CarPark, check: TelemetryCheck, spaces_per_station: Mapping[str, int] | None = None
) -> CarPark:
    """The record as strict mode judges it: only spaces whose chargers were seen online count.

    A car park that lists no station ids is not linked to the CSMS and is returned unchanged. The
    counted spaces never exceed what the register declares.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from compliance.categories import Category
    >>> now = datetime(2025, 6, 30, tzinfo=timezone.utc)
    >>> cp = CarPark(id="P1", name="p", category=Category.OTHER, spaces_with_chargers=6,
    ...              station_ids=("A", "B"))
    >>> check = cross_check_car_park(cp, {"A": now}, now)
    >>> apply_strict(cp, check, {"A": 2}).spaces_with_chargers
    2
    """
    if not cp.station_ids:
        return cp
    per_station = spaces_per_station or {}
    online_spaces = sum(per_station.get(sid, 1) for sid in check.online_station_ids)
    declared = cp.spaces_with_chargers
    counted = online_spaces if declared is None else min(declared, online_spaces)
    return dataclasses.replace(cp, spaces_with_chargers=counted)
