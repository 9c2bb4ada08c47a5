from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest

from siting.errors import SitingError
from siting.models import build_instance, greedy_max_flow, solve_cover, solve_max_flow
from siting.networks import load_network25
from siting.refuel import arc_cover_sets, is_refuelled, longest_stretch

from .conftest import brute_force_best, random_instance


def test_round_trip_logic_on_a_line():
    G = nx.path_graph(["o", "m", "d"])
    nx.set_edge_attributes(G, 100.0, "length_km")
    path = ["o", "m", "d"]
    # A station midway is passed twice: gaps 200 km each way round the 400 km cycle.
    assert is_refuelled(G, path, {"m"}, 200)
    assert not is_refuelled(G, path, {"m"}, 199)
    # A station at the destination only: one visit, so the whole 400 km cycle is one stretch.
    assert longest_stretch(G, path, {"d"}).length_km == 400.0
    assert is_refuelled(G, path, {"o", "d"}, 200)
    assert not is_refuelled(G, path, set(), 10_000)


def test_arc_cover_sets_agree_with_gap_rule_on_random_station_sets():
    rng = random.Random(7)
    for seed in range(6):
        G, trips = random_instance(seed)
        nodes = list(G)
        for trip in trips:
            for range_km in (8.0, 15.0, 30.0):
                sets = arc_cover_sets(G, trip.path, set(nodes), range_km)
                for _ in range(8):
                    stations = set(rng.sample(nodes, rng.randint(0, 4)))
                    by_sets = all(s & stations for s in sets)
                    assert by_sets == is_refuelled(G, trip.path, stations, range_km), (
                        trip,
                        stations,
                        range_km,
                    )


@pytest.mark.parametrize("seed", range(5))
def test_exact_equals_brute_force_on_random_instances(seed):
    G, trips = random_instance(seed)
    candidates = sorted(G)
    for range_km in (12.0, 20.0):
        inst = build_instance(G, trips, range_km, candidates=candidates)
        for p in (1, 2, 3):
            exact = solve_max_flow(inst, p)
            assert exact.status == "optimal"
            assert exact.gap == 0.0
            assert exact.covered_flow == pytest.approx(brute_force_best(G, trips, candidates, p, range_km))
            # The reported stations really refuel the reported flow.
            again = sum(t.flow for t in trips if is_refuelled(G, t.path, set(exact.stations), range_km))
            assert again == pytest.approx(exact.covered_flow)


def test_exact_equals_brute_force_on_25_node_network():
    ds = load_network25()
    candidates = sorted(ds.G, key=int)
    inst = build_instance(ds.G, ds.trips, 10.0, candidates=candidates)
    for p in (1, 2):
        exact = solve_max_flow(inst, p)
        assert exact.status == "optimal"
        assert exact.covered_flow == pytest.approx(brute_force_best(ds.G, ds.trips, candidates, p, 10.0))


def test_existing_stations_stay_open_and_do_not_count_against_p():
    G, trips = random_instance(3)
    candidates = sorted(G)
    existing = (candidates[0],)
    inst = build_instance(G, trips, 15.0, candidates=candidates, existing=existing)
    result = solve_max_flow(inst, 2)
    assert result.stations[0] == candidates[0]
    assert len(result.new_stations) == 2 and candidates[0] not in result.new_stations
    best = brute_force_best(G, trips, candidates[1:], 2, 15.0, existing=existing)
    assert result.covered_flow == pytest.approx(best)


def test_more_stations_than_candidates_is_infeasible():
    G, trips = random_instance(1)
    inst = build_instance(G, trips, 15.0, candidates=["n0", "n1"])
    assert solve_max_flow(inst, 3).status == "infeasible"
    assert greedy_max_flow(inst, 3).status == "infeasible"


def test_greedy_is_not_optimal_on_the_trap_but_swap_repairs_it(greedy_trap):
    G, trips = greedy_trap
    inst = build_instance(G, trips, 10.0, candidates=["X", "Y", "Z"])
    greedy = greedy_max_flow(inst, 2, improve=False)
    assert greedy.new_stations == ["X", "Y"]
    assert greedy.covered_flow == 14.0
    assert brute_force_best(G, trips, ["X", "Y", "Z"], 2, 10.0) == 18.0
    exact = solve_max_flow(inst, 2)
    assert (exact.covered_flow, sorted(exact.stations)) == (18.0, ["Y", "Z"])
    improved = greedy_max_flow(inst, 2)
    assert improved.covered_flow == 18.0 and improved.extra["swaps"] == 1


def test_heuristic_never_beats_exact_and_warm_start_keeps_optimum():
    ds = load_network25()
    inst = build_instance(ds.G, ds.trips, 12.0, candidates=list(ds.G))
    for p in (2, 4, 6):
        heur = greedy_max_flow(inst, p)
        exact = solve_max_flow(inst, p, initial=heur.new_stations)
        assert exact.status == "optimal"
        assert heur.covered_flow <= exact.covered_flow + 1e-6
        assert exact.bound_flow == pytest.approx(exact.covered_flow, rel=1e-6)


@pytest.mark.parametrize("seed", range(3))
def test_min_cover_equals_smallest_p_that_covers_every_servable_trip(seed):
    G, trips = random_instance(seed)
    candidates = sorted(G)
    range_km = 14.0
    inst = build_instance(G, trips, range_km, candidates=candidates)
    servable_flow = sum(t.flow for q, t in enumerate(trips) if q not in inst.unservable)
    cover = solve_cover(inst)
    assert cover.status == "optimal"
    assert cover.covered_flow == pytest.approx(servable_flow)
    smallest = next(
        p
        for p in range(len(candidates) + 1)
        if any(
            all(
                is_refuelled(G, trips[q].path, set(c), range_km)
                for q in range(len(trips))
                if q not in inst.unservable
            )
            for c in itertools.combinations(candidates, p)
        )
    )
    assert len(cover.new_stations) == smallest


def test_min_cost_cover_prefers_cheap_sites(greedy_trap):
    G, trips = greedy_trap
    inst = build_instance(G, trips, 10.0, candidates=["X", "Y", "Z"], costs={"X": 1.0, "Y": 5.0, "Z": 5.0})
    assert sorted(solve_cover(inst, minimise="count").new_stations) == ["Y", "Z"]
    cheap = solve_cover(inst, minimise="cost")
    assert sorted(cheap.new_stations) == ["Y", "Z"] and cheap.cost == 10.0
    inst2 = build_instance(
        G,
        trips,
        10.0,
        candidates=["X", "Y", "Z", "W3", "W4"],
        costs={"X": 1.0, "Y": 5.0, "Z": 5.0, "W3": 1.0, "W4": 1.0},
    )
    cheapest = solve_cover(inst2, minimise="cost")
    assert sorted(cheapest.new_stations) == ["W3", "W4", "X"] and cheapest.cost == 3.0


def test_degenerate_instances_solve_cleanly():
    ds = load_network25()
    empty = build_instance(ds.G, ds.trips, 12.0, candidates=[])
    assert (solve_max_flow(empty, 0).status, solve_max_flow(empty, 0).covered_flow) == ("optimal", 0.0)
    assert greedy_max_flow(empty, 0).covered_flow == 0.0
    assert solve_cover(empty).status == "optimal" and len(empty.unservable) == 300
    # Every node but one already open and a range wider than any trip: all flow is refuelled already.
    everything = build_instance(
        ds.G, ds.trips, 100.0, candidates=["1"], existing=[str(i) for i in range(2, 26)]
    )
    assert everything.base_flow == pytest.approx(everything.total_flow)
    assert solve_max_flow(everything, 1).covered_flow_pct == pytest.approx(100.0)
    assert greedy_max_flow(everything, 1).covered_flow_pct == pytest.approx(100.0)


def test_an_unknown_cover_objective_is_a_siting_error(greedy_trap):
    G, trips = greedy_trap
    inst = build_instance(G, trips, 10.0, candidates=["X", "Y", "Z"])
    with pytest.raises(SitingError, match="minimise must be 'count' or 'cost', got 'area'"):
        solve_cover(inst, minimise="area")
