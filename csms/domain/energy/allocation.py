"""Share a 光储充 site's power among its charging sessions (one control cycle).

Rules, in order (see docs/site_energy.md for the reasoning):

1. Import limit = min(grid connection, transformer, strictest active demand-response limit).
2. Power for charging = import limit - base load now + PV now + what the battery may discharge
   over the control period without going below its SoC floor (and within its power rating).
3. Minimums: sessions are taken by priority class, then arrival, then id; each gets its minimum
   if it still fits, otherwise it is paused at 0 W (a smaller later minimum may still fit).
4. PV surplus above the base load and the minimums is shared first, by weighted water-filling
   capped at each session's maximum, among all admitted sessions.
5. The rest is water-filled the same way, except that in peak periods sessions that can still
   get their requested energy in off-peak hours before departure are held back (deferred).
6. Battery (:mod:`csms.domain.energy.dispatch`, the set-point the manager commands): discharge only to
   keep import under the limit, or in peak periods to shave import; otherwise charge it from PV surplus
   and, in valley periods, from spare grid headroom.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from csms.domain.demand_response import DemandResponseEvent, active_limit
from csms.domain.energy.dispatch import battery_limits_w, battery_setpoint_w
from csms.domain.energy.model import (
    DEFAULT_PRIORITY_WEIGHTS,
    PRIORITY_RANK,
    Allocation,
    AllocationInputError,
    CurrentType,
    PriorityClass,
    Reason,
    SessionDemand,
    SessionLimit,
    SessionStatus,
    SiteSpec,
    SiteState,
)
from csms.domain.tariff import TouTariff

__all__ = ["allocate", "water_fill", "battery_limits_w", "DEFERRAL_SAFETY"]

#: A session is deferrable only if it could get its energy in 80 % of the off-peak time left.
DEFERRAL_SAFETY = 0.8
_EPS_W = 1e-6

_R_PAUSED = Reason(
    "paused_insufficient_power",
    "Paused at 0 W: not enough site power for this session's minimum; "
    "higher-priority and earlier sessions were served first.",
    "暂停（0 W）：场站功率不足以满足本会话的最低功率，已按优先级和到达顺序优先保障其他会话。",
)
_R_DEFERRED = Reason(
    "deferred_peak",
    "Held at its minimum in the peak period: "
    "its energy can still be delivered in off-peak hours before departure.",
    "高峰时段保持最低功率：离站前的平谷时段仍可充满所需电量。",
)
_R_CAPPED = Reason(
    "site_limited",
    "Below its maximum: site power is shared among sessions.",
    "低于最大功率：场站功率在各会话之间分配。",
)


def water_fill(budget_w: float, caps_w: Sequence[float], weights: Sequence[float]) -> list[float]:
    """Weighted water-filling: ``x_i = min(cap_i, w_i * level)`` with ``sum(x) = min(budget, sum(caps))``.

    Examples
    --------
    >>> water_fill(10.0, [2.0, 10.0, 10.0], [1, 1, 1])
    [2.0, 4.0, 4.0]
    >>> water_fill(9.0, [10.0, 10.0], [2, 1])
    [6.0, 3.0]
    """
    n = len(caps_w)
    out = [0.0] * n
    if budget_w <= 0 or n == 0:
        return out
    order = sorted(
        (i for i in range(n) if caps_w[i] > 0 and weights[i] > 0), key=lambda i: caps_w[i] / weights[i]
    )
    left = budget_w
    weight_left = sum(weights[i] for i in order)
    for k, i in enumerate(order):
        share = left * weights[i] / weight_left
        if caps_w[i] <= share:
            out[i] = caps_w[i]
            left -= caps_w[i]
            weight_left -= weights[i]
        else:
            level = left / weight_left
            for j in order[k:]:
                out[j] = weights[j] * level
            break
    return out


def _limit_a(s: SessionDemand, limit_w: float, voltage_v: float) -> float | None:
    if s.current_type is not CurrentType.AC:
        return None
    # Round down to 0.1 A so the current never exceeds the power the site planned for; the station's own
    # (measured) voltage when known: the same current draws 4.5 % more at 230 V than at 220 V.
    return math.floor(limit_w / ((s.voltage_v or voltage_v) * s.phases) * 10) / 10


def _deferrable(s: SessionDemand, now: datetime, tariff: TouTariff) -> bool:
    needed = s.energy_needed_wh
    if needed is None or s.departure_at is None or s.departure_at <= now or s.max_power_w <= 0:
        return False
    off_peak_h = tariff.off_peak_hours(now, s.departure_at)
    return needed <= DEFERRAL_SAFETY * s.max_power_w * off_peak_h


def allocate(
    spec: SiteSpec,
    state: SiteState,
    now: datetime,
    tariff: TouTariff,
    events: Iterable[DemandResponseEvent] = (),
    *,
    control_period_s: float = 900.0,
    weights: Mapping[PriorityClass, float] = DEFAULT_PRIORITY_WEIGHTS,
    telemetry_max_age_s: float | None = 300.0,
    margin_pct: float = 0.0,
    margin_w: float = 0.0,
    correction_w: float = 0.0,
) -> Allocation:
    """Compute one allocation cycle for ``spec`` in ``state`` at ``now``.

    Parameters
    ----------
    spec, state : the site and its telemetry snapshot
    now : aware UTC time of the cycle (tariff period and demand-response events are read here)
    tariff : time-of-use tariff of the site
    events : demand-response events (any site; only those in force for this site count)
    control_period_s : horizon over which the battery's energy above its SoC floor is spread [s]
    weights : weights of the fair share per priority class
    telemetry_max_age_s : if ``state`` is older than this [s], PV and battery are not counted on
        and the base load is taken at least at its declared maximum (``None`` disables the check)
    margin_pct, margin_w : safety margin: the plan aims at ``limit x (1 - pct/100) - W`` [%, W]
    correction_w : the closed loop's correction (:class:`csms.domain.energy.control.ImportController`),
        subtracted from the import the plan may use [W]

    Returns
    -------
    Allocation
        Per-session limits in W (and A per phase for AC), the planned grid import [W] and
        battery set-point [W]. ``sum(limit_w)`` never exceeds ``available_for_charging_w``.
    """
    if now.tzinfo is None:
        raise AllocationInputError(f"site {spec.site_id}: now must be timezone-aware")
    if control_period_s <= 0:
        raise AllocationInputError("control_period_s must be > 0")
    reasons: list[Reason] = []
    period = tariff.period_at(now)
    expensive = period in tariff.peak_periods

    # 1. import limit
    limit_w, binding = spec.grid_limit_kw * 1000, "grid"
    if spec.transformer_limit_kw is not None and spec.transformer_limit_kw * 1000 < limit_w:
        limit_w, binding = spec.transformer_limit_kw * 1000, "transformer"
    dr = active_limit(spec.site_id, events, now)
    if dr is not None and dr.limit_kw * 1000 < limit_w:
        limit_w, binding = dr.limit_kw * 1000, "demand_response"
        reasons.append(
            Reason(
                "demand_response",
                f"Demand-response event {dr.event_id} limits grid import to {dr.limit_kw:g} kW.",
                f"需求响应事件 {dr.event_id} 将电网取电限制为 {dr.limit_kw:g} kW。",
            )
        )

    for name, value in (("margin_pct", margin_pct), ("margin_w", margin_w), ("correction_w", correction_w)):
        if not (math.isfinite(value) and value >= 0):
            raise AllocationInputError(f"site {spec.site_id}: {name} must be finite and >= 0, got {value}")
    plan_w = max(0.0, limit_w * (1 - margin_pct / 100) - margin_w - correction_w)
    if correction_w > 0:
        reasons.append(
            Reason(
                "metered_correction",
                f"The site meter read more than planned: {correction_w:.0f} W less is planned for.",
                f"场站电表实测取电高于计划：本周期少计划 {correction_w:.0f} W。",
            )
        )

    # 2. power for charging
    dis_max, chg_max = battery_limits_w(spec, state.battery_soc_pct, control_period_s)
    pv, base = state.pv_power_w, state.base_load_w
    age_s = (now - state.measured_at).total_seconds()
    if telemetry_max_age_s is not None and age_s > telemetry_max_age_s:
        # Old telemetry may hide a cloud or an emptied battery: plan as a disconnected station would.
        pv, dis_max, chg_max = 0.0, 0.0, 0.0
        base = max(base, spec.base_load_kw * 1000)
        reasons.append(
            Reason(
                "stale_telemetry",
                f"Telemetry is {age_s:.0f} s old: PV and battery not counted, "
                "base load at its declared maximum.",
                f"遥测数据已过时（{age_s:.0f} 秒）：不计光伏与储能，基础负荷按申报最大值。",
            )
        )
    available = plan_w - base + pv + dis_max
    if available < 0:
        reasons.append(
            Reason(
                "no_power",
                f"No power for charging: base load {base:.0f} W exceeds import limit plus PV and battery.",
                f"无可用充电功率：基础负荷 {base:.0f} W 超过取电上限与光伏、储能之和。",
            )
        )
        available = 0.0

    # 3. minimums by priority, then arrival
    ordered = sorted(state.sessions, key=lambda s: (PRIORITY_RANK[s.priority], s.started_at, s.session_id))
    alloc: dict[str, float] = {}
    admitted: list[SessionDemand] = []
    paused: list[SessionDemand] = []
    left = available
    for s in ordered:
        if s.min_power_w <= left + _EPS_W:
            alloc[s.session_id] = s.min_power_w
            left -= s.min_power_w
            admitted.append(s)
        else:
            alloc[s.session_id] = 0.0
            paused.append(s)
    left = max(0.0, left)
    if paused:
        reasons.append(
            Reason(
                "minimums_not_met",
                f"{len(paused)} session(s) paused at 0 W: "
                f"power {available:.0f} W is not enough for every minimum.",
                f"{len(paused)} 个会话暂停（0 W）：可用功率 {available:.0f} W 不足以满足全部最低功率。",
            )
        )

    # 4. PV surplus first, shared by everyone admitted
    w = [weights[s.priority] for s in admitted]
    mins_total = sum(s.min_power_w for s in admitted)
    green = min(left, max(0.0, pv - base - mins_total))
    caps = [s.max_power_w - alloc[s.session_id] for s in admitted]
    for s, x in zip(admitted, water_fill(green, caps, w), strict=True):
        alloc[s.session_id] += x
    left -= sum(alloc[s.session_id] for s in admitted) - mins_total

    # 5. the rest; deferrable sessions sit out the peak
    deferred = {s.session_id for s in admitted if expensive and _deferrable(s, now, tariff)}
    caps = [0.0 if s.session_id in deferred else s.max_power_w - alloc[s.session_id] for s in admitted]
    for s, x in zip(admitted, water_fill(left, caps, w), strict=True):
        alloc[s.session_id] += x

    # 6. battery set-point (what the manager commands the site's battery to) and planned import
    charging = sum(alloc.values())
    net = base + charging - pv
    setpoint = battery_setpoint_w(
        net, plan_w, dis_max, chg_max, peak=expensive, valley=period in tariff.valley_periods
    )

    paused_ids = {s.session_id for s in paused}
    limits = []
    for s in state.sessions:
        lw = alloc[s.session_id]
        why: tuple[Reason, ...]
        if s.session_id in paused_ids:
            status, why = SessionStatus.PAUSED, (_R_PAUSED,)
        elif s.session_id in deferred:
            status, why = SessionStatus.DEFERRED, (_R_DEFERRED,)
        else:
            status, why = SessionStatus.CHARGING, ((_R_CAPPED,) if lw < s.max_power_w - 1.0 else ())
        limits.append(
            SessionLimit(
                session_id=s.session_id,
                station_id=s.station_id,
                evse_id=s.evse_id,
                current_type=s.current_type,
                phases=s.phases,
                limit_w=lw,
                limit_a=_limit_a(s, lw, spec.voltage_v),
                min_power_w=s.min_power_w,
                max_power_w=s.max_power_w,
                status=status,
                reasons=why,
            )
        )
    return Allocation(
        site_id=spec.site_id,
        computed_at=now,
        tariff_period=period,
        import_limit_w=limit_w,
        binding_limit=binding,
        dr_event_id=dr.event_id if binding == "demand_response" and dr else None,
        base_load_w=base,
        pv_power_w=pv,
        battery_discharge_max_w=dis_max,
        battery_charge_max_w=chg_max,
        available_for_charging_w=available,
        charging_total_w=charging,
        battery_setpoint_w=setpoint,
        grid_import_w=net - setpoint,
        sessions=tuple(limits),
        reasons=tuple(reasons),
        planned_limit_w=plan_w,
    )
