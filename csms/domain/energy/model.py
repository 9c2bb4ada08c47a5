"""Plain values of a 光储充 site: its fixed spec, a state snapshot, and the allocation result.

All powers are in W unless the name says kW; state of charge in % of capacity; times are
timezone-aware UTC datetimes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from csms.errors import InvalidInput

__all__ = [
    "AllocationInputError",
    "CurrentType",
    "PriorityClass",
    "PRIORITY_RANK",
    "DEFAULT_PRIORITY_WEIGHTS",
    "SiteSpec",
    "SessionDemand",
    "SiteState",
    "Reason",
    "SessionStatus",
    "SessionLimit",
    "Allocation",
]


class AllocationInputError(InvalidInput, ValueError):
    """A site spec, state or session is invalid; the message names the site/session and field."""


class CurrentType(StrEnum):
    AC = "AC"
    DC = "DC"


class PriorityClass(StrEnum):
    """Who is charging. Public-service fleets (buses, taxis, sanitation) come first."""

    PUBLIC_SERVICE = "public_service"
    FLEET = "fleet"
    STANDARD = "standard"


#: Order in which minimums are served when power is short (lower first).
PRIORITY_RANK: dict[PriorityClass, int] = {
    PriorityClass.PUBLIC_SERVICE: 0,
    PriorityClass.FLEET: 1,
    PriorityClass.STANDARD: 2,
}

#: Weights of the weighted fair share above the minimums (a public-service session gets three
#: times the increment of a standard one, but never starves it).
DEFAULT_PRIORITY_WEIGHTS: dict[PriorityClass, float] = {
    PriorityClass.PUBLIC_SERVICE: 3.0,
    PriorityClass.FLEET: 2.0,
    PriorityClass.STANDARD: 1.0,
}


def _aware(t: datetime, where: str) -> None:
    if t.tzinfo is None or t.utcoffset() is None:
        raise AllocationInputError(f"{where} must be timezone-aware, got {t.isoformat()}")


@dataclass(frozen=True)
class SiteSpec:
    """Fixed description of a site.

    ``base_load_kw`` is the declared maximum building load [kW]; the live value comes with the
    state. ``voltage_v`` is the phase-to-neutral voltage used to turn W into A (China: 220 V).
    """

    site_id: str
    grid_limit_kw: float
    transformer_limit_kw: float | None = None
    pv_kwp: float = 0.0
    battery_capacity_kwh: float = 0.0
    battery_power_kw: float = 0.0
    battery_soc_min_pct: float = 10.0
    battery_soc_max_pct: float = 90.0
    base_load_kw: float = 0.0
    voltage_v: float = 220.0

    def __post_init__(self) -> None:
        w = f"site {self.site_id}"
        for name in ("grid_limit_kw", "pv_kwp", "battery_capacity_kwh", "battery_power_kw", "base_load_kw"):
            if not (math.isfinite(getattr(self, name)) and getattr(self, name) >= 0):
                raise AllocationInputError(f"{w}: {name} must be finite and >= 0, got {getattr(self, name)}")
        if self.transformer_limit_kw is not None and not self.transformer_limit_kw >= 0:
            raise AllocationInputError(f"{w}: transformer_limit_kw must be >= 0")
        if not 0 <= self.battery_soc_min_pct <= self.battery_soc_max_pct <= 100:
            raise AllocationInputError(f"{w}: need 0 <= battery_soc_min_pct <= battery_soc_max_pct <= 100")
        if not self.voltage_v > 0:
            raise AllocationInputError(f"{w}: voltage_v must be > 0")

    @property
    def connection_limit_kw(self) -> float:
        """The tighter of the grid connection and the transformer [kW]."""
        if self.transformer_limit_kw is None:
            return self.grid_limit_kw
        return min(self.grid_limit_kw, self.transformer_limit_kw)


@dataclass(frozen=True)
class SessionDemand:
    """One active charging session as the allocator sees it.

    ``min_power_w`` is the lowest power at which the EV charges at all (e.g. 6 A per phase for
    AC, IEC 61851-1); ``max_power_w`` is what the station (and EV) can take. ``energy_requested_wh``
    and ``departure_at`` are optional; with both, the session may be deferred out of peak hours.
    """

    session_id: str
    station_id: str
    evse_id: int
    current_type: CurrentType
    min_power_w: float
    max_power_w: float
    started_at: datetime
    phases: int = 3
    priority: PriorityClass = PriorityClass.STANDARD
    energy_requested_wh: float | None = None
    energy_delivered_wh: float = 0.0
    departure_at: datetime | None = None
    voltage_v: float | None = None
    """The station's phase voltage [V] (measured or configured); ``None``: the site's."""

    def __post_init__(self) -> None:
        w = f"session {self.session_id}"
        if not (math.isfinite(self.max_power_w) and 0 <= self.min_power_w <= self.max_power_w):
            raise AllocationInputError(
                f"{w}: need 0 <= min_power_w <= max_power_w, got {self.min_power_w}, {self.max_power_w}"
            )
        if self.current_type is CurrentType.AC and self.phases not in (1, 2, 3):
            raise AllocationInputError(f"{w}: phases must be 1, 2 or 3 for AC, got {self.phases}")
        _aware(self.started_at, f"{w}: started_at")
        if self.departure_at is not None:
            _aware(self.departure_at, f"{w}: departure_at")
        if self.voltage_v is not None and not (math.isfinite(self.voltage_v) and self.voltage_v > 0):
            raise AllocationInputError(f"{w}: voltage_v must be finite and > 0, got {self.voltage_v}")
        if self.energy_requested_wh is not None and self.energy_requested_wh < 0:
            raise AllocationInputError(f"{w}: energy_requested_wh must be >= 0")

    @property
    def energy_needed_wh(self) -> float | None:
        if self.energy_requested_wh is None:
            return None
        return max(0.0, self.energy_requested_wh - self.energy_delivered_wh)


@dataclass(frozen=True)
class SiteState:
    """Telemetry snapshot: PV output, battery SoC, base load now, and the active sessions."""

    measured_at: datetime
    pv_power_w: float = 0.0
    base_load_w: float = 0.0
    battery_soc_pct: float | None = None
    sessions: tuple[SessionDemand, ...] = ()

    def __post_init__(self) -> None:
        _aware(self.measured_at, "state.measured_at")
        if not all(math.isfinite(v) and v >= 0 for v in (self.pv_power_w, self.base_load_w)):
            raise AllocationInputError("state: pv_power_w and base_load_w must be finite and >= 0")
        if self.battery_soc_pct is not None and not 0 <= self.battery_soc_pct <= 100:
            raise AllocationInputError(
                f"state: battery_soc_pct must be in 0..100, got {self.battery_soc_pct}"
            )
        ids = [s.session_id for s in self.sessions]
        if len(set(ids)) != len(ids):
            raise AllocationInputError("state: duplicate session_id in sessions")


@dataclass(frozen=True)
class Reason:
    """Why the allocator did something, for operators, in English and Chinese."""

    code: str
    en: str
    zh: str


class SessionStatus(StrEnum):
    CHARGING = "charging"
    DEFERRED = "deferred"  # held near its minimum in peak hours; it can finish later
    PAUSED = "paused"  # 0 W: not enough power for its minimum


@dataclass(frozen=True)
class SessionLimit:
    """The allocator's limit for one session. ``limit_a`` is per phase, AC only."""

    session_id: str
    station_id: str
    evse_id: int
    current_type: CurrentType
    phases: int
    limit_w: float
    limit_a: float | None
    min_power_w: float
    max_power_w: float
    status: SessionStatus
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class Allocation:
    """One allocation cycle for a site.

    Sign conventions: ``battery_setpoint_w`` > 0 discharges into the site, < 0 charges the
    battery; ``grid_import_w`` > 0 imports, < 0 exports PV.
    """

    site_id: str
    computed_at: datetime
    tariff_period: str
    import_limit_w: float
    binding_limit: str  # "grid", "transformer" or "demand_response"
    dr_event_id: str | None
    base_load_w: float
    pv_power_w: float
    battery_discharge_max_w: float
    battery_charge_max_w: float
    available_for_charging_w: float
    charging_total_w: float
    battery_setpoint_w: float
    grid_import_w: float
    sessions: tuple[SessionLimit, ...]
    reasons: tuple[Reason, ...] = ()
    planned_limit_w: float | None = None
    """The import the plan aimed at: the limit less the safety margin and the metered correction [W]."""

    def limit_for(self, session_id: str) -> SessionLimit:
        for s in self.sessions:
            if s.session_id == session_id:
                return s
        raise KeyError(session_id)
