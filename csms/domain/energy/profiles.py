"""Turn a power limit into OCPP SetChargingProfile payloads, decide when to resend, safe defaults.

The payloads are plain dicts, camelCase exactly as on the wire, so this module stays free of
the ``ocpp`` library; the tests validate every builder against that library's JSON schemas.
Every profile is ``Absolute`` with a ``startSchedule`` and one period from 0 s: one kind of
profile for every purpose, unambiguous on every firmware, and accepted for max profiles
(which some stations refuse as ``Relative``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from csms.domain.energy.model import AllocationInputError, CurrentType, SessionLimit, SiteSpec

__all__ = ["needs_update", "safe_default_limit_w", "profile_v16", "profile_v201", "session_limit_rate"]


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


@dataclass(frozen=True)
class _Wire:
    """How one OCPP version spells the same charging profile (versions are data, not branches)."""

    version: str
    scope_key: str  # where the profile applies: connector (1.6) or EVSE (2.0.1)
    profile_key: str
    id_key: str
    schedule_is_list: bool
    purposes: frozenset[str]
    station_wide: str  # the purpose that must sit on connector/EVSE 0
    tx_id_type: type


_V16 = _Wire(
    "1.6",
    "connectorId",
    "csChargingProfiles",
    "chargingProfileId",
    False,
    frozenset({"TxProfile", "TxDefaultProfile", "ChargePointMaxProfile"}),
    "ChargePointMaxProfile",
    int,
)
_V201 = _Wire(
    "2.0.1",
    "evseId",
    "chargingProfile",
    "id",
    True,
    frozenset({"TxProfile", "TxDefaultProfile", "ChargingStationMaxProfile"}),
    "ChargingStationMaxProfile",
    str,
)


def _profile(
    wire: _Wire,
    purpose: str,
    limit: float,
    unit: str,
    *,
    profile_id: int,
    start: datetime,
    scope_id: int,
    transaction_id: int | str | None,
    stack_level: int | None,
    number_phases: int | None,
) -> dict[str, Any]:
    if purpose not in wire.purposes:
        raise AllocationInputError(f"OCPP {wire.version}: purpose must be one of {sorted(wire.purposes)}")
    bad_tx = not isinstance(transaction_id, wire.tx_id_type) or transaction_id == ""
    if purpose == "TxProfile" and (bad_tx or scope_id <= 0):
        kind = wire.tx_id_type.__name__
        raise AllocationInputError(
            f"OCPP {wire.version} TxProfile needs a {kind} transaction_id and {wire.scope_key} > 0"
        )
    if purpose == wire.station_wide and scope_id != 0:
        raise AllocationInputError(f"OCPP {wire.version} {purpose} is set on {wire.scope_key} 0")
    schedule = _schedule(limit, unit, start, number_phases)
    profile: dict[str, Any] = {
        wire.id_key: profile_id,
        # A session's own limit sits above the fallback defaults on the stack.
        "stackLevel": (1 if purpose == "TxProfile" else 0) if stack_level is None else stack_level,
        "chargingProfilePurpose": purpose,
        "chargingProfileKind": "Absolute",
        "chargingSchedule": [{"id": profile_id, **schedule}] if wire.schedule_is_list else schedule,
    }
    if purpose == "TxProfile":
        profile["transactionId"] = transaction_id
    return {wire.scope_key: scope_id, wire.profile_key: profile}


def profile_v16(
    purpose: str,
    limit: float,
    unit: str,
    *,
    profile_id: int,
    start: datetime,
    connector_id: int = 0,
    transaction_id: int | None = None,
    stack_level: int | None = None,
    number_phases: int | None = None,
) -> dict[str, Any]:
    """A 1.6 SetChargingProfile.req payload for ``purpose`` in TxProfile (needs ``transaction_id``
    and ``connector_id`` > 0), TxDefaultProfile or ChargePointMaxProfile (connector 0).

    ``stack_level`` defaults to 1 for TxProfile and 0 otherwise.
    """
    return _profile(
        _V16,
        purpose,
        limit,
        unit,
        profile_id=profile_id,
        start=start,
        scope_id=connector_id,
        transaction_id=transaction_id,
        stack_level=stack_level,
        number_phases=number_phases,
    )


def profile_v201(
    purpose: str,
    limit: float,
    unit: str,
    *,
    profile_id: int,
    start: datetime,
    evse_id: int = 0,
    transaction_id: str | None = None,
    stack_level: int | None = None,
    number_phases: int | None = None,
) -> dict[str, Any]:
    """A 2.0.1 SetChargingProfileRequest payload for ``purpose`` in TxProfile (needs
    ``transaction_id`` and ``evse_id`` > 0), TxDefaultProfile or ChargingStationMaxProfile (EVSE 0).
    The schedule's id is the profile id.
    """
    return _profile(
        _V201,
        purpose,
        limit,
        unit,
        profile_id=profile_id,
        start=start,
        scope_id=evse_id,
        transaction_id=transaction_id,
        stack_level=stack_level,
        number_phases=number_phases,
    )


def session_limit_rate(limit: SessionLimit) -> tuple[float, str, int | None]:
    """``(limit, chargingRateUnit, numberPhases)`` to send for a session: amperes per phase for AC
    (what AC stations regulate), watts for DC."""
    if limit.current_type is CurrentType.AC and limit.limit_a is not None:
        return limit.limit_a, "A", limit.phases
    return limit.limit_w, "W", None
