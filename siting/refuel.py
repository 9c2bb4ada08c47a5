"""Round-trip refuelling logic (Kuby & Lim 2005) and the arc-cover sets of Capar et al. (2013).

A trip O -> D is driven as the cycle O -> D -> O. It is *refuelled* by a set of open stations when,
going round that cycle, no stretch between consecutive station visits is longer than the range.
A station at an intermediate node is visited twice (out and back); one at O or D once. Because
the trip repeats, the tank on leaving O equals the tank on returning to O, so the cycle wraps.

For the MILP, every directed arc of the cycle gets the set K of nodes from which a full tank
reaches the arc's end going forward round the cycle (Capar, Kuby, Leon & Tsai 2013, "An arc
cover-path-cover formulation and strategic analysis of alternative-fuel station locations",
EJOR 227(1)). The trip is refuelled iff every K holds an open station. Only the inclusion-minimal
sets are kept: a superset's constraint is implied by its subset's.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import networkx as nx

__all__ = ["cycle_positions", "is_refuelled", "longest_stretch", "arc_cover_sets", "Stretch"]

_EPS = 1e-9


@dataclass(frozen=True)
class Stretch:
    """The longest stretch between consecutive station visits on a round trip.

    ``length_km`` is ``inf`` when no station lies on the trip at all.
    """

    length_km: float
    from_node: str | None
    to_node: str | None


def cycle_positions(
    G: nx.Graph, path: Sequence[str], weight: str = "length_km"
) -> tuple[list[str], list[float], float]:
    """Nodes and distances [km] from the origin of each position on the round trip, and its length.

    Examples
    --------
    >>> G = nx.path_graph(["a", "b", "c"]); nx.set_edge_attributes(G, 10.0, "length_km")
    >>> cycle_positions(G, ["a", "b", "c"])
    (['a', 'b', 'c', 'b'], [0.0, 10.0, 20.0, 30.0], 40.0)
    """
    out_km = [0.0]
    for u, v in zip(path, path[1:], strict=False):
        out_km.append(out_km[-1] + float(G.edges[u, v][weight]))
    one_way_km = out_km[-1]
    nodes = list(path) + list(path[-2:0:-1])
    dists = out_km + [2 * one_way_km - out_km[i] for i in range(len(path) - 2, 0, -1)]
    return nodes, dists, 2 * one_way_km


def longest_stretch(
    G: nx.Graph, path: Sequence[str], stations: Collection[str], weight: str = "length_km"
) -> Stretch:
    """The longest stretch between consecutive station visits round the trip's cycle.

    Examples
    --------
    >>> G = nx.path_graph(["a", "b", "c"]); nx.set_edge_attributes(G, 10.0, "length_km")
    >>> longest_stretch(G, ["a", "b", "c"], {"b"})
    Stretch(length_km=20.0, from_node='b', to_node='b')
    >>> longest_stretch(G, ["a", "b", "c"], {"a"}).length_km
    40.0
    """
    nodes, dists, cycle_km = cycle_positions(G, path, weight)
    visits = [i for i, n in enumerate(nodes) if n in stations]
    if not visits:
        return Stretch(float("inf"), None, None)
    best = Stretch(-1.0, None, None)
    for k, i in enumerate(visits):
        j = visits[(k + 1) % len(visits)]
        gap_km = dists[j] - dists[i] if j > i else dists[j] + cycle_km - dists[i]
        if gap_km > best.length_km:
            best = Stretch(gap_km, nodes[i], nodes[j])
    return best


def is_refuelled(
    G: nx.Graph, path: Sequence[str], stations: Collection[str], range_km: float, weight: str = "length_km"
) -> bool:
    """Whether open ``stations`` refuel the round trip along ``path`` with a vehicle range [km].

    Examples
    --------
    >>> G = nx.path_graph(["a", "b", "c"]); nx.set_edge_attributes(G, 10.0, "length_km")
    >>> is_refuelled(G, ["a", "b", "c"], {"b"}, range_km=20)
    True
    >>> is_refuelled(G, ["a", "b", "c"], {"c"}, range_km=30)
    False
    """
    return longest_stretch(G, path, stations, weight).length_km <= range_km + _EPS


def arc_cover_sets(
    G: nx.Graph,
    path: Sequence[str],
    candidates: Collection[str],
    range_km: float,
    weight: str = "length_km",
) -> list[frozenset[str]]:
    """Inclusion-minimal arc-cover sets K of the round trip (Capar et al. 2013).

    The trip is refuelled by an open set S iff S meets every returned set. An empty set in the
    result means some arc can be reached from no candidate: no station set can serve the trip.

    Examples
    --------
    >>> G = nx.path_graph(["a", "b", "c"]); nx.set_edge_attributes(G, 10.0, "length_km")
    >>> sorted(sorted(k) for k in arc_cover_sets(G, ["a", "b", "c"], {"a", "b", "c"}, 20))
    [['a', 'b'], ['b', 'c']]
    >>> arc_cover_sets(G, ["a", "b", "c"], {"a"}, 20)
    [frozenset()]
    """
    nodes, dists, cycle_km = cycle_positions(G, path, weight)
    n = len(nodes)
    # Unroll the cycle once backwards so that every window is a contiguous slice.
    ext_nodes = nodes + nodes + [nodes[0]]
    ext_km = [d - cycle_km for d in dists] + dists + [cycle_km]
    is_cand = [node in candidates for node in ext_nodes]
    sets: set[frozenset[str]] = set()
    lo = 0
    for end in range(n + 1, 2 * n + 1):
        lo = max(lo, end - n)
        while ext_km[end] - ext_km[lo] > range_km + _EPS:
            lo += 1
        window = frozenset(ext_nodes[j] for j in range(lo, end) if is_cand[j])
        if not window:
            return [frozenset()]
        sets.add(window)
    return _minimal(sets)


def _minimal(sets: set[frozenset[str]]) -> list[frozenset[str]]:
    kept: list[frozenset[str]] = []
    for s in sorted(sets, key=lambda s: (len(s), sorted(s))):
        if not any(k <= s for k in kept):
            kept.append(s)
    return kept
