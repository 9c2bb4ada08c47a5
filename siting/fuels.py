"""Fuel profiles (battery-electric fast charging, hydrogen) and site sharing between them.

Defaults are indicative planning figures, each overridable; sources are in ``data/hunan/facts.md``:
fuel-cell heavy trucks reach "over 440 km" and use 9-9.2 kg H2 per 100 km; battery-electric heavy
trucks about 200-250 km, cars 400-500 km. A Hunan fast charger is a DC pile of at least 60 kW
(湘政办发〔2021〕4号).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypedDict, Unpack

from siting.errors import InputError

__all__ = ["FuelProfile", "FuelOverrides", "FUELS", "fuel_profile", "colocation_costs"]


class FuelOverrides(TypedDict, total=False):
    """Fields of :class:`FuelProfile` a caller may override; a None value keeps the profile's own."""

    range_km: float | None
    consumption_per_km: float | None
    server_rate_per_h: float | None
    overhead_min: float | None
    adoption_share: float | None
    peak_hour_share: float | None
    module_capacity_per_day: float | None


@dataclass(frozen=True)
class FuelProfile:
    """What a vehicle class needs from a station.

    Attributes
    ----------
    name : str
        ``ev`` or ``h2``.
    range_km : float
        Distance on a full tank or battery [km].
    consumption_per_km : float
        Energy per km: kWh/km (ev) or kg/km (h2).
    unit : str
        ``kWh`` or ``kg``.
    server_rate_per_h : float
        Delivery rate of one charger [kW = kWh/h] or one dispenser [kg/h].
    overhead_min : float
        Time per visit besides energy transfer (parking, plugging, payment) [min].
    adoption_share : float
        Share of the O-D flow that uses this fuel.
    peak_hour_share : float
        Share of a day's station visits that arrive in the peak hour.
    module_capacity_per_day : float or None
        Supply capacity of one station module [unit/day] (hydrogen: kg/day of storage/compression).
    server_name : str
        ``charger`` or ``dispenser``.
    """

    name: str
    range_km: float
    consumption_per_km: float
    unit: str
    server_rate_per_h: float
    overhead_min: float
    adoption_share: float
    peak_hour_share: float
    module_capacity_per_day: float | None
    server_name: str

    def with_overrides(self, **changes: Unpack[FuelOverrides]) -> FuelProfile:
        """A copy with the given fields replaced (None values are ignored)."""
        given: dict[str, Any] = {k: v for k, v in changes.items() if v is not None}
        return replace(self, **given)


FUELS: dict[str, FuelProfile] = {
    "ev": FuelProfile(
        name="ev",
        range_km=300.0,
        consumption_per_km=0.2,
        unit="kWh",
        server_rate_per_h=120.0,
        overhead_min=5.0,
        adoption_share=0.15,
        peak_hour_share=0.12,
        module_capacity_per_day=None,
        server_name="charger",
    ),
    "h2": FuelProfile(
        name="h2",
        range_km=400.0,
        consumption_per_km=0.09,
        unit="kg",
        server_rate_per_h=108.0,  # 1.8 kg/min
        overhead_min=5.0,
        adoption_share=0.02,
        peak_hour_share=0.12,
        module_capacity_per_day=500.0,
        server_name="dispenser",
    ),
}


def fuel_profile(name: str, **overrides: Unpack[FuelOverrides]) -> FuelProfile:
    """A built-in profile with overrides.

    Examples
    --------
    >>> fuel_profile("h2", range_km=440).range_km
    440
    >>> fuel_profile("diesel")
    Traceback (most recent call last):
    ...
    siting.errors.InputError: unknown fuel 'diesel'; choose ev or h2
    """
    try:
        base = FUELS[name]
    except KeyError:
        raise InputError(f"unknown fuel {name!r}; choose {' or '.join(FUELS)}") from None
    return base.with_overrides(**overrides)


def colocation_costs(
    candidates: Iterable[str],
    shared_sites: Iterable[str],
    *,
    base_costs: Mapping[str, float] | None = None,
    shared_cost_factor: float = 0.7,
) -> dict[str, float]:
    """Site costs for hydrogen when sharing a site with fast chargers is cheaper.

    A site already chosen for fast chargers shares land, grid connection and access roads, so its
    cost is multiplied by ``shared_cost_factor``.

    Examples
    --------
    >>> colocation_costs(["a", "b"], ["b"], shared_cost_factor=0.5)
    {'a': 1.0, 'b': 0.5}
    """
    if not 0 < shared_cost_factor <= 1:
        raise InputError(f"shared_cost_factor must be in (0, 1], got {shared_cost_factor}")
    shared = set(shared_sites)
    costs = base_costs or {}
    return {c: float(costs.get(c, 1.0)) * (shared_cost_factor if c in shared else 1.0) for c in candidates}
