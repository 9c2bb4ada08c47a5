"""When a new limit is worth sending, the safe default a station falls back to, a session's rate.

The profiles themselves are :mod:`csms.domain.energy.charging_profile` values; each OCPP version's module
of the charger-facing edge turns them into its SetChargingProfile payload.
"""

from __future__ import annotations

import math

from csms.domain.energy.model import AllocationInputError, CurrentType, SessionLimit, SiteSpec

__all__ = ["needs_update", "safe_default_limit_w", "session_limit_rate"]


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


def session_limit_rate(limit: SessionLimit) -> tuple[float, str, int | None]:
    """``(limit, chargingRateUnit, numberPhases)`` to send for a session: amperes per phase for AC
    (what AC stations regulate), watts for DC."""
    if limit.current_type is CurrentType.AC and limit.limit_a is not None:
        return limit.limit_a, "A", limit.phases
    return limit.limit_w, "W", None
