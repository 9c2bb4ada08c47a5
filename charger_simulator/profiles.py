"""Smart-charging profiles: storage rules, the active limit and the composite schedule.

Pure and version-neutral: both OCPP 1.6 (``csChargingProfiles``) and 2.0.1 (``chargingProfile``)
profiles are turned into :class:`ChargingProfile` by the adapters. The rules follow OCPP 1.6
§3.13 (Smart Charging) and OCPP 2.0.1 K01/K08:

* a profile with the same id, or with the same stack level and purpose on the same connector/EVSE,
  replaces the installed one;
* within one purpose the active profile with the highest stack level wins;
* ``TxProfile`` overrides ``TxDefaultProfile`` for the transaction it applies to;
* the station maximum profile (``ChargePointMaxProfile``/``ChargingStationMaxProfile``) caps the result.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

#: Neutral purpose names; adapters map version spellings onto them.
PURPOSE_STATION_MAX = "StationMax"
PURPOSE_TX_DEFAULT = "TxDefault"
PURPOSE_TX = "Tx"

_RECURRENCE_S = {"Daily": 86_400, "Weekly": 7 * 86_400}


@dataclass(frozen=True)
class SchedulePeriod:
    """One period of a charging schedule: from ``start_s`` seconds on, ``limit`` in the schedule unit."""

    start_s: int
    limit: float
    number_phases: int | None = None


@dataclass(frozen=True)
class ChargingProfile:
    """A charging profile installed on connector/EVSE ``connector_id`` (0 = the whole station).

    ``rate_unit`` is ``"W"`` or ``"A"``; limits in amperes are per phase.
    """

    profile_id: int
    stack_level: int
    purpose: str
    kind: str
    rate_unit: str
    periods: tuple[SchedulePeriod, ...]
    connector_id: int = 0
    duration_s: int | None = None
    start_schedule: datetime | None = None
    recurrency: str | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    transaction_id: str | None = None
    min_rate: float | None = None


@dataclass(frozen=True)
class LimitContext:
    """What the limit of one connector depends on besides the profiles.

    Parameters
    ----------
    connector_id : int
        The connector (1.6) or EVSE (2.0.1) id.
    transaction_id : str or None
        The running transaction, if any (TxProfile binding).
    transaction_start : datetime or None
        Start of the running transaction (Relative profiles).
    voltage_v : float
        Phase voltage [V] (AC) or DC link voltage [V], to convert ampere limits to watts.
    phases : int
        Phases used when a period names none (1 for DC).
    """

    connector_id: int
    transaction_id: str | None = None
    transaction_start: datetime | None = None
    voltage_v: float = 230.0
    phases: int = 3


def schedule_start(profile: ChargingProfile, now: datetime, tx_start: datetime | None) -> datetime | None:
    """Start of the schedule period cycle that covers ``now`` (None if the profile has no anchor)."""
    if profile.kind == "Relative":
        return tx_start or now
    start = profile.start_schedule or profile.valid_from
    if start is None:
        return tx_start
    if profile.kind == "Recurring" and profile.recurrency in _RECURRENCE_S and now >= start:
        cycle_s = _RECURRENCE_S[profile.recurrency]
        cycles = int((now - start).total_seconds() // cycle_s)
        start = start + timedelta(seconds=cycles * cycle_s)
    return start


def period_limit(profile: ChargingProfile, now: datetime, tx_start: datetime | None) -> SchedulePeriod | None:
    """The schedule period of ``profile`` in force at ``now``, or None when the profile is not active."""
    if profile.valid_from and now < profile.valid_from:
        return None
    if profile.valid_to and now >= profile.valid_to:
        return None
    start = schedule_start(profile, now, tx_start)
    if start is None:
        return None
    elapsed_s = (now - start).total_seconds()
    if elapsed_s < 0 or (profile.duration_s is not None and elapsed_s >= profile.duration_s):
        return None
    current = None
    for period in profile.periods:
        if period.start_s <= elapsed_s:
            current = period
    return current


def to_watts(period: SchedulePeriod, unit: str, ctx: LimitContext) -> float:
    """Convert a period limit to watts [W] (ampere limits are per phase)."""
    if unit == "W":
        return period.limit
    return period.limit * ctx.voltage_v * (period.number_phases or ctx.phases)


def _winner(profiles: Iterable[ChargingProfile], now: datetime, ctx: LimitContext) -> float | None:
    """Limit [W] of the highest-stack active profile among ``profiles`` (connector-specific wins ties)."""
    best: tuple[int, int, float] | None = None
    for p in profiles:
        period = period_limit(p, now, ctx.transaction_start)
        if period is None:
            continue
        key = (p.stack_level, 1 if p.connector_id else 0)
        if best is None or key > best[:2]:
            best = (*key, to_watts(period, p.rate_unit, ctx))
    return None if best is None else best[2]


def profile_from_payload(
    d: dict, schedule: dict, profile_id: int, purpose: str, connector_id: int, parse_time
) -> ChargingProfile:
    """A neutral profile from a 1.6 ``csChargingProfiles`` or 2.0.1 ``chargingProfile`` (snake_case keys).

    The versions name the id and nest the schedule differently; the caller passes those, the
    remaining fields are spelled alike.
    """
    return ChargingProfile(
        profile_id=int(profile_id),
        stack_level=int(d["stack_level"]),
        purpose=purpose,
        kind=d["charging_profile_kind"],
        rate_unit=schedule["charging_rate_unit"],
        periods=tuple(
            SchedulePeriod(int(p["start_period"]), float(p["limit"]), p.get("number_phases"))
            for p in schedule["charging_schedule_period"]
        ),
        connector_id=connector_id,
        duration_s=schedule.get("duration"),
        start_schedule=parse_time(schedule["start_schedule"]) if schedule.get("start_schedule") else None,
        recurrency=d.get("recurrency_kind"),
        valid_from=parse_time(d["valid_from"]) if d.get("valid_from") else None,
        valid_to=parse_time(d["valid_to"]) if d.get("valid_to") else None,
        transaction_id=str(d["transaction_id"]) if d.get("transaction_id") is not None else None,
        min_rate=schedule.get("min_charging_rate"),
    )


def on_station_clock(profile: ChargingProfile, now: datetime, factor: float) -> ChargingProfile:
    """``profile`` as a station whose clock runs ``factor`` times faster than the CSMS's reads it.

    A CSMS on the real clock stamps the profiles it sends with its own time (an energy manager's start now,
    a fallback period 900 s on), while a simulated station at a time factor lives elsewhere in time: it
    would find the start in its future or past and ignore the profile. So the profile's anchor
    (``startSchedule``, else ``validFrom``) is read as the moment it arrives (``now`` on the station's clock)
    and every time after it is stretched by ``factor``: 900 CSMS seconds are 900 real seconds, as long as
    the CSMS waits before it refreshes the profile. Relative and Recurring profiles need no mapping.

    >>> from datetime import UTC
    >>> periods = (SchedulePeriod(0, 9e3), SchedulePeriod(900, 4e3))
    >>> p = ChargingProfile(1, 0, PURPOSE_TX, "Absolute", "W", periods,
    ...                     start_schedule=datetime(2026, 12, 2, 3, 0, tzinfo=UTC))
    >>> q = on_station_clock(p, datetime(2026, 6, 21, 0, 0, tzinfo=UTC), 10)
    >>> q.start_schedule.isoformat(), [x.start_s for x in q.periods]
    ('2026-06-21T00:00:00+00:00', [0, 9000])
    """
    anchor = profile.start_schedule or profile.valid_from
    if profile.kind != "Absolute" or anchor is None or factor == 1:
        return profile

    def mapped(t: datetime | None) -> datetime | None:
        return None if t is None else now + (t - anchor) * factor

    return replace(
        profile,
        start_schedule=mapped(profile.start_schedule),
        valid_from=mapped(profile.valid_from),
        valid_to=mapped(profile.valid_to),
        duration_s=None if profile.duration_s is None else round(profile.duration_s * factor),
        periods=tuple(replace(p, start_s=round(p.start_s * factor)) for p in profile.periods),
    )


class ProfileStore:
    """The charging profiles installed on a station, with the OCPP replacement rules."""

    def __init__(self) -> None:
        self.profiles: list[ChargingProfile] = []

    def install(self, profile: ChargingProfile) -> None:
        """Install ``profile``, replacing one with the same id or the same stack level/purpose/connector."""
        self.profiles = [
            p
            for p in self.profiles
            if p.profile_id != profile.profile_id
            and not (
                p.stack_level == profile.stack_level
                and p.purpose == profile.purpose
                and p.connector_id == profile.connector_id
            )
        ]
        self.profiles.append(profile)

    def clear(
        self,
        profile_id: int | None = None,
        connector_id: int | None = None,
        purpose: str | None = None,
        stack_level: int | None = None,
    ) -> int:
        """Remove the matching profiles; returns how many were removed (0 means status Unknown)."""

        def matches(p: ChargingProfile) -> bool:
            if profile_id is not None:
                return p.profile_id == profile_id
            return (
                (connector_id is None or p.connector_id == connector_id)
                and (purpose is None or p.purpose == purpose)
                and (stack_level is None or p.stack_level == stack_level)
            )

        kept = [p for p in self.profiles if not matches(p)]
        removed = len(self.profiles) - len(kept)
        self.profiles = kept
        return removed

    def drop_transaction(self, transaction_id: str) -> None:
        """TxProfiles end with their transaction (OCPP 1.6 §3.13.4, 2.0.1 K01.FR.05)."""
        self.profiles = [
            p for p in self.profiles if not (p.purpose == PURPOSE_TX and p.transaction_id == transaction_id)
        ]

    def limit_w(self, now: datetime, ctx: LimitContext, hardware_max_w: float) -> float:
        """The power limit [W] for connector ``ctx.connector_id`` at ``now``, never above the hardware."""
        on_connector = [p for p in self.profiles if p.connector_id in (0, ctx.connector_id)]
        tx_limit = None
        if ctx.transaction_id is not None:
            tx_limit = _winner(
                (
                    p
                    for p in on_connector
                    if p.purpose == PURPOSE_TX
                    and p.connector_id == ctx.connector_id
                    and p.transaction_id in (None, ctx.transaction_id)
                ),
                now,
                ctx,
            )
        if tx_limit is None:
            tx_limit = _winner((p for p in on_connector if p.purpose == PURPOSE_TX_DEFAULT), now, ctx)
        station_limit = _winner((p for p in self.profiles if p.purpose == PURPOSE_STATION_MAX), now, ctx)
        limit = hardware_max_w
        for value in (tx_limit, station_limit):
            if value is not None:
                limit = min(limit, value)
        return max(limit, 0.0)

    def breakpoints(self, start: datetime, end: datetime, tx_start: datetime | None) -> list[datetime]:
        """Every instant in [start, end) at which some profile's limit may change."""
        points = {start}
        for p in self.profiles:
            for t in (p.valid_from, p.valid_to):
                if t is not None and start < t < end:
                    points.add(t)
            anchor = schedule_start(p, start, tx_start)
            if anchor is None:
                continue
            cycle_s = _RECURRENCE_S.get(p.recurrency or "", 0) if p.kind == "Recurring" else 0
            base = anchor
            while base < end:
                for offset_s in [period.start_s for period in p.periods] + (
                    [p.duration_s] if p.duration_s is not None else []
                ):
                    t = base + timedelta(seconds=offset_s)
                    if start < t < end:
                        points.add(t)
                if not cycle_s:
                    break
                base += timedelta(seconds=cycle_s)
        return sorted(points)


@dataclass
class CompositePeriod:
    """One period of a composite schedule, ``start_s`` seconds after the schedule start."""

    start_s: int
    limit: float
    number_phases: int | None = None


@dataclass
class CompositeSchedule:
    """The combined limit over time for one connector (OCPP 1.6 GetCompositeSchedule, 2.0.1 K08)."""

    start: datetime
    duration_s: int
    rate_unit: str
    periods: list[CompositePeriod] = field(default_factory=list)


def composite_schedule(
    store: ProfileStore,
    start: datetime,
    duration_s: int,
    ctx: LimitContext,
    hardware_max_w: float,
    rate_unit: str = "W",
) -> CompositeSchedule:
    """Sample the effective limit at every breakpoint and merge equal neighbours.

    Ampere schedules divide the watt limit by ``voltage_v * phases`` (per-phase current).
    """
    end = start + timedelta(seconds=duration_s)
    schedule = CompositeSchedule(start=start, duration_s=duration_s, rate_unit=rate_unit)
    for t in store.breakpoints(start, end, ctx.transaction_start):
        limit_w = store.limit_w(t, ctx, hardware_max_w)
        limit = limit_w if rate_unit == "W" else limit_w / (ctx.voltage_v * ctx.phases)
        limit = round(limit, 1)
        if schedule.periods and schedule.periods[-1].limit == limit:
            continue
        schedule.periods.append(CompositePeriod(int((t - start).total_seconds()), limit))
    return schedule
