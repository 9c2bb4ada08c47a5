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

from siting.graph import RoadGraph

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
    G: RoadGraph, path: Sequence[str], weight: str = "length_km"
) -> tuple[list[str], list[float], float]:
    """Nodes and distances [km] from the origin of each position on the round trip, and its length.

    Examples
    --------
    >>> import networkx as nx
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
    G: RoadGraph, path: Sequence[str], stations: Collection[str], weight: str = "length_km"
) -> Stretch:
    """The longest stretch between consecutive station visits round the trip's cycle.

    Examples
    --------
    >>> import networkx as nx
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
    G: RoadGraph, path: Sequence[str], stations: Collection[str], range_km: float, weight: str = "length_km"
) -> bool:
    """Whether open ``stations`` refuel the round trip along ``path`` with a vehicle range [km].

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.path_graph(["a", "b", "c"]); nx.set_edge_attributes(G, 10.0, "length_km")
    >>> is_refuelled(G, ["a", "b", "c"], {"b"}, range_km=20)
    True
    >>> is_refuelled(G, ["a", "b", "c"], {"c"}, range_km=30)
    False
    """
    return longest_stretch(G, path, stations, weight).length_km <= range_km + _EPS


def arc_cover_sets(
    G: RoadGraph,
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
    >>> import networkx as nx
    >>> G = nx.path_graph(["a", "b", "c"]); nx.set_edge_attributes(G, 10.0, "length_km")
    >>> sorted(sorted(k) for k in arc_cover_sets(G, ["a", "b", "c"], {"a", "b", "c"}, 20))
    [['a', 'b'], ['b', 'c']]
    >>> arc_cover_sets(G, ["a", "b", "c"], {"a"}, 20)
    [frozenset()]
    """
    nodes, dists, cycle_km = cycle_positions(G, path, weight)
    # Only arcs that end at a candidate visit matter: the window of any other arc end contains
    # the window of the next candidate visit round the cycle (which is therefore a subset).
    visits = [i for i, node in enumerate(nodes) if node in candidates]
    if not visits:
        return [frozenset()]
    n = len(visits)
    # Unroll the candidate visits once backwards so that every window is a contiguous slice.
    ext_nodes = [nodes[i] for i in visits] * 2
    ext_km = [dists[i] - cycle_km for i in visits] + [dists[i] for i in visits]
    runs: list[tuple[int, int]] = []
    lo = 0
    for end in range(n, 2 * n):
        # The visit a full loop back (lo == end - n) counts only when the whole cycle fits the range.
        lo = max(lo, end - n)
        while lo < end and ext_km[end] - ext_km[lo] > range_km + _EPS:
            lo += 1
        if lo == end:
            return [frozenset()]
        runs.append((lo, end))
    # Windows slide monotonically, so a window is a superset of its predecessor exactly when both
    # start at the same visit; keep the first of each such family (cyclically).
    kept = {
        frozenset(ext_nodes[lo:end])
        for k, (lo, end) in enumerate(runs)
        if not (len(runs) > 1 and runs[k - 1][0] - (n if k == 0 else 0) == lo)
    }
    if not kept:  # every window starts at the same visit: all are equal
        kept = {frozenset(ext_nodes[runs[0][0] : runs[0][1]])}
    return _minimal(kept)


def _minimal(sets: set[frozenset[str]]) -> list[frozenset[str]]:
    kept: list[frozenset[str]] = []
    for s in sorted(sets, key=lambda s: (len(s), sorted(s))):
        if not any(k <= s for k in kept):
            kept.append(s)
    return kept
