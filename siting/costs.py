"""Costs of opening a site: construction, grid connection by distance to a substation, chargers.

``cost = construction + grid_cost_per_km * substation_km + charger_cost * chargers_per_site``

``construction`` is the node attribute ``construction_cost`` where given, else ``site_cost``;
``substation_km`` (node attribute) is the distance to the substation the site would connect to (no
grid term where it is not given: the cost then assumes a connection at the site). Money is in
whatever unit the planner uses (for example 10k CNY); the budget of ``siting plan --budget`` is in
the same unit. A ``--costs`` CSV (``id,cost``) overrides the whole cost of the sites it names.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from siting.errors import InputError
from siting.graph import RoadGraph

__all__ = ["CostModel", "cost_model", "site_cost_parts", "site_costs"]


@dataclass(frozen=True)
class CostModel:
    """Unit costs (money) of a new site.

    Attributes
    ----------
    site_cost : float
        Construction of one site where its node gives no ``construction_cost`` (default 1: with
        the other terms at 0 a budget counts stations).
    charger_cost : float
        One charger (or dispenser), installed.
    chargers_per_site : int
        Chargers a new site is built with, for its cost (the plan's sizing reports what the flow
        needs; its ``cost_sized`` uses that count).
    grid_cost_per_km : float
        Grid connection line per km of ``substation_km``.
    """

    site_cost: float = 1.0
    charger_cost: float = 0.0
    chargers_per_site: int = 4
    grid_cost_per_km: float = 0.0

    def __post_init__(self) -> None:
        for name in ("site_cost", "charger_cost", "grid_cost_per_km"):
            value = getattr(self, name)
            if not 0 <= value < math.inf:
                raise InputError(f"--{name.replace('_', '-')} must be a non-negative number, got {value:g}")
        if self.chargers_per_site < 0:
            raise InputError(f"--chargers-per-site must not be negative, got {self.chargers_per_site}")


def cost_model(
    *,
    site_cost: float | None = None,
    charger_cost: float | None = None,
    chargers_per_site: int | None = None,
    grid_cost_per_km: float | None = None,
) -> CostModel | None:
    """The cost model of the options given (defaults for the rest), or None when none is given.

    >>> cost_model() is None, cost_model(charger_cost=30).site_cost
    (True, 1.0)
    """
    if site_cost is None and charger_cost is None and chargers_per_site is None and grid_cost_per_km is None:
        return None
    d = CostModel()
    return CostModel(
        site_cost=d.site_cost if site_cost is None else site_cost,
        charger_cost=d.charger_cost if charger_cost is None else charger_cost,
        chargers_per_site=d.chargers_per_site if chargers_per_site is None else chargers_per_site,
        grid_cost_per_km=d.grid_cost_per_km if grid_cost_per_km is None else grid_cost_per_km,
    )


def _node_number(G: RoadGraph, node: str, key: str) -> float | None:
    raw = G.nodes[node].get(key)
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise InputError(f"node {node}: {key} must be a number, got {raw!r}") from None
    if not 0 <= value < math.inf:
        raise InputError(f"node {node}: {key} must be a non-negative number, got {raw!r}")
    return value


def site_cost_parts(
    G: RoadGraph, node: str, model: CostModel, chargers: int | None = None
) -> dict[str, float]:
    """Construction, grid connection and chargers of one site, and their total.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph(); G.add_node("s", substation_km=3.5)
    >>> site_cost_parts(G, "s", CostModel(site_cost=800, charger_cost=25, grid_cost_per_km=60))
    {'construction': 800.0, 'grid': 210.0, 'chargers': 100.0, 'total': 1110.0}
    """
    construction = _node_number(G, node, "construction_cost")
    substation_km = _node_number(G, node, "substation_km")
    parts = {
        "construction": float(model.site_cost if construction is None else construction),
        "grid": float(model.grid_cost_per_km * (substation_km or 0.0)),
        "chargers": float(model.charger_cost * (model.chargers_per_site if chargers is None else chargers)),
    }
    parts["total"] = parts["construction"] + parts["grid"] + parts["chargers"]
    return parts


def site_costs(
    G: RoadGraph,
    sites: Iterable[str],
    model: CostModel,
    overrides: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """Total cost of opening each site; ``overrides`` (a costs CSV) replaces it where given."""
    out = {s: site_cost_parts(G, s, model)["total"] for s in sites}
    out.update({k: float(v) for k, v in (overrides or {}).items()})
    return out
