"""Battery dispatch of a 光储充 site: the power the energy manager commands the battery to (pure).

The manager no longer guesses what the site's own battery controller will do: each cycle it decides a
set-point and the site's control port (:class:`BatteryCommand`, answered to every telemetry post) carries
it to the site, which holds it until ``valid_until`` and then falls back to its own local mode.

Sign convention of the telemetry API: ``> 0`` discharges into the site, ``< 0`` charges the battery [W].
With ``net = base load + charging - PV`` (what the site would import without the battery) and ``aim`` the
import the plan may use (the limit less margin and metered correction):

1. **Keep import under the cap or demand-response target**: if ``net > aim``, discharge ``net - aim``.
2. **Peak shaving**: in a peak period, discharge up to ``net`` (every kWh from the battery is a kWh not
   bought at the peak price), never into export.
3. Otherwise **charge from PV surplus** (``-net`` when PV exceeds the load) and, in a valley period, also
   **from the grid** up to the aim.

Every set-point respects the power rating and the state-of-charge window: the discharge is at most the
energy above the SoC floor spread over the control period, the charge at most the room below the ceiling
(:func:`battery_limits_w`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from csms.domain.energy.model import AllocationInputError, SiteSpec

__all__ = ["BatteryCommand", "battery_command", "battery_limits_w", "battery_setpoint_w"]


def battery_limits_w(spec: SiteSpec, soc_pct: float | None, control_period_s: float) -> tuple[float, float]:
    """Power the battery may discharge / charge over the next control period [W].

    Each is the power rating capped by the energy between the SoC now and the SoC floor (for
    discharge) or ceiling (for charge), spread over the control period. Conversion losses are
    ignored: the battery's own BMS enforces the true limits, this keeps the plan inside them.

    >>> spec = SiteSpec("S", 100, battery_capacity_kwh=100, battery_power_kw=50)
    >>> battery_limits_w(spec, 12.0, 900)  # 2 kWh above the 10 % floor over 15 min: 8 kW
    (8000.0, 50000.0)
    """
    if soc_pct is None or spec.battery_capacity_kwh <= 0 or spec.battery_power_kw <= 0:
        return 0.0, 0.0
    period_h = control_period_s / 3600
    cap_wh = spec.battery_capacity_kwh * 1000
    rating_w = float(spec.battery_power_kw * 1000)
    dis = min(rating_w, max(0.0, (soc_pct - spec.battery_soc_min_pct) / 100 * cap_wh / period_h))
    chg = min(rating_w, max(0.0, (spec.battery_soc_max_pct - soc_pct) / 100 * cap_wh / period_h))
    return dis, chg


def battery_setpoint_w(
    net_w: float,
    aim_w: float,
    discharge_max_w: float,
    charge_max_w: float,
    *,
    peak: bool = False,
    valley: bool = False,
) -> float:
    """The battery set-point [W] (``> 0`` discharge) for a site importing ``net_w`` without the battery.

    >>> battery_setpoint_w(120_000, 96_000, 50_000, 50_000)      # over the aim: discharge the excess
    24000.0
    >>> battery_setpoint_w(-30_000, 96_000, 50_000, 20_000)      # PV surplus: charge what the battery takes
    -20000.0
    >>> battery_setpoint_w(40_000, 96_000, 50_000, 50_000, valley=True)  # valley: charge from the grid
    -50000.0
    >>> battery_setpoint_w(40_000, 96_000, 50_000, 50_000, peak=True)    # peak: shave the import
    40000.0
    """
    for name, v in (("net_w", net_w), ("aim_w", aim_w), ("discharge_max_w", discharge_max_w),
                    ("charge_max_w", charge_max_w)):  # fmt: skip
        if not math.isfinite(v):
            raise AllocationInputError(f"battery dispatch: {name} must be finite, got {v}")
    dis_max, chg_max = max(0.0, discharge_max_w), max(0.0, charge_max_w)
    discharge = 0.0
    if peak and net_w > 0:
        discharge = min(dis_max, net_w)
    elif net_w > aim_w:
        discharge = min(dis_max, net_w - aim_w)
    if discharge > 0:
        return float(discharge)
    charge = min(chg_max, max(0.0, -net_w))
    if valley:
        charge += min(chg_max - charge, max(0.0, aim_w - max(net_w, 0.0)))
    return -float(charge)


@dataclass(frozen=True)
class BatteryCommand:
    """What the site's control port answers: hold ``setpoint_w`` until ``valid_until``, then run locally.

    ``soc_min_pct`` / ``soc_max_pct`` repeat the window the plan kept to, so the site can refuse to go
    beyond it whatever the set-point (its BMS keeps the hard limits in any case). ``import_limit_w`` is the
    limit in force (the connection's or a demand-response target): the site's local protection may charge
    less or discharge more than the set-point when its meter would otherwise read more than that, between
    two commands (an EV starting while the battery charges, a cloud) [W].
    """

    site_id: str
    setpoint_w: float
    issued_at: datetime
    valid_until: datetime
    soc_min_pct: float
    soc_max_pct: float
    reason: str
    import_limit_w: float | None = None


def battery_command(
    spec: SiteSpec,
    setpoint_w: float,
    net_w: float,
    aim_w: float,
    at: datetime,
    validity_s: float,
    import_limit_w: float | None = None,
) -> BatteryCommand:
    """The command of one cycle: its set-point, why, and how long the site holds it [W, s]."""
    if setpoint_w > 0:
        reason = "discharge_to_limit" if net_w > aim_w else "peak_shaving"
    elif setpoint_w < 0:
        reason = "charge_from_pv" if net_w < 0 and -setpoint_w <= -net_w + 1e-6 else "charge_from_grid"
    else:
        reason = "idle"
    return BatteryCommand(
        spec.site_id, setpoint_w, at, at + timedelta(seconds=validity_s),
        spec.battery_soc_min_pct, spec.battery_soc_max_pct, reason, import_limit_w,
    )  # fmt: skip
