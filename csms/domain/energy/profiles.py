"""Turn a power limit into OCPP SetChargingProfile payloads, decide when to resend, safe defaults.

The payloads are plain dicts, camelCase exactly as on the wire, so this module stays free of
the ``ocpp`` library; the tests validate every builder against that library's JSON schemas.
Every profile is ``Absolute`` with a ``startSchedule`` and one period from 0 s: one kind of
profile for every purpose, unambiguous on every firmware, and accepted for max profiles
(which some stations refuse as ``Relative``).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from csms.domain.energy.model import AllocationInputError, CurrentType, SessionLimit, SiteSpec

__all__ = [
    "needs_update",
    "safe_default_limit_w",
    "profile_v16",
    "tx_profile_v16",
    "tx_default_profile_v16",
    "charge_point_max_profile_v16",
    "profile_v201",
    "tx_profile_v201",
    "tx_default_profile_v201",
    "charging_station_max_profile_v201",
    "session_limit_rate",
]


def needs_update(
    old_w: float | None,
    new_w: float,
    hysteresis_w: float = 500.0,
    hysteresis_pct: float = 5.0,
    *,
    decrease_always: bool = False,
) -> bool:
    """Whether a new limit differs enough from the one the station has to be worth sending.

    Send when there is no previous limit, when the session pauses or resumes (one side is 0 W),
    or when ``|new - old| >= max(hysteresis_w, hysteresis_pct % of max(old, new))``. With
    ``decrease_always`` every decrease goes out at once, which keeps a site strictly under a
    demand-response limit at the price of more messages.

    Examples
    --------
    >>> needs_update(11_000, 10_800)
    False
    >>> needs_update(11_000, 0)
    True
    >>> needs_update(11_000, 10_800, decrease_always=True)
    True
    """
    if old_w is None:
        return True
    if (old_w <= 0) != (new_w <= 0):
        return True
    if decrease_always and new_w < old_w:
        return True
    threshold = max(hysteresis_w, hysteresis_pct / 100 * max(abs(old_w), abs(new_w)))
    return abs(new_w - old_w) >= threshold


def safe_default_limit_w(
    spec: SiteSpec,
    station_count: int,
    *,
    station_max_w: float | None = None,
    dr_limit_kw: float | None = None,
) -> float:
    """Per-station limit [W] for the fallback profile (TxDefaultProfile / ChargePointMaxProfile /
    ChargingStationMaxProfile) that a station applies when it loses the CSMS.

    It assumes the worst a disconnected station cannot see: no PV (a cloud), an empty battery,
    the base load at its declared maximum, and every station charging at once. So
    ``(min(grid, transformer, active DR limit) - declared base load) / station_count``, floored
    to 0.1 kW, capped at ``station_max_w``.
    """
    if station_count <= 0:
        raise AllocationInputError(f"site {spec.site_id}: station_count must be > 0")
    limit_kw = spec.connection_limit_kw
    if dr_limit_kw is not None:
        limit_kw = min(limit_kw, dr_limit_kw)
    per_station_w = max(0.0, (limit_kw - spec.base_load_kw) * 1000 / station_count)
    per_station_w = math.floor(per_station_w / 100) * 100
    if station_max_w is not None:
        per_station_w = min(per_station_w, station_max_w)
    return float(per_station_w)


def _limit(value: float) -> float:
    # The 1.6 schema says multipleOf 0.1 and 2.0.1 "at most one digit fraction": round *down*
    # so the wire value never exceeds the planned one.
    return math.floor(max(0.0, value) * 10 + 1e-9) / 10


def _iso(t: datetime) -> str:
    if t.tzinfo is None:
        raise AllocationInputError("start_schedule must be timezone-aware")
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _schedule(limit: float, unit: str, start: datetime, number_phases: int | None) -> dict[str, Any]:
    if unit not in ("A", "W"):
        raise AllocationInputError(f"chargingRateUnit must be 'A' or 'W', got {unit!r}")
    period: dict[str, Any] = {"startPeriod": 0, "limit": _limit(limit)}
    if number_phases is not None:
        period["numberPhases"] = number_phases
    return {"startSchedule": _iso(start), "chargingRateUnit": unit, "chargingSchedulePeriod": [period]}


# -- OCPP 1.6 ---------------------------------------------------------------------------------
def profile_v16(
    purpose: str,
    limit: float,
    unit: str,
    *,
    connector_id: int,
    profile_id: int,
    start: datetime,
    stack_level: int = 0,
    transaction_id: int | None = None,
    number_phases: int | None = None,
) -> dict[str, Any]:
    """A 1.6 SetChargingProfile.req payload (``connectorId`` + ``csChargingProfiles``)."""
    if purpose == "TxProfile" and (transaction_id is None or connector_id <= 0):
        raise AllocationInputError("1.6 TxProfile needs a transaction_id and a connector_id > 0")
    if purpose == "ChargePointMaxProfile" and connector_id != 0:
        raise AllocationInputError("1.6 ChargePointMaxProfile is set on connector_id 0")
    profile: dict[str, Any] = {
        "chargingProfileId": profile_id,
        "stackLevel": stack_level,
        "chargingProfilePurpose": purpose,
        "chargingProfileKind": "Absolute",
        "chargingSchedule": _schedule(limit, unit, start, number_phases),
    }
    if purpose == "TxProfile":
        profile["transactionId"] = transaction_id
    return {"connectorId": connector_id, "csChargingProfiles": profile}


def tx_profile_v16(
    limit: float,
    unit: str,
    *,
    connector_id: int,
    transaction_id: int,
    profile_id: int,
    start: datetime,
    stack_level: int = 1,
    number_phases: int | None = None,
) -> dict[str, Any]:
    return profile_v16(
        "TxProfile",
        limit,
        unit,
        connector_id=connector_id,
        profile_id=profile_id,
        start=start,
        stack_level=stack_level,
        transaction_id=transaction_id,
        number_phases=number_phases,
    )


def tx_default_profile_v16(
    limit: float,
    unit: str,
    *,
    profile_id: int,
    start: datetime,
    connector_id: int = 0,
    stack_level: int = 0,
    number_phases: int | None = None,
) -> dict[str, Any]:
    return profile_v16(
        "TxDefaultProfile",
        limit,
        unit,
        connector_id=connector_id,
        profile_id=profile_id,
        start=start,
        stack_level=stack_level,
        number_phases=number_phases,
    )


def charge_point_max_profile_v16(
    limit: float,
    unit: str,
    *,
    profile_id: int,
    start: datetime,
    stack_level: int = 0,
    number_phases: int | None = None,
) -> dict[str, Any]:
    return profile_v16(
        "ChargePointMaxProfile",
        limit,
        unit,
        connector_id=0,
        profile_id=profile_id,
        start=start,
        stack_level=stack_level,
        number_phases=number_phases,
    )


# -- OCPP 2.0.1 -------------------------------------------------------------------------------
def profile_v201(
    purpose: str,
    limit: float,
    unit: str,
    *,
    evse_id: int,
    profile_id: int,
    start: datetime,
    stack_level: int = 0,
    transaction_id: str | None = None,
    number_phases: int | None = None,
    schedule_id: int | None = None,
) -> dict[str, Any]:
    """A 2.0.1 SetChargingProfileRequest payload (``evseId`` + ``chargingProfile``)."""
    if purpose == "TxProfile" and (not transaction_id or evse_id <= 0):
        raise AllocationInputError("2.0.1 TxProfile needs a transaction_id and an evse_id > 0")
    if purpose == "ChargingStationMaxProfile" and evse_id != 0:
        raise AllocationInputError("2.0.1 ChargingStationMaxProfile is set on evse_id 0")
    schedule = {
        "id": profile_id if schedule_id is None else schedule_id,
        **_schedule(limit, unit, start, number_phases),
    }
    profile: dict[str, Any] = {
        "id": profile_id,
        "stackLevel": stack_level,
        "chargingProfilePurpose": purpose,
        "chargingProfileKind": "Absolute",
        "chargingSchedule": [schedule],
    }
    if purpose == "TxProfile":
        profile["transactionId"] = transaction_id
    return {"evseId": evse_id, "chargingProfile": profile}


def tx_profile_v201(
    limit: float,
    unit: str,
    *,
    evse_id: int,
    transaction_id: str,
    profile_id: int,
    start: datetime,
    stack_level: int = 1,
    number_phases: int | None = None,
) -> dict[str, Any]:
    return profile_v201(
        "TxProfile",
        limit,
        unit,
        evse_id=evse_id,
        profile_id=profile_id,
        start=start,
        stack_level=stack_level,
        transaction_id=transaction_id,
        number_phases=number_phases,
    )


def tx_default_profile_v201(
    limit: float,
    unit: str,
    *,
    profile_id: int,
    start: datetime,
    evse_id: int = 0,
    stack_level: int = 0,
    number_phases: int | None = None,
) -> dict[str, Any]:
    return profile_v201(
        "TxDefaultProfile",
        limit,
        unit,
        evse_id=evse_id,
        profile_id=profile_id,
        start=start,
        stack_level=stack_level,
        number_phases=number_phases,
    )


def charging_station_max_profile_v201(
    limit: float,
    unit: str,
    *,
    profile_id: int,
    start: datetime,
    stack_level: int = 0,
    number_phases: int | None = None,
) -> dict[str, Any]:
    return profile_v201(
        "ChargingStationMaxProfile",
        limit,
        unit,
        evse_id=0,
        profile_id=profile_id,
        start=start,
        stack_level=stack_level,
        number_phases=number_phases,
    )


def session_limit_rate(limit: SessionLimit) -> tuple[float, str, int | None]:
    """``(limit, chargingRateUnit, numberPhases)`` to send for a session: amperes per phase for AC
    (what AC stations regulate), watts for DC."""
    if limit.current_type is CurrentType.AC and limit.limit_a is not None:
        return limit.limit_a, "A", limit.phases
    return limit.limit_w, "W", None
