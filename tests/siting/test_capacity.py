"""Erlang C against published values and an independent birth-death solution; the capacity plan."""

from __future__ import annotations

import json
import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siting.capacity import DEFAULT_BAYS_SOURCE, CapacityAssumptions, passing_flows, plan_capacity
from siting.cli import main
from siting.demand import trips_from_flows
from siting.errors import InputError
from siting.queueing import (
    erlang_c,
    mean_wait_h,
    prob_wait_longer,
    servers_for_mean_wait,
    servers_needed,
)


def _birth_death(c: int, a: float, n_max: int = 4000) -> tuple[float, float]:
    """P(wait) and mean queue length of M/M/c from its stationary distribution, solved directly."""
    logp = np.zeros(n_max + 1)
    for n in range(1, n_max + 1):
        logp[n] = logp[n - 1] + math.log(a / min(n, c))
    p = np.exp(logp - logp.max())
    p /= p.sum()
    n = np.arange(n_max + 1)
    return float(p[c:].sum()), float(((n - c).clip(min=0) * p).sum())


@pytest.mark.parametrize(
    ("c", "a", "expected"),
    [
        (1, 0.5, 0.5),  # M/M/1: P(wait) = rho
        (2, 1.0, 1 / 3),  # M/M/2: 2 rho^2 / (1 + rho), rho = 0.5
        (2, 1.5, 2 * 0.75**2 / 1.75),
        (5, 3.0, 0.2362),  # Erlang C tables: 5 servers, 3 Erlang
        (3, 2.0, 0.4444),  # Erlang C tables: 3 servers, 2 Erlang (4/9)
    ],
)
def test_erlang_c_published_values(c, a, expected):
    assert erlang_c(c, a) == pytest.approx(expected, abs=5e-5)


def test_call_centre_textbook_example():
    # One call a minute, 3 minutes to serve, 5 agents: 76.4 % are answered at once; the mean
    # wait is C T / (c - a) = 0.2362 * 3 / 2 = 0.354 min.
    assert 1 - prob_wait_longer(5, 60.0, 3 / 60, 0.0) == pytest.approx(0.7638, abs=1e-4)
    assert mean_wait_h(5, 60.0, 3 / 60) * 60 == pytest.approx(0.3542, abs=1e-4)
    # M/M/1: Wq = rho / (mu - lambda) = 0.5 / (4 - 2) h
    assert mean_wait_h(1, 2.0, 0.25) == pytest.approx(0.25)


@settings(max_examples=60, deadline=None)
@given(c=st.integers(1, 40), rho=st.floats(0.05, 0.97))
def test_erlang_c_matches_the_birth_death_chain(c, rho):
    a = rho * c
    p_wait, lq = _birth_death(c, a)
    assert erlang_c(c, a) == pytest.approx(p_wait, rel=1e-6, abs=1e-9)
    # Little: Lq = lambda Wq, with lambda = a / T and T = 1
    assert mean_wait_h(c, a, 1.0) * a == pytest.approx(lq, rel=1e-5, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(c=st.integers(1, 60), a=st.floats(0.01, 55.0))
def test_erlang_c_monotone_in_servers_and_load(c, a):
    if a < c:
        assert erlang_c(c + 1, a) <= erlang_c(c, a) + 1e-12
        assert erlang_c(c, a * 0.9) <= erlang_c(c, a) + 1e-12
        assert mean_wait_h(c + 1, a, 1.0) <= mean_wait_h(c, a, 1.0) + 1e-12
    else:
        assert erlang_c(c, a) == 1.0 and mean_wait_h(c, a, 1.0) == math.inf


@settings(max_examples=60, deadline=None)
@given(lam=st.floats(0.1, 200.0), service_min=st.floats(5.0, 60.0), target=st.floats(1.0, 30.0))
def test_servers_for_target_are_the_fewest_and_monotone(lam, service_min, target):
    T = service_min / 60
    c = servers_for_mean_wait(lam, T, target / 60)
    assert mean_wait_h(c, lam, T) <= target / 60 + 1e-12
    assert c == 1 or mean_wait_h(c - 1, lam, T) > target / 60
    assert servers_for_mean_wait(lam * 1.2, T, target / 60) >= c  # more arrivals: never fewer
    assert servers_for_mean_wait(lam, T, target / 120) >= c  # stricter target: never fewer
    k = servers_needed(lam, T, target / 60, 0.1)
    assert prob_wait_longer(k, lam, T, target / 60) <= 0.1
    assert servers_needed(lam * 1.2, T, target / 60, 0.1) >= k


def _corridor(bays: dict[str, object] | None = None) -> tuple[nx.Graph, list]:
    G = nx.path_graph(["a", "s1", "s2", "b"])
    nx.set_edge_attributes(G, 50.0, "length_km")
    for s in ("s1", "s2"):
        G.nodes[s].update(kind="service_area", name=s)
    for s, value in (bays or {}).items():
        G.nodes[s]["existing_bays"] = value
    trips = trips_from_flows(G, [{"origin": "a", "destination": "b", "flow": 5000}])
    return G, trips


def test_capacity_plan_per_side_and_grid():
    G, trips = _corridor({"s1": 4, "s2": 30})
    G.nodes["s2"]["existing_bays_source"] = "operator survey 2024"
    G.nodes["s1"]["grid_kva"] = 800
    s1, s2 = plan_capacity(G, trips)
    # 2 x 5000 passing; 15 % EVs, 10 % stop: 150 charges; 12 % in the peak hour, half per side: 9/h.
    assert s1.passing_per_day == 10000 and s1.charging_per_day == pytest.approx(150)
    assert s1.peak_arrivals_per_h_side == pytest.approx(9.0)
    assert s1.service_min == pytest.approx(20.0) and s1.offered_load_side == pytest.approx(3.0)
    # 2 bays a side cannot carry 3 Erlang; 4 a side wait 10.2 min on average, 5 a side 2.4 min.
    assert s1.wait_existing_min is None
    assert s1.bays_needed == 10 and s1.bays_to_add == 6
    assert s1.wait_planned_min == pytest.approx(0.2362 * 20 / 2, abs=1e-3)
    assert s1.installed_kw_needed == 1200 and s1.added_kw == 720
    assert s1.grid_kva_needed == pytest.approx(1200 / 0.95)
    assert s1.grid_kva_shortfall == pytest.approx(1200 / 0.95 - 800)
    assert s1.peak_draw_kw == pytest.approx(2 * 9 * 30)
    # Bays are never removed; the source is kept
    assert s2.bays_needed == 30 and s2.bays_to_add == 0 and s2.bays_existing_source == "operator survey 2024"


def test_missing_existing_bays_use_the_documented_default_and_bad_values_are_named():
    G, trips = _corridor()
    rows = plan_capacity(G, trips)
    assert all(r.bays_existing == 11 and r.bays_existing_source == DEFAULT_BAYS_SOURCE for r in rows)
    G.nodes["s1"]["existing_bays"] = "lots"
    with pytest.raises(InputError, match="node s1: existing_bays must be a whole number"):
        plan_capacity(G, trips)
    G.nodes["s1"]["existing_bays"] = 4
    G.nodes["s1"]["sides"] = 3
    with pytest.raises(InputError, match="node s1: sides must be 1 or 2"):
        plan_capacity(G, trips)


def test_one_sided_site_and_probability_target():
    G, trips = _corridor({"s1": 0, "s2": 0})
    G.nodes["s1"]["sides"] = 1
    one, two = plan_capacity(G, trips, assumptions=CapacityAssumptions(max_wait_prob=0.05))
    assert one.sides == 1 and one.peak_arrivals_per_h_side == pytest.approx(18.0)
    assert prob_wait_longer(one.bays_needed, 18.0, 1 / 3, 10 / 60) <= 0.05
    # pooling both directions in one queue needs fewer bays than two separate sides
    assert one.bays_needed <= two.bays_needed


def test_passing_flows_ignore_trip_ends():
    G, _ = _corridor()
    trips = trips_from_flows(G, [{"origin": "s1", "destination": "b", "flow": 10}])
    assert passing_flows(G, trips, ["s1", "s2"]) == {"s1": 0.0, "s2": 20.0}


def test_bad_assumptions_are_refused():
    with pytest.raises(InputError, match="ev_share must be in"):
        CapacityAssumptions(ev_share=1.5)
    with pytest.raises(InputError, match="power_kw must be positive"):
        CapacityAssumptions(power_kw=0)


def test_cli_capacity_files_table_and_outputs(tmp_path, capsys):
    (tmp_path / "nodes.csv").write_text(
        "id,kind,weight,x,y,name,existing_bays,existing_bays_source\n"
        "a,city,1,112.0,28.0,A,,\n"
        "s1,service_area,0,112.5,28.0,甲服务区,4,survey\n"
        "s2,service_area,0,113.0,28.0,乙服务区,,\n"
        "b,city,1,113.5,28.0,B,,\n",
        encoding="utf-8",
    )
    (tmp_path / "edges.csv").write_text("from,to,length_km\na,s1,50\ns1,s2,50\ns2,b,50\n", encoding="utf-8")
    (tmp_path / "od.csv").write_text("origin,destination,flow\na,b,5000\n", encoding="utf-8")
    files = ["--nodes", str(tmp_path / "nodes.csv"), "--edges", str(tmp_path / "edges.csv")]
    files += ["--flows", str(tmp_path / "od.csv")]
    out = tmp_path / "cap"
    assert main(["capacity", *files, "--target-wait-min", "10", "--lang", "zh", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "高峰小时充电能力" in text and "甲服务区 (s1)" in text and "需新增" in text
    doc = json.loads((out / "capacity.json").read_text(encoding="utf-8"))
    by_site = {r["site"]: r for r in doc["sites"]}
    assert by_site["s1"]["bays_existing"] == 4 and by_site["s1"]["bays_to_add"] == 6
    assert by_site["s2"]["bays_existing_source"] == DEFAULT_BAYS_SOURCE
    assert doc["totals"]["bays_to_add"] == 6
    csv_head = (out / "capacity.csv").read_text(encoding="utf-8").splitlines()[0]
    assert csv_head.startswith("site,name,") and "bays_to_add" in csv_head
    geo = json.loads((out / "capacity.geojson").read_text(encoding="utf-8"))
    assert [f["geometry"]["coordinates"] for f in geo["features"]] == [[112.5, 28.0], [113.0, 28.0]]
    assert main(["capacity", *files, "--sites", "s2,a", "--format", "json"]) == 0
    assert [r["site"] for r in json.loads(capsys.readouterr().out)["sites"]] == ["s2", "a"]
    assert main(["capacity", *files, "--sites", "s9"]) == 2
    assert "candidate sites not in the graph: s9" in capsys.readouterr().err
    assert main(["capacity", *files, "--ev-share", "2"]) == 2
    assert "ev_share must be in [0, 1]" in capsys.readouterr().err


def test_cli_capacity_hunan_json(capsys):
    assert main(["capacity", "--network", "hunan", "--format", "json", "--design-day-factor", "4"]) == 0
    doc = json.loads(capsys.readouterr().out)
    areas = doc["sites"]
    assert len(areas) >= 20 and all(r["kind"] == "service_area" for r in areas)
    assert doc["totals"]["bays_needed"] >= doc["totals"]["bays_existing"]


def test_absurd_flows_are_refused_not_sized_forever():
    G, _ = _corridor()
    trips = trips_from_flows(G, [{"origin": "a", "destination": "b", "flow": 1e300}])
    with pytest.raises(InputError, match="site s1: .* Erlang of charging at the peak hour"):
        plan_capacity(G, trips)
