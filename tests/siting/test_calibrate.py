"""Traffic counts calibrate the gravity demand; vehicle classes have their own demand and range."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from siting.calibrate import Count, calibrate_gravity, read_counts_csv
from siting.cli import main
from siting.demand import gravity_trips
from siting.errors import InputError
from siting.networks import load_hunan
from siting.vehicles import VEHICLES, class_trips


def _network() -> nx.Graph:
    # a -- b -- c with a branch b -- d; s is a service area inside section b-c
    G = nx.Graph()
    for u, v, km in [("a", "b", 80.0), ("b", "s", 40.0), ("s", "c", 60.0), ("b", "d", 120.0)]:
        G.add_edge(u, v, length_km=km)
    for n, w in {"a": 4.0, "b": 2.0, "c": 3.0, "d": 1.0, "s": 0.0}.items():
        G.nodes[n]["weight"] = w
    return G


def _loads(G, trips, a, b):
    return 2 * sum(
        t.flow for t in trips if {a, b} <= set(t.path) and abs(t.path.index(a) - t.path.index(b)) == 1
    )


def test_gravity_fit_recovers_beta_and_scale_from_consistent_counts():
    G = _network()
    truth = gravity_trips(G, beta=1.2, scale=5e4)
    counts = [
        Count("a", "b", _loads(G, truth, "a", "b"), 0.0, 2),
        Count("b", "c", _loads(G, truth, "b", "s"), 0.0, 3),  # a section through the service area
        Count("b", "d", _loads(G, truth, "b", "d"), 0.0, 4),
    ]
    trips, rep = calibrate_gravity(G, counts, betas=[0.8, 1.0, 1.2, 1.5, 2.0])
    assert rep.beta == 1.2 and rep.scale == pytest.approx(5e4)
    assert rep.rmse_pct_gravity == pytest.approx(0.0, abs=1e-9)
    assert sum(t.flow for t in trips) == pytest.approx(sum(t.flow for t in truth))


def test_iterative_scaling_reproduces_counts_the_gravity_model_misses():
    G = _network()
    counts = [Count("a", "b", 30000, 6000, 2), Count("b", "c", 9000, 3000, 3), Count("b", "d", 2000, 500, 4)]
    trips, rep = calibrate_gravity(G, counts)
    assert rep.rmse_pct_gravity > 5  # one gravity model cannot fit these
    assert rep.rmse_pct < 1e-3
    assert [r["calibrated"] for r in rep.rows] == pytest.approx([24000, 6000, 1500], rel=1e-5)
    assert _loads(G, trips, "s", "c") == pytest.approx(6000, rel=1e-5)
    # trucks are calibrated to the trucks column
    _, trucks = calibrate_gravity(G, counts, vehicle="truck")
    assert [r["observed"] for r in trucks.rows] == [6000, 3000, 500]


def test_counts_file_errors_are_named(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("from,to,aadt,trucks\na,b,100,200\n", encoding="utf-8")
    with pytest.raises(InputError, match="c.csv line 2: need 0 <= trucks <= aadt"):
        read_counts_csv(p)
    p.write_text("from,to,aadt\na,c,100\n", encoding="utf-8")
    with pytest.raises(InputError, match="c.csv line 2: a-c is not a section"):
        calibrate_gravity(_network(), read_counts_csv(p), source=str(p))
    p.write_text("from,to,aadt\na,q,100\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 2: node q is not in the graph"):
        calibrate_gravity(_network(), read_counts_csv(p))


def test_truck_demand_has_its_own_share_and_decay():
    G = _network()
    cars = gravity_trips(G, beta=1.5)
    trucks = class_trips(G, cars, VEHICLES["truck"])
    assert sum(t.flow for t in trucks) == pytest.approx(sum(t.flow for t in cars) / 3)
    # trucks travel farther: their long trips weigh more than the cars' do
    long_share = lambda ts: sum(t.flow for t in ts if t.length_km > 150) / sum(t.flow for t in ts)  # noqa: E731
    assert long_share(trucks) > long_share(cars)
    G.nodes["d"]["truck_weight"] = 40.0  # a logistics hub: trucks use their own trip generation there
    hub = class_trips(G, cars, VEHICLES["truck"])
    to_d = lambda ts: sum(t.flow for t in ts if "d" in (t.origin, t.destination)) / sum(t.flow for t in ts)  # noqa: E731
    assert to_d(hub) > 0.8 > to_d(trucks)


def test_cli_h2_plans_on_truck_demand_and_ev_trucks_get_their_range(tmp_path, capsys):
    def run(*extra):
        assert (
            main(
                [
                    "plan",
                    "--network",
                    "hunan",
                    "--stations",
                    "2",
                    "--curve-max",
                    "0",
                    *extra,
                    "--format",
                    "json",
                ]
            )
            == 0
        )
        return json.loads(capsys.readouterr().out)

    h2 = run("--fuel", "h2")
    h2_cars = run("--fuel", "h2", "--vehicle", "car")
    assert h2["vehicle"] == "truck" and h2_cars["vehicle"] == "car"
    assert h2["total_flow"] == pytest.approx(h2_cars["total_flow"] / 3, rel=1e-6)
    assert run("--fuel", "ev", "--vehicle", "truck")["range_km"] == 225.0
    busiest = max(load_hunan().trips, key=lambda t: t.flow)  # count the first edge of the busiest trip
    u, v = busiest.path[:2]
    (tmp_path / "c.csv").write_text(f"from,to,aadt,trucks\n{u},{v},60000,15000\n", encoding="utf-8")
    cal = run("--fuel", "h2", "--counts", str(tmp_path / "c.csv"))
    assert cal["calibration"]["vehicle"] == "truck"
    assert cal["calibration"]["counts"][0]["calibrated"] == pytest.approx(15000, rel=1e-5)
