"""The site's energy balance, one step at a time (pure).

Sign conventions of the telemetry API: battery power positive = discharging; grid import
negative = export. The battery follows the set-point the CSMS commanded (:class:`Command`, from
the answer to the site's telemetry) while it is valid, within the command's SoC window and its own
power and SoC limits, except that it charges less or discharges more rather than let the grid
import exceed the command's ``import_limit_w`` (the site's local protection between two commands);
without a valid command it runs locally, self-consumption first: it covers any deficit and stores
any surplus; the grid takes the rest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Command:
    """A battery set-point from the CSMS's control port: > 0 discharge, < 0 charge [W]."""

    setpoint_w: float
    valid_until: datetime
    soc_min_pct: float = 0.0
    soc_max_pct: float = 100.0
    import_limit_w: float | None = None
    """Local protection: charge less or discharge more than the set-point rather than import more."""

    @classmethod
    def of(cls, body: dict | None) -> Command | None:
        """From the ``battery_command`` of a telemetry answer (``None`` when there is none)."""
        if not body:
            return None
        return cls(
            float(body["setpoint_w"]), datetime.fromisoformat(body["valid_until"].replace("Z", "+00:00")),
            float(body.get("soc_min_pct", 0.0)), float(body.get("soc_max_pct", 100.0)),
            None if body.get("import_limit_w") is None else float(body["import_limit_w"]),
        )  # fmt: skip


@dataclass
class Battery:
    """A stationary battery: capacity [kWh], power [kW], SoC window [%], round-trip efficiency."""

    capacity_kwh: float
    max_power_kw: float
    soc_min_pct: float = 10.0
    soc_max_pct: float = 95.0
    soc_pct: float = 50.0
    efficiency: float = 0.95

    def __post_init__(self) -> None:
        if not 0 <= self.soc_min_pct < self.soc_max_pct <= 100:
            raise ValueError("battery: need 0 <= soc_min_pct < soc_max_pct <= 100")
        if self.capacity_kwh <= 0 or self.max_power_kw < 0:
            raise ValueError("battery: capacity_kwh must be positive and max_power_kw not negative")

    def dispatch(self, request_w: float, dt_s: float) -> float:
        """Deliver ``request_w`` (positive discharge, negative charge) as far as limits allow; returns [W]."""
        limit_w = self.max_power_kw * 1000.0
        power_w = max(-limit_w, min(limit_w, request_w))
        hours = dt_s / 3600.0
        if power_w > 0:
            available_wh = (self.soc_pct - self.soc_min_pct) / 100 * self.capacity_kwh * 1000
            power_w = min(power_w, max(0.0, available_wh) * self.efficiency / hours)
            self.soc_pct -= power_w * hours / self.efficiency / (self.capacity_kwh * 10)
        elif power_w < 0:
            room_wh = (self.soc_max_pct - self.soc_pct) / 100 * self.capacity_kwh * 1000
            power_w = -min(-power_w, max(0.0, room_wh) / hours)
            self.soc_pct += -power_w * hours / (self.capacity_kwh * 10)
        return power_w


def base_load_w(t_local_hour: float, mean_kw: float, noise: float = 0.0) -> float:
    """Building load [W]: night floor plus a daytime (08-20 h) bump, averaging about ``mean_kw``."""
    day = max(0.0, math.sin(math.pi * (t_local_hour - 8) / 12)) if 8 <= t_local_hour <= 20 else 0.0
    return max(0.0, mean_kw * 1000.0 * (0.6 + 0.9 * day) * (1 + noise))


@dataclass
class SiteSample:
    """One step of the balance; powers [W], SoC [%]."""

    timestamp: datetime
    pv_power_w: float
    base_load_w: float
    chargers_power_w: float
    battery_power_w: float
    battery_soc_pct: float
    grid_import_w: float
    over_grid_limit: bool
    commanded_w: float | None = None
    """The CSMS's battery set-point this step followed (``None``: the battery ran locally)."""

    def telemetry(self) -> dict:
        """The body of ``POST /api/v1/sites/{site_id}/telemetry``."""
        return {
            "timestamp": self.timestamp.isoformat().replace("+00:00", "Z"),
            "pv_power_w": round(self.pv_power_w, 1),
            "battery_power_w": round(self.battery_power_w, 1),
            "battery_soc_pct": round(self.battery_soc_pct, 2),
            "grid_import_w": round(self.grid_import_w, 1),
            "base_load_w": round(self.base_load_w, 1),
        }


def balance(
    t: datetime,
    pv_w: float,
    load_w: float,
    chargers_w: float,
    battery: Battery,
    grid_limit_w: float,
    dt_s: float,
    command: Command | None = None,
) -> SiteSample:
    """Dispatch the battery for one step (to ``command`` while it is valid at ``t``, else locally) and return
    what the grid sees.

    >>> from datetime import UTC, datetime
    >>> b = Battery(100, 50, soc_pct=50)
    >>> s = balance(datetime(2026, 6, 21, tzinfo=UTC), 30_000, 20_000, 60_000, b, 40_000, 60)
    >>> round(s.battery_power_w), round(s.grid_import_w), s.over_grid_limit
    (50000, 0, False)
    """
    deficit_w = load_w + chargers_w - pv_w
    request_w, commanded = deficit_w, None
    if command is not None and t < command.valid_until:
        commanded = command.setpoint_w
        request_w = command.setpoint_w
        if (request_w > 0 and battery.soc_pct <= command.soc_min_pct) or (
            request_w < 0 and battery.soc_pct >= command.soc_max_pct
        ):
            request_w = 0.0  # the window the CSMS planned in: its plan never counted on more
        if command.import_limit_w is not None and deficit_w - request_w > command.import_limit_w:
            # Local protection between two commands (an EV starting while the battery charges, a cloud).
            request_w = deficit_w - command.import_limit_w
    battery_w = battery.dispatch(request_w, dt_s)
    grid_w = deficit_w - battery_w
    return SiteSample(
        t, pv_w, load_w, chargers_w, battery_w, battery.soc_pct, grid_w, grid_w > grid_limit_w, commanded
    )
