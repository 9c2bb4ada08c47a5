"""Budgets in money: the exact model and the heuristic against brute force; site costs; the CLI."""

from __future__ import annotations

import itertools
import json
import random

import networkx as nx
import pytest

from siting.cli import main
from siting.costs import CostModel, site_cost_parts, site_costs
from siting.demand import trips_from_flows
from siting.errors import InputError
from siting.models import build_instance, greedy_max_flow
from siting.planning import plan_stations
from siting.refuel import is_refuelled

from .conftest import random_instance


def _best_within(G, trips, costs, budget, range_km, max_p=None):
    best = 0.0
    cands = list(costs)
    for r in range(len(cands) + 1):
        if max_p is not None and r > max_p:
            break
        for combo in itertools.combinations(cands, r):
            if sum(costs[c] for c in combo) > budget + 1e-9:
                continue
            flow = sum(t.flow for t in trips if is_refuelled(G, t.path, set(combo), range_km))
            best = max(best, flow)
    return best


@pytest.mark.parametrize("seed", range(6))
def test_exact_budget_plan_equals_brute_force_and_heuristic_keeps_within(seed):
    G, trips = random_instance(seed, n=8, n_trips=12)
    rng = random.Random(seed)
    costs = {n: float(rng.randint(1, 9)) for n in G}
    budget = float(rng.randint(6, 16))
    inst = build_instance(G, trips, 12.0, candidates=list(G), costs=costs)
    exact = plan_stations(inst, None, budget=budget)
    assert exact.status == "optimal"
    assert exact.covered_flow == pytest.approx(_best_within(G, trips, costs, budget, 12.0))
    assert exact.cost <= budget + 1e-9
    heur = plan_stations(inst, None, budget=budget, method="heuristic")
    assert heur.cost <= budget + 1e-9 and heur.covered_flow <= exact.covered_flow + 1e-9
    # at most p stations within the budget
    capped = plan_stations(inst, 2, budget=budget)
    assert len(capped.new_stations) <= 2
    assert capped.covered_flow == pytest.approx(_best_within(G, trips, costs, budget, 12.0, max_p=2))


def test_budget_greedy_takes_the_best_single_site_when_ratios_mislead():
    # a-b carries 2 (site a costs 1), c-d carries 15 (site c costs 10); budget 10.
    G = nx.path_graph(["a", "b", "c", "d"])
    nx.set_edge_attributes(G, 5.0, "length_km")
    trips = trips_from_flows(
        G, [{"origin": "a", "destination": "b", "flow": 2}, {"origin": "c", "destination": "d", "flow": 15}]
    )
    inst = build_instance(G, trips, 10.0, candidates=["a", "c"], costs={"a": 1.0, "c": 10.0})
    r = greedy_max_flow(inst, None, budget=10.0)
    assert r.new_stations == ["c"] and r.covered_flow == 15.0 and r.cost == 10.0


def test_budget_plan_drops_stations_that_add_nothing():
    G = nx.path_graph(["a", "b", "c"])
    nx.set_edge_attributes(G, 5.0, "length_km")
    trips = trips_from_flows(G, [{"origin": "a", "destination": "b", "flow": 3}])
    inst = build_instance(G, trips, 20.0, candidates=["a", "b", "c"])
    r = plan_stations(inst, None, budget=3.0)
    assert len(r.new_stations) == 1 and r.cost == 1.0 and r.covered_flow == 3.0


def test_site_costs_add_construction_grid_and_chargers():
    G = nx.Graph()
    G.add_node("s1", substation_km=2.0)
    G.add_node("s2", construction_cost=500)
    G.add_node("s3")
    model = CostModel(site_cost=800.0, charger_cost=30.0, chargers_per_site=6, grid_cost_per_km=50.0)
    assert site_costs(G, ["s1", "s2", "s3"], model, {"s3": 42.0}) == {"s1": 1080.0, "s2": 680.0, "s3": 42.0}
    assert site_cost_parts(G, "s1", model, chargers=2)["total"] == 800 + 100 + 60
    G.nodes["s3"]["substation_km"] = "far"
    with pytest.raises(InputError, match="node s3: substation_km must be a number"):
        site_costs(G, ["s3"], model)
    with pytest.raises(InputError, match="--charger-cost must be a non-negative number"):
        CostModel(charger_cost=-1)


def test_cli_plan_within_a_money_budget(tmp_path, capsys):
    (tmp_path / "nodes.csv").write_text(
        "id,kind,weight,substation_km\n"
        "a,city,5,\ns1,service_area,0,1\ns2,service_area,0,12\ns3,service_area,0,0.5\nb,city,8,\n",
        encoding="utf-8",
    )
    (tmp_path / "edges.csv").write_text(
        "from,to,length_km\na,s1,80\ns1,s2,80\ns2,s3,80\ns3,b,80\n", encoding="utf-8"
    )
    files = ["--nodes", str(tmp_path / "nodes.csv"), "--edges", str(tmp_path / "edges.csv")]
    costs = ["--site-cost", "800", "--charger-cost", "30", "--grid-cost-per-km", "60"]
    args = ["plan", *files, *costs, "--range-km", "200", "--budget", "2200", "--format", "json"]
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["budget"] == 2200 and doc["cost"] <= 2200
    # s2's 12 km connection (720) makes it dearer than s1 (860 + 60) and s3 (920 + 30)
    assert set(doc["new_stations"]) == {"s1", "s3"}
    assert doc["cost"] == pytest.approx(800 * 2 + 60 * 1.5 + 30 * 4 * 2)
    assert doc["station_costs"]["s1"]["grid"] == 60 and doc["curve"] == []
    assert doc["verdict"] == "optimal"
    assert main(["plan", *files, *costs, "--range-km", "200", "--budget", "2200"]) == 0
    assert "Cost of the new sites: 1,930 of the budget 2,200 (1,750 with the sized chargers)" in (
        capsys.readouterr().out
    )
    assert main(["plan", *files, "--range-km", "200"]) == 2
    assert "plan needs --stations P, or --budget MONEY" in capsys.readouterr().err


def test_cli_rollout_budgets_are_money_with_the_cost_model(capsys):
    args = "rollout --network 25node --range-km 12 --candidates all --budgets 1000,1000 --site-cost 450"
    args += " --format json"
    assert main(args.split()) == 0
    periods = json.loads(capsys.readouterr().out)
    assert [len(p["opened"]) for p in periods] == [2, 2]  # 450 a site: two a period
    assert all(p["spent"] == 900 for p in periods)
