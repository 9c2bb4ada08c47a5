"""EV charging needs and the planner that shifts deferrable energy out of peaks and demand-response windows.

Needs come from OCPP 2.0.1 NotifyEVChargingNeeds (K15-K17: the EV's energy amount and departure time via ISO
15118) or from the operator's API (a 1.6 session: departure time and energy). :func:`needs_from_ocpp` reads
the 2.0.1 ``chargingNeeds`` object.

:func:`plan_energy` plans every session with needs over time slots as a **minimum-cost maximum flow**
(networkx): source -> session (its energy still needed), session -> each slot before its departure (its
maximum power x the slot), slot -> sink (the site's power for charging in that slot x the slot). The maximum
flow delivers every session's energy by its departure whenever that is physically possible at all (a flow
that carries every need exists exactly then), and among such plans the cheapest by slot cost: valley before
flat before peak and sharp, any demand-response window last, the earlier slot first between equals. Energy
is in whole Wh (the flow is integral).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import networkx as nx

from csms.domain.demand_response import DemandResponseEvent, active_limit
from csms.domain.energy.model import (
    Allocation,
    AllocationInputError,
    Reason,
    SessionStatus,
    SiteSpec,
    SiteState,
)
from csms.domain.events import Event
from csms.domain.tariff import TouTariff
from csms.domain.timeutil import parse_timestamp

__all__ = [
    "EvNeeds",
    "NeedsChanged",
    "PlannedSession",
    "Slot",
    "SessionPlan",
    "mark_planned",
    "needs_from_ocpp",
    "plan_energy",
    "shift_by_plan",
    "slot_cost",
    "slots_between",
]

#: Slot cost per tariff period (lower first); a demand-response window costs more than any period.
PERIOD_COST = {"valley": 1, "flat": 2, "peak": 4, "sharp": 5}
DR_COST = 100


@dataclass(frozen=True, slots=True)
class NeedsChanged(Event):
    """A session's charging needs were stored (the energy manager plans that station's site again)."""

    station_id: str
    transaction_pk: int


@dataclass(frozen=True)
class EvNeeds:
    """What a session needs: energy [Wh] by ``departure_at``, within the EV's own power range [W]."""

    energy_wh: float | None = None
    departure_at: datetime | None = None
    ev_max_power_w: float | None = None
    ev_min_power_w: float | None = None
    energy_transfer: str | None = None
    max_schedule_tuples: int | None = None

    def __post_init__(self) -> None:
        for name in ("energy_wh", "ev_max_power_w", "ev_min_power_w"):
            v = getattr(self, name)
            if v is not None and not (math.isfinite(v) and v >= 0):
                raise AllocationInputError(f"{name} must be finite and >= 0, got {v}")
        if self.departure_at is not None and self.departure_at.tzinfo is None:
            raise AllocationInputError("departure_at must be timezone-aware")


def needs_from_ocpp(
    charging_needs: Mapping[str, Any], received_at: datetime, voltage_v: float = 230.0
) -> EvNeeds:
    """Read a 2.0.1 ``chargingNeeds`` (already schema-valid). AC needs carry currents (A per phase, three
    phases assumed for ``AC_three_phase``); DC needs carry powers (W). ``departureTime`` is absolute."""
    transfer = charging_needs.get("requestedEnergyTransfer")
    departure = charging_needs.get("departureTime")
    dep = parse_timestamp(departure, field="departureTime") if departure else None
    ac, dc = charging_needs.get("acChargingParameters"), charging_needs.get("dcChargingParameters")
    energy = max_w = min_w = None
    if ac:
        phases = 3 if transfer == "AC_three_phase" else (2 if transfer == "AC_two_phase" else 1)
        energy = float(ac["energyAmount"])
        max_w = float(ac["evMaxCurrent"]) * voltage_v * phases
        min_w = float(ac["evMinCurrent"]) * voltage_v * phases
    elif dc:
        energy = float(dc["energyAmount"]) if dc.get("energyAmount") is not None else None
        max_w = float(dc["evMaxPower"]) if dc.get("evMaxPower") is not None else None
        if energy is None and dc.get("evEnergyCapacity") is not None and dc.get("stateOfCharge") is not None:
            target = float(dc.get("fullSoC", 100))
            energy = max(0.0, (target - float(dc["stateOfCharge"])) / 100 * float(dc["evEnergyCapacity"]))
    if dep is not None and dep < received_at:
        dep = received_at
    return EvNeeds(energy, dep, max_w, min_w, transfer, charging_needs.get("maxScheduleTuples"))


@dataclass(frozen=True)
class Slot:
    """A planning slot ``[start, end)`` with the site's power for charging [W] and its cost rank."""

    start: datetime
    end: datetime
    capacity_w: float
    cost: int

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


@dataclass(frozen=True)
class PlannedSession:
    """A session to plan: energy still needed [Wh] by ``departure_at``, at most ``max_power_w`` [W]."""

    session_id: str
    energy_needed_wh: float
    departure_at: datetime
    max_power_w: float


@dataclass(frozen=True)
class SessionPlan:
    """Per slot, the power planned for the session [W]; ``planned_wh`` of ``needed_wh`` fits by departure."""

    session_id: str
    powers_w: tuple[float, ...]
    planned_wh: float
    needed_wh: float
    max_power_w: float = math.inf

    @property
    def complete(self) -> bool:
        return self.planned_wh + 1.0 >= self.needed_wh


def slot_cost(period: str, in_dr: bool, index: int) -> int:
    """Cost rank of a slot: its tariff period, a DR window above all, then the earlier slot first."""
    return (DR_COST if in_dr else PERIOD_COST.get(period, 2)) * 10_000 + index


def plan_energy(sessions: Sequence[PlannedSession], slots: Sequence[Slot]) -> dict[str, SessionPlan]:
    """Plan each session's energy over ``slots`` (contiguous, in time order): see the module docstring."""
    for a, b in zip(slots, slots[1:], strict=False):
        if b.start < a.end:
            raise AllocationInputError("slots must be in time order and not overlap")
    g: nx.DiGraph[Any] = nx.DiGraph()
    for j, slot in enumerate(slots):
        g.add_edge(("slot", j), "sink", capacity=int(max(0.0, slot.capacity_w) * slot.hours), weight=0)
    need: dict[str, int] = {}
    for s in sessions:
        need[s.session_id] = int(math.ceil(max(0.0, s.energy_needed_wh)))
        g.add_edge("source", ("ev", s.session_id), capacity=need[s.session_id], weight=0)
        for j, slot in enumerate(slots):
            usable_h = (min(slot.end, s.departure_at) - slot.start).total_seconds() / 3600
            if usable_h > 0:
                cap = int(max(0.0, s.max_power_w) * usable_h)
                g.add_edge(("ev", s.session_id), ("slot", j), capacity=cap, weight=slot.cost)
    flow: dict[Any, dict[Any, int]] = {}
    if g.has_node("source"):
        flow = nx.max_flow_min_cost(g, "source", "sink")
    out = {}
    for s in sessions:
        edges = flow.get(("ev", s.session_id), {})
        powers = tuple(
            edges.get(("slot", j), 0) / slot.hours if slot.hours > 0 else 0.0 for j, slot in enumerate(slots)
        )
        out[s.session_id] = SessionPlan(
            s.session_id, powers, float(sum(edges.values())), float(need[s.session_id]), s.max_power_w
        )
    return out


def slots_between(start: datetime, end: datetime, step: timedelta) -> list[tuple[datetime, datetime]]:
    """``[start, end)`` cut into slots of ``step`` (the last one shorter)."""
    out = []
    t = start
    while t < end:
        out.append((t, min(end, t + step)))
        t += step
    return out


#: Planning slots [s] and how far ahead the planner looks at most [h].
SLOT_S = 900.0
HORIZON_H = 24.0


def shift_by_plan(
    state: SiteState,
    spec: SiteSpec,
    now: datetime,
    tariff: TouTariff,
    events: Iterable[DemandResponseEvent],
    *,
    aim_w: Callable[[float], float] = lambda limit_w: limit_w,
) -> tuple[SiteState, dict[str, SessionPlan]]:
    """Cap each session with needs at the power its plan gives the present slot (never below its minimum).

    Slots of :data:`SLOT_S` from ``now`` to the last departure (at most :data:`HORIZON_H`). A slot's power for
    these sessions is the import limit in force then (the connection's, or a demand-response target), as
    ``aim_w`` aims at it, less the base load now and the maxima of the sessions without needs (no PV or
    battery counted ahead: a conservative plan only brings energy earlier). A session whose plan cannot
    deliver its energy by departure is left uncapped: it charges as fast as the site allows.
    """
    planned = [
        PlannedSession(s.session_id, s.energy_needed_wh or 0.0, s.departure_at, s.max_power_w)
        for s in state.sessions
        if s.energy_needed_wh is not None and s.departure_at is not None and s.departure_at > now
    ]
    if not planned:
        return state, {}
    end = min(max(p.departure_at for p in planned), now + timedelta(hours=HORIZON_H))
    ids = {p.session_id for p in planned}
    others_w = sum(s.max_power_w for s in state.sessions if s.session_id not in ids)
    events = [ev for ev in events if spec.site_id in ev.site_ids and not ev.cancelled]
    slots = []
    for i, (a, b) in enumerate(slots_between(now, end, timedelta(seconds=SLOT_S))):
        limit_w = spec.connection_limit_kw * 1000
        dr = active_limit(spec.site_id, events, a) or active_limit(
            spec.site_id, events, b - timedelta(seconds=1)
        )
        if dr is not None:
            limit_w = min(limit_w, dr.limit_kw * 1000)
        capacity = max(0.0, aim_w(limit_w) - state.base_load_w - others_w)
        slots.append(Slot(a, b, capacity, slot_cost(tariff.period_at(a), dr is not None, i)))
    plans = plan_energy(planned, slots)
    sessions = []
    for s in state.sessions:
        plan = plans.get(s.session_id)
        if plan is not None and plan.complete and plan.powers_w:
            s = replace(s, max_power_w=max(s.min_power_w, min(s.max_power_w, plan.powers_w[0])))
        sessions.append(s)
    return replace(state, sessions=tuple(sessions)), plans


_R_PLANNED = Reason(
    "deferred_by_plan",
    "Held back now: its plan delivers its energy by departure in cheaper hours, "
    "outside demand-response windows.",
    "当前延后充电：按计划在离站前的低价时段（避开需求响应时段）充满所需电量。",
)


def mark_planned(alloc: Allocation, plans: Mapping[str, SessionPlan], tolerance_w: float = 1.0) -> Allocation:
    """Sessions the plan holds below their maximum now show as deferred, with the reason."""
    held = {
        sid
        for sid, p in plans.items()
        if p.complete and p.powers_w and p.powers_w[0] < p.max_power_w - tolerance_w
    }
    if not held:
        return alloc
    sessions = tuple(
        replace(s, status=SessionStatus.DEFERRED, reasons=(_R_PLANNED,))
        if s.session_id in held and s.status is SessionStatus.CHARGING
        else s
        for s in alloc.sessions
    )
    return replace(alloc, sessions=sessions)
