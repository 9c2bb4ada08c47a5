"""What one allocation cycle knows of a site: stations, latest telemetry, active sessions (values only).

The service layer reads these from storage (:meth:`csms.services.sites.SiteService.snapshots`); the planner
(:mod:`csms.domain.energy.planning`) and the energy manager work on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from csms.domain.energy.model import CurrentType, PriorityClass, SiteSpec
from csms.domain.tariff import TouTariff

#: IEC 61851-1: an AC EV charges at no less than 6 A per phase.
AC_MIN_CURRENT_A = 6.0


@dataclass(frozen=True, slots=True)
class Member:
    """A station of a site as the allocator needs it (powers in W)."""

    station_id: str
    current_type: CurrentType = CurrentType.AC
    phases: int = 3
    max_power_w: float = 22_000.0
    min_power_w: float | None = None
    priority: PriorityClass = PriorityClass.STANDARD
    voltage_v: float | None = None
    """The station's phase voltage [V] as its meter last reported it (AC); ``None``: the site's nominal."""

    def volts(self, site_voltage_v: float) -> float:
        """The voltage to turn this station's W into A [V]: its own when known, else the site's."""
        return self.voltage_v or site_voltage_v

    def minimum_w(self, voltage_v: float) -> float:
        """Lowest power a session charges at [W]: as declared, else 6 A per phase for AC and 0 W for DC."""
        if self.min_power_w is not None:
            return self.min_power_w
        if self.current_type is CurrentType.AC:
            return AC_MIN_CURRENT_A * self.volts(voltage_v) * self.phases
        return 0.0


@dataclass(frozen=True, slots=True)
class TelemetrySample:
    """One telemetry sample as the site controller sends it [W]; battery > 0 discharging, grid < 0 export."""

    timestamp: datetime
    pv_power_w: float
    base_load_w: float
    battery_power_w: float = 0.0
    battery_soc_pct: float | None = None
    grid_import_w: float | None = None


@dataclass(frozen=True, slots=True)
class ActiveSession:
    """An active transaction on a site's station: ``transaction_id`` is the CSMS's number (what a 1.6
    station knows), ``uid`` the station's own id (what a 2.0.1 station knows)."""

    session_id: str
    station_id: str
    evse_id: int
    started_at: datetime
    transaction_id: int
    uid: str | None
    energy_needed_wh: float | None = None
    """What it still needs [Wh] (EV charging needs, or the operator's); ``None``: unknown."""
    departure_at: datetime | None = None
    ev_max_power_w: float | None = None
    """The EV's own maximum (from its charging needs) [W]."""


@dataclass(frozen=True)
class SiteSnapshot:
    """Everything one allocation cycle of a site reads from storage.

    ``recent`` are the samples of the last minute or so, in time order (``latest`` is the last of them when
    any): the closed loop reads the metered import and PV variability from them.
    """

    spec: SiteSpec
    tariff: TouTariff
    area: str | None
    members: tuple[Member, ...]
    latest: TelemetrySample | None
    sessions: tuple[ActiveSession, ...]
    recent: tuple[TelemetrySample, ...] = ()
