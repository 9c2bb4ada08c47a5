"""Vehicle classes: cars and trucks with their own demand (and, through the fuel, their own range).

Without an O-D table the demand of a class is a gravity model with the class's own distance decay
and trip generation: ``flow_ij ~ W_i W_j / d_ij ** beta``, ``W`` the node attribute ``weight``
(cars), or for trucks ``truck_weight`` where a node has one (else its ``weight``). It is scaled so
that the class carries its ``share`` of the flow of all vehicles (the dataset's own trips), unless
traffic counts calibrate it (:mod:`siting.calibrate`). A dataset's own demand (a built-in gravity
model, or ``--flows``) is read as car demand; trucks are added beside it.

Defaults are assumptions, each overridable: trucks are 25 % of expressway traffic and travel
farther (beta 1.0 against 1.5 for cars). Hydrogen is for trucks (fuel-cell heavy trucks, see
``siting.fuels``), so ``--fuel h2`` plans on truck demand unless told otherwise; battery-electric
trucks get a 225 km range (200-250 km, ``siting.fuels``) unless ``--range-km`` says otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from siting.demand import Trip, gravity_trips
from siting.errors import InputError
from siting.graph import RoadGraph

__all__ = ["VehicleClass", "VEHICLES", "vehicle_class", "default_vehicle", "class_range_km", "class_trips"]


@dataclass(frozen=True)
class VehicleClass:
    """A class of vehicles: its share of all traffic, gravity distance decay and weight attribute."""

    name: str
    share: float  # of all vehicles on the expressways
    beta: float
    weight_attr: str


VEHICLES: dict[str, VehicleClass] = {
    "car": VehicleClass("car", share=0.75, beta=1.5, weight_attr="weight"),
    "truck": VehicleClass("truck", share=0.25, beta=1.0, weight_attr="truck_weight"),
}

# Range defaults [km] where the class changes them; otherwise the fuel profile's own.
_CLASS_RANGE_KM = {("ev", "truck"): 225.0}


def vehicle_class(name: str, *, share: float | None = None, beta: float | None = None) -> VehicleClass:
    """A built-in class with overrides.

    >>> vehicle_class("truck", share=0.3).share
    0.3
    """
    try:
        base = VEHICLES[name]
    except KeyError:
        raise InputError(f"unknown vehicle class {name!r}; choose {' or '.join(VEHICLES)}") from None
    if share is not None and not 0 < share <= 1:
        raise InputError(f"--truck-share / class share must be in (0, 1], got {share:g}")
    if beta is not None and beta < 0:
        raise InputError(f"class beta must not be negative, got {beta:g}")
    return replace(
        base, share=base.share if share is None else share, beta=base.beta if beta is None else beta
    )


def default_vehicle(fuel: str) -> str:
    """``truck`` for hydrogen, ``car`` otherwise.

    >>> default_vehicle("h2"), default_vehicle("ev")
    ('truck', 'car')
    """
    return "truck" if fuel == "h2" else "car"


def class_range_km(fuel: str, vehicle: str) -> float | None:
    """The class's range default for ``fuel`` [km], or None to keep the fuel profile's.

    >>> class_range_km("ev", "truck"), class_range_km("ev", "car")
    (225.0, None)
    """
    return _CLASS_RANGE_KM.get((fuel, vehicle))


def class_trips(G: RoadGraph, car_trips: Sequence[Trip], vc: VehicleClass) -> list[Trip]:
    """Gravity trips of one class, scaled so that it carries ``vc.share`` of all traffic when
    ``car_trips`` (a dataset's own demand, read as cars) carry the rest: a class flow of
    ``share / (1 - share)`` times the car flow (for cars, the car flow itself).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.path_graph(["a", "b", "c"]); nx.set_edge_attributes(G, 100.0, "length_km")
    >>> for n, w in zip("abc", (1.0, 1.0, 1.0)): G.nodes[n]["weight"] = w
    >>> trips = gravity_trips(G, beta=1.5)
    >>> trucks = class_trips(G, trips, VEHICLES["truck"])
    >>> round(sum(t.flow for t in trucks) / sum(t.flow for t in trips), 6)   # 25 / 75
    0.333333
    >>> trucks[1].flow / trucks[0].flow > trips[1].flow / trips[0].flow   # long trips weigh more
    True
    """
    attr = vc.weight_attr
    H = G
    if attr != "weight":
        # each node's own class weight where it has one, else its weight
        H = G.copy()
        for _, d in H.nodes(data=True):
            own = d.get(attr)
            d["_class_weight"] = float(own) if own not in (None, "") else float(d.get("weight") or 0.0)
        attr = "_class_weight"
    trips = gravity_trips(H, beta=vc.beta, node_weight=attr)
    total_cars = sum(t.flow for t in car_trips)
    total = sum(t.flow for t in trips)
    if total <= 0:
        raise InputError(f"no node has a positive weight for the {vc.name} gravity model")
    ratio = 1.0 if vc.name == "car" or vc.share >= 1 else vc.share / (1.0 - vc.share)
    k = ratio * total_cars / total
    return [replace(t, flow=t.flow * k) for t in trips]
