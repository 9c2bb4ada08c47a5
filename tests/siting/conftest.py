"""Shared small instances for the siting tests."""

from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest

from siting.demand import Trip, trips_from_flows
from siting.refuel import is_refuelled


def brute_force_best(
    G: nx.Graph,
    trips: list[Trip],
    candidates: list[str],
    p: int,
    range_km: float,
    existing: tuple[str, ...] = (),
) -> float:
    """Best refuelled flow over every p-subset, judged by the round-trip gap rule alone."""
    best = 0.0
    for combo in itertools.combinations(candidates, p):
        open_ = set(combo) | set(existing)
        flow = sum(t.flow for t in trips if is_refuelled(G, t.path, open_, range_km))
        best = max(best, flow)
    return best


def random_instance(seed: int, n: int = 9, n_trips: int = 14) -> tuple[nx.Graph, list[Trip]]:
    """A connected random road graph with integer lengths and random O-D flows."""
    rng = random.Random(seed)
    G = nx.Graph()
    nodes = [f"n{i}" for i in range(n)]
    for i in range(1, n):
        G.add_edge(nodes[i], nodes[rng.randrange(i)], length_km=float(rng.randint(2, 9)))
    for _ in range(n // 2):
        u, v = rng.sample(nodes, 2)
        if not G.has_edge(u, v):
            G.add_edge(u, v, length_km=float(rng.randint(2, 9)))
    pairs = [(u, v) for u, v in itertools.combinations(nodes, 2)]
    flows = [
        {"origin": u, "destination": v, "flow": rng.randint(1, 20)} for u, v in rng.sample(pairs, n_trips)
    ]
    return G, trips_from_flows(G, flows)


@pytest.fixture
def greedy_trap() -> tuple[nx.Graph, list[Trip]]:
    """W3 - Y - X - Z - W4, unit lengths: greedy opens X first and ends with 14 of 18."""
    G = nx.path_graph(["W3", "Y", "X", "Z", "W4"])
    nx.set_edge_attributes(G, 1.0, "length_km")
    flows = [
        {"origin": "Y", "destination": "X", "flow": 5},
        {"origin": "X", "destination": "Z", "flow": 5},
        {"origin": "W3", "destination": "Y", "flow": 4},
        {"origin": "Z", "destination": "W4", "flow": 4},
    ]
    return G, trips_from_flows(G, flows)
