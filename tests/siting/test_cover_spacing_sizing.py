from __future__ import annotations

import math

import networkx as nx
import pytest

from siting.cover import min_cover
from siting.fuels import colocation_costs, fuel_profile
from siting.models import build_instance, solve_max_flow
from siting.networks import load_hunan
from siting.refuel import is_refuelled
from siting.rollout import rollout
from siting.sizing import erlang_c, prob_wait_longer, refuel_stops, servers_needed, size_stations
from siting.spacing import corridor_spacing

from .conftest import random_instance


def _erlang_c_direct(c: int, a: float) -> float:
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


@pytest.mark.parametrize(("c", "a"), [(1, 0.5), (3, 2.2), (10, 8.0), (25, 20.0)])
def test_erlang_c_matches_the_closed_form(c, a):
    assert erlang_c(c, a) == pytest.approx(_erlang_c_direct(c, a), rel=1e-12)


def test_servers_needed_is_the_smallest_meeting_the_bound():
    for lam, service_h in ((12.0, 25 / 60), (40.0, 0.3), (3.0, 0.1)):
        c = servers_needed(lam, service_h, 10 / 60, 0.05)
        assert prob_wait_longer(c, lam, service_h, 10 / 60) <= 0.05
        assert c == 1 or prob_wait_longer(c - 1, lam, service_h, 10 / 60) > 0.05
    assert servers_needed(12.0, 25 / 60, 10 / 60, 0.05) == 9


def test_refuel_stops_cover_the_cycle_exactly_when_refuelled():
    for seed in range(4):
        G, trips = random_instance(seed)
        stations = set(sorted(G)[::2])
        for trip in trips:
            stops = refuel_stops(G, trip.path, stations, 15.0)
            assert bool(stops) == is_refuelled(G, trip.path, stations, 15.0)
            if stops:
                assert sum(d for _, d in stops) == pytest.approx(2 * trip.length_km)
                assert max(d for _, d in stops) <= 15.0 + 1e-9


def test_size_stations_splits_visits_and_energy_between_stops():
    G = nx.path_graph(["a", "b", "c"])
    nx.set_edge_attributes(G, 100.0, "length_km")
    from siting.demand import Trip

    trip = Trip("a", "c", 500.0, ("a", "b", "c"), 200.0)
    ev = fuel_profile("ev", range_km=250, adoption_share=0.2, consumption_per_km=0.5)
    sizes = {s.station: s for s in size_stations(G, [trip], ["a", "c"], ev)}
    # 100 EV round trips a day, each stopping at a and at c and refilling 200 km x 0.5 kWh/km.
    assert sizes["a"].visits_per_day == pytest.approx(100.0)
    assert sizes["c"].energy_per_day == pytest.approx(100 * 200 * 0.5)
    assert sizes["a"].modules is None
    h2 = fuel_profile("h2", range_km=250, adoption_share=0.1, module_capacity_per_day=500)
    only = size_stations(G, [trip], ["b"], h2)[0]
    # One station midway: 50 hydrogen trips, two visits each, 200 km x 0.09 kg/km a fill.
    assert only.visits_per_day == pytest.approx(100.0)
    assert only.energy_per_day == pytest.approx(100 * 200 * 0.09)
    assert only.modules == 4 and only.server_name == "dispenser"


def test_cover_on_hunan_service_areas_lists_unservable_trips_with_reasons():
    ds = load_hunan()
    areas = [n for n, k in ds.G.nodes(data="kind") if k == "service_area"]
    inst = build_instance(ds.G, ds.trips, 300.0, candidates=areas)
    report = min_cover(inst)
    assert report.plan.status == "optimal"
    assert report.unservable, "trips off the G4/G60 service-area corridors cannot be served"
    first = report.unservable[0]
    assert first["reason"].startswith(
        ("no candidate site lies on its path", "even with every candidate", "edge")
    )
    servable = inst.total_flow - report.unservable_flow
    assert report.plan.covered_flow == pytest.approx(servable)
    for q in report.plan.covered:
        assert is_refuelled(ds.G, ds.trips[q].path, set(report.plan.stations), 300.0)


def test_hunan_spacing_reports_each_expressway_against_50_km():
    ds = load_hunan()
    spacing = {s.corridor: s for s in corridor_spacing(ds.G, {"changsha", "sa09", "xiangtan"})}
    g4 = spacing["G4"]
    assert g4.length_km == pytest.approx(532.0, abs=0.01)  # the published Hunan section of G4
    assert [n for n, _ in g4.stations] == ["changsha", "sa09", "xiangtan"]
    edges = ds.G.edges
    changsha_xiangtan = edges["changsha", "sa09"]["length_km"] + edges["sa09", "xiangtan"]["length_km"]
    assert g4.max_gap_km == pytest.approx(changsha_xiangtan / 2, abs=0.01)
    assert g4.end_gaps_km[0] == pytest.approx(182.78, abs=0.01) and not g4.ok  # 临长: border to 长沙
    g65 = spacing["G65"]
    assert g65.stations == [] and g65.end_gaps_km[0] == pytest.approx(g65.length_km)
    # G59 has a gap (张家界-官庄 not open): a broken corridor is reported, never measured as one line.
    assert "G59" not in spacing and "G59" in ds.G.graph["corridor_issues"]


def test_rollout_respects_each_budget_and_keeps_earlier_stations(greedy_trap):
    G, trips = greedy_trap
    costs = {"X": 2.0, "Y": 1.0, "Z": 1.0}
    steps = rollout(G, trips, 10.0, [1.0, 2.0], candidates=["X", "Y", "Z"], costs=costs)
    assert steps[0].opened in (["Y"], ["Z"]) and steps[0].spent <= 1.0
    assert steps[0].plan.covered_flow == 9.0
    assert steps[1].plan.covered_flow == 18.0 and steps[1].spent <= 2.0
    assert set(steps[0].opened) <= set(steps[1].plan.stations)


def test_hydrogen_shares_fast_charger_sites_when_cheaper(greedy_trap):
    G, trips = greedy_trap
    costs = colocation_costs(["X", "Y", "Z"], ["X"], shared_cost_factor=0.4)
    inst = build_instance(G, trips, 10.0, candidates=["X", "Y", "Z"], costs=costs)
    plan = solve_max_flow(inst, None, budget=1.0)
    assert plan.new_stations == ["X"] and plan.covered_flow == 10.0
