"""Limits set outside the CSMS (OCPP 2.0.1 K12/K13: a grid operator or local EMS via the station), as caps.

A station reports such a limit with NotifyChargingLimit (source, optional schedules) until a
ClearedChargingLimit. The site energy manager treats the limit in force now as an upper bound on what it
allocates: on the EVSE it names, or on the whole station (EVSE 0). A limit without a schedule, or whose
schedules are not in force now, caps nothing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csms.domain.timeutil import parse_timestamp
from csms.errors import InvalidInput

CapKey = tuple[str, int]
"""(station id, EVSE id); EVSE 0 is the whole station."""


@dataclass(frozen=True, slots=True)
class LimitPeriod:
    start_s: int
    limit: float
    number_phases: int | None = None


@dataclass(frozen=True, slots=True)
class LimitSchedule:
    """One chargingSchedule: ``start`` ``None`` means from when the station notified the limit."""

    unit: str
    """``"A"`` (per phase) or ``"W"``."""
    periods: tuple[LimitPeriod, ...]
    start: datetime | None = None
    duration_s: int | None = None


@dataclass(frozen=True, slots=True)
class ExternalLimit:
    station_id: str
    evse_id: int
    source: str
    schedules: tuple[LimitSchedule, ...]
    received_at: datetime


def schedule_from_wire(s: Mapping[str, Any]) -> LimitSchedule:
    """A 2.0.1 ChargingScheduleType (already schema-checked) as a :class:`LimitSchedule`."""
    wire = sorted(s["chargingSchedulePeriod"], key=lambda p: int(p["startPeriod"]))
    limits = [p.get("limit") for p in wire]  # OCPP 2.1 may leave a period without one: no cap then
    if not all(x is None or (math.isfinite(x) and x >= 0) for x in limits):
        raise InvalidInput("chargingSchedulePeriod limit must be finite and >= 0", field="chargingSchedule")
    periods = tuple(
        LimitPeriod(int(p["startPeriod"]), math.inf if x is None else float(x), p.get("numberPhases"))
        for p, x in zip(wire, limits, strict=True)
    )
    start = s.get("startSchedule")
    return LimitSchedule(
        str(s["chargingRateUnit"]),
        periods,
        parse_timestamp(start, field="startSchedule") if start else None,
        s.get("duration"),
    )


def limit_w_at(limit: ExternalLimit, now: datetime, voltage_v: float, phases: int) -> float | None:
    """The limit in force at ``now`` [W] (the lowest of its schedules in force; ``inf`` for a period without
    a limit), or ``None``.

    Amperes are per phase: W = A x ``voltage_v`` x the period's number of phases (else ``phases``).
    """
    found: list[float] = []
    for s in limit.schedules:
        start = s.start or limit.received_at
        elapsed = (now - start).total_seconds()
        if elapsed < 0 or (s.duration_s is not None and elapsed >= s.duration_s):
            continue
        current = [p for p in s.periods if p.start_s <= elapsed]
        if not current:
            continue
        p = current[-1]
        found.append(p.limit if s.unit == "W" else p.limit * voltage_v * (p.number_phases or phases))
    return min(found) if found else None


def caps_w(
    limits: Iterable[ExternalLimit], now: datetime, electrical: Mapping[str, tuple[float, int]]
) -> dict[CapKey, float]:
    """The tightest limit in force per (station, EVSE) [W]; ``electrical`` gives each station's phase
    voltage [V] and phases (stations missing from it are skipped: not at a site being allocated)."""
    out: dict[CapKey, float] = {}
    for lim in limits:
        if lim.station_id not in electrical:
            continue
        voltage_v, phases = electrical[lim.station_id]
        w = limit_w_at(lim, now, voltage_v, phases)
        if w is not None:
            key = (lim.station_id, lim.evse_id)
            out[key] = min(w, out.get(key, math.inf))
    return out
