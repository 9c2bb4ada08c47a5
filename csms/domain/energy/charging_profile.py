"""A charging profile as the CSMS means it, whatever the station's OCPP version (a value, no wire shape).

The planner (:mod:`csms.domain.energy.planning`) produces these; each OCPP version module of the
charger-facing edge translates one into its SetChargingProfile payload (``set-charging-profile``).
Every profile is ``Absolute`` with a start and periods from 0 s: one kind of profile for every purpose,
unambiguous on every firmware, and accepted for the station maximum (which some stations refuse as
``Relative``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from csms.domain.energy.model import AllocationInputError


class ProfilePurpose(StrEnum):
    """What a profile limits. The station maximum is ChargePointMaxProfile in OCPP 1.6."""

    TX = "TxProfile"
    """One transaction, on its EVSE (connector in 1.6)."""
    TX_DEFAULT = "TxDefaultProfile"
    """Every transaction without its own profile: the fallback of a station that lost the CSMS."""
    STATION_MAX = "ChargingStationMaxProfile"
    """The whole station, on EVSE 0."""


def wire_limit(value: float) -> float:
    """``value`` rounded *down* to 0.1 (1.6: multipleOf 0.1; 2.0.1: at most one digit fraction), >= 0.

    Down, so that the limit a station applies never exceeds the one planned.

    >>> wire_limit(16.25), wire_limit(31999.97), wire_limit(-1)
    (16.2, 31999.9, 0.0)
    """
    return math.floor(max(0.0, value) * 10 + 1e-9) / 10


@dataclass(frozen=True, slots=True)
class SchedulePeriod:
    """From ``start_s`` [s after the profile's start] at ``limit`` [the profile's unit: A per phase, or W]."""

    start_s: int
    limit: float
    number_phases: int | None = None


@dataclass(frozen=True, slots=True)
class TransactionRef:
    """A transaction as each version names it: the CSMS's number (1.6) and the station's id (2.0.1)."""

    id: int
    uid: str | None = None


@dataclass(frozen=True, slots=True)
class ChargingProfile:
    """A version-neutral charging profile.

    ``evse_id`` 0 is the whole station (TxDefaultProfile, station maximum); a TxProfile sits on an EVSE
    > 0 and names its ``transaction``. ``unit`` is ``"A"`` (per phase, AC) or ``"W"``. ``stack_level``:
    a session's own limit (1) sits above the fallback defaults (0).
    """

    purpose: ProfilePurpose
    profile_id: int
    evse_id: int
    unit: str
    start: datetime
    periods: tuple[SchedulePeriod, ...]
    transaction: TransactionRef | None = None
    stack_level: int = 0

    def __post_init__(self) -> None:
        if self.unit not in ("A", "W"):
            raise AllocationInputError(f"chargingRateUnit must be 'A' or 'W', got {self.unit!r}")
        if self.start.tzinfo is None:
            raise AllocationInputError("start_schedule must be timezone-aware")
        if not self.periods or self.periods[0].start_s != 0:
            raise AllocationInputError("a charging schedule starts with a period at 0 s")
        if self.purpose is ProfilePurpose.TX and (self.transaction is None or self.evse_id <= 0):
            raise AllocationInputError("a TxProfile needs a transaction and an EVSE > 0")
        if self.purpose is ProfilePurpose.STATION_MAX and self.evse_id != 0:
            raise AllocationInputError(f"{self.purpose.value} is set on EVSE 0")

    @property
    def limit(self) -> float:
        """The first period's limit (what applies now)."""
        return self.periods[0].limit


def charging_profile(
    purpose: ProfilePurpose,
    limit: float,
    unit: str,
    *,
    profile_id: int,
    start: datetime,
    evse_id: int = 0,
    transaction: TransactionRef | None = None,
    number_phases: int | None = None,
    stack_level: int | None = None,
) -> ChargingProfile:
    """One period from 0 s at ``limit`` (rounded down to 0.1); ``stack_level`` 1 for TxProfile, else 0."""
    return ChargingProfile(
        purpose,
        profile_id,
        evse_id,
        unit,
        start,
        (SchedulePeriod(0, wire_limit(limit), number_phases),),
        transaction,
        (1 if purpose is ProfilePurpose.TX else 0) if stack_level is None else stack_level,
    )


def with_fallback(
    profile: ChargingProfile, after_s: int, limit: float, number_phases: int | None
) -> ChargingProfile:
    """``profile`` with one more period from ``after_s`` at ``limit`` (rounded down to 0.1)."""
    period = SchedulePeriod(after_s, wire_limit(limit), number_phases)
    return replace(profile, periods=(*profile.periods, period))
