"""Corridor spacing: the largest gap between consecutive stations along each expressway.

Provincial guidance asks for fast charging at every service area, which on Hunan's expressways
means roughly every 50 km; hence the default maximum gap of 50 km.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from typing import Any

from siting.graph import RoadGraph, corridor_chains

__all__ = ["CorridorSpacing", "corridor_spacing"]


@dataclass
class CorridorSpacing:
    """Spacing along one corridor.

    Attributes
    ----------
    length_km : float
        Corridor length along its node chain [km].
    stations : list of (str, float)
        Stations on the corridor and their distance from its first node [km].
    max_gap_km : float or None
        Largest distance between consecutive stations; None with fewer than two stations.
    worst : tuple of str or None
        The two stations bounding the largest gap.
    end_gaps_km : tuple of float
        From the corridor's first node to the first station, and from the last station to its
        last node (the whole length when there is no station).
    ok : bool
        Every gap, the end stretches included, is within ``limit_km``.
    """

    corridor: str
    length_km: float
    stations: list[tuple[str, float]] = field(default_factory=list)
    max_gap_km: float | None = None
    worst: tuple[str, str] | None = None
    end_gaps_km: tuple[float, float] = (0.0, 0.0)
    limit_km: float = 50.0
    ok: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def corridor_spacing(
    G: RoadGraph, stations: Collection[str], max_gap_km: float = 50.0, weight: str = "length_km"
) -> list[CorridorSpacing]:
    """Station spacing along every corridor recorded in ``G.graph["corridors"]``.

    Examples
    --------
    >>> from siting.graph import build_graph
    >>> G = build_graph([{"id": n} for n in "abcd"],
    ...     [{"from": u, "to": v, "length_km": 30, "corridor": "G1"} for u, v in ("ab", "bc", "cd")])
    >>> s = corridor_spacing(G, {"a", "c"})[0]
    >>> s.max_gap_km, s.worst, s.end_gaps_km, s.ok
    (60.0, ('a', 'c'), (0.0, 30.0), False)
    """
    out = []
    for code, chain in sorted(corridor_chains(G).items()):
        km = [0.0]
        for u, v in zip(chain, chain[1:], strict=False):
            km.append(km[-1] + float(G.edges[u, v][weight]))
        on = [(n, km[i]) for i, n in enumerate(chain) if n in stations]
        item = CorridorSpacing(corridor=code, length_km=km[-1], stations=on, limit_km=max_gap_km)
        if on:
            item.end_gaps_km = (on[0][1], km[-1] - on[-1][1])
        else:
            item.end_gaps_km = (km[-1], km[-1])
        gaps = [(b[1] - a[1], a[0], b[0]) for a, b in zip(on, on[1:], strict=False)]
        if gaps:
            gap, a, b = max(gaps, key=lambda g: g[0])
            item.max_gap_km, item.worst = gap, (a, b)
        item.ok = bool(on) and max([g[0] for g in gaps] + list(item.end_gaps_km)) <= max_gap_km + 1e-9
        out.append(item)
    return out
