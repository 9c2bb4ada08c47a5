"""The needs planner (csms.domain.energy.needs): energy by departure, out of peaks and DR windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csms.domain.demand_response import DemandResponseEvent
from csms.domain.energy import CurrentType, SessionDemand, SiteSpec, SiteState
from csms.domain.energy.needs import (
    DR_COST,
    PlannedSession,
    Slot,
    needs_from_ocpp,
    plan_energy,
    shift_by_plan,
    slot_cost,
)
from csms.domain.tariff import hunan_default_tariff
from csms.errors import InvalidInput

T0 = datetime(2026, 6, 21, 7, 0, tzinfo=UTC)  # 15:00 local: flat, the 16:00 peak an hour ahead
H = timedelta(hours=1)


@st.composite
def feasible(draw):  # type: ignore[no-untyped-def]
    """Slots and sessions built around a witness schedule that delivers every need: the planner must too."""
    n_slots = draw(st.integers(1, 8))
    costs = [draw(st.sampled_from([10_000, 20_000, 40_000, DR_COST * 10_000])) + j for j in range(n_slots)]
    n = draw(st.integers(1, 4))
    sessions, witness = [], [[0.0] * n_slots for _ in range(n)]
    for i in range(n):
        max_w = draw(st.floats(3_000, 60_000))
        dep = draw(st.integers(1, n_slots))
        for j in range(dep):
            witness[i][j] = draw(st.floats(0, max_w))
        sessions.append((f"s{i}", max_w, dep))
    spare = [draw(st.floats(0, 20_000)) for _ in range(n_slots)]
    slots = [
        Slot(T0 + j * H, T0 + (j + 1) * H, sum(w[j] for w in witness) + spare[j] + n, costs[j])
        for j in range(n_slots)
    ]
    planned = [
        PlannedSession(sid, int(sum(witness[i])), T0 + dep * H, max_w)
        for i, (sid, max_w, dep) in enumerate(sessions)
    ]
    return planned, slots


@settings(max_examples=150, deadline=None)
@given(feasible())
def test_every_session_gets_its_energy_by_departure_when_possible(case) -> None:  # type: ignore[no-untyped-def]
    sessions, slots = case
    plans = plan_energy(sessions, slots)
    for s in sessions:
        p = plans[s.session_id]
        assert p.complete, (s, p)
        for slot, w in zip(slots, p.powers_w, strict=True):
            assert w <= s.max_power_w + 1e-6
            if slot.start >= s.departure_at:
                assert w == 0  # nothing after departure
    for j, slot in enumerate(slots):
        assert sum(plans[s.session_id].powers_w[j] for s in sessions) <= slot.capacity_w + 1e-6
    # Cheapest first: energy sits in a dearer slot only while no cheaper slot before departure has room
    # (in the slot and in the session's own power).
    for s in sessions:
        p = plans[s.session_id]
        for j, dear in enumerate(slots):
            if p.powers_w[j] <= 1.0:
                continue
            for k, cheap in enumerate(slots):
                if cheap.cost >= dear.cost or cheap.start >= s.departure_at:
                    continue
                room = cheap.capacity_w - sum(plans[o.session_id].powers_w[k] for o in sessions)
                assert room <= 2.0 or p.powers_w[k] >= s.max_power_w - 2.0


def test_an_impossible_need_is_planned_as_far_as_it_goes() -> None:
    slot = Slot(T0, T0 + H, 10_000, 1)
    (plan,) = plan_energy([PlannedSession("a", 30_000, T0 + H, 22_000)], [slot]).values()
    assert not plan.complete and plan.planned_wh == pytest.approx(10_000)


def test_shift_by_plan_holds_a_session_out_of_a_dr_window_and_the_peak() -> None:
    spec = SiteSpec("S", 100, base_load_kw=20)
    dr = DemandResponseEvent(
        "DR", frozenset({"S"}), T0 + timedelta(minutes=15), T0 + timedelta(minutes=45), 30.0
    )
    # 11 kWh by 18:00 local: it fits in the flat hour around the DR window; the peak (from 16:00) is avoided.
    s = SessionDemand("1", "CP", 1, CurrentType.DC, 0, 50_000, T0, energy_requested_wh=11_000,
                      departure_at=T0 + 3 * H)  # fmt: skip
    free = SessionDemand("2", "CP2", 1, CurrentType.DC, 0, 20_000, T0)
    state = SiteState(T0, 0, 20_000, None, (s, free))
    shifted, plans = shift_by_plan(state, spec, T0, hunan_default_tariff(), [dr])
    p = plans["1"]
    assert p.complete
    assert p.powers_w[1] == 0 and p.powers_w[2] == 0  # the DR window's slots are left empty
    assert sum(p.powers_w[4:]) == 0  # nothing in the peak (16:00 local on)
    assert shifted.sessions[0].max_power_w == pytest.approx(p.powers_w[0])
    assert shifted.sessions[1] == free  # a session without needs is not touched


def test_a_session_that_cannot_finish_is_not_held_back() -> None:
    spec = SiteSpec("S", 40)
    s = SessionDemand("1", "CP", 1, CurrentType.DC, 0, 50_000, T0, energy_requested_wh=500_000,
                      departure_at=T0 + H)  # fmt: skip
    shifted, plans = shift_by_plan(SiteState(T0, sessions=(s,)), spec, T0, hunan_default_tariff(), [])
    assert not plans["1"].complete and shifted.sessions[0].max_power_w == 50_000


def test_slot_costs_order_periods_and_dr() -> None:
    assert slot_cost("valley", False, 5) < slot_cost("flat", False, 0) < slot_cost("peak", False, 0)
    assert slot_cost("peak", False, 0) < slot_cost("sharp", False, 0) < slot_cost("valley", True, 0)


def test_ocpp_needs_ac_and_dc() -> None:
    ac = {"requestedEnergyTransfer": "AC_three_phase", "departureTime": "2026-06-21T10:00:00Z",
          "acChargingParameters": {"energyAmount": 20_000, "evMinCurrent": 6, "evMaxCurrent": 16,
                                   "evMaxVoltage": 400}}  # fmt: skip
    n = needs_from_ocpp(ac, T0)
    assert (n.energy_wh, n.ev_max_power_w, n.ev_min_power_w) == (20_000, 16 * 230 * 3, 6 * 230 * 3)
    assert n.departure_at == datetime(2026, 6, 21, 10, tzinfo=UTC)
    dc = {"requestedEnergyTransfer": "DC", "dcChargingParameters": {"evMaxCurrent": 200, "evMaxVoltage": 500,
          "evMaxPower": 50_000, "evEnergyCapacity": 60_000, "stateOfCharge": 40, "fullSoC": 90}}  # fmt: skip
    n = needs_from_ocpp(dc, T0)
    assert (n.energy_wh, n.ev_max_power_w, n.departure_at) == (30_000, 50_000, None)


def test_bad_ocpp_needs_are_refused_naming_the_field() -> None:
    bad = {"requestedEnergyTransfer": "DC", "dcChargingParameters": {"evMaxCurrent": 1, "evMaxVoltage": 1,
           "energyAmount": -5}}  # fmt: skip
    with pytest.raises(InvalidInput, match="energy_wh"):
        needs_from_ocpp(bad, T0)
    naive = {"requestedEnergyTransfer": "DC", "departureTime": "2026-06-21T10:00:00",
             "dcChargingParameters": {"evMaxCurrent": 1, "evMaxVoltage": 1}}  # fmt: skip
    with pytest.raises(InvalidInput, match="departureTime"):
        needs_from_ocpp(naive, T0)
