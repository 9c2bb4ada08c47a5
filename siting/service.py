"""Studies shared by the CLI and the REST routes: a plan or a cover, assembled into one document.

Pure apart from the solver: inputs are a dataset, a prepared instance and a fuel profile; the
output is the JSON-ready plan document of :mod:`siting.outputs.document`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from siting.cover import min_cover, unservable_trips
from siting.errors import SitingError
from siting.fuels import FuelProfile
from siting.i18n import t
from siting.models.instance import Instance, PlanResult
from siting.networks import Dataset
from siting.outputs.document import plan_document
from siting.planning import Progress, check_station_count, coverage_curve, plan_stations
from siting.sites import candidate_gaps
from siting.sizing import size_stations
from siting.spacing import corridor_spacing

__all__ = ["NOTES", "plan_study", "cover_study"]

NOTES = {name: t("note_" + name, "en") for name in ("hunan", "25node")}


def plan_study(
    ds: Dataset,
    inst: Instance,
    fuel: FuelProfile,
    stations: int | None,
    *,
    method: str = "exact",
    curve_max: int | None = None,
    max_gap_km: float = 50.0,
    wait_target_min: float = 10.0,
    max_wait_prob: float = 0.05,
    time_limit_s: float | None = 60.0,
    gap_target: float = 1e-6,
    shared_sites: Sequence[str] | None = None,
    on_step: Callable[[int, PlanResult], None] | None = None,
    budget: float | None = None,
    on_progress: Progress | None = None,
) -> dict[str, Any]:
    """Plan ``stations`` new stations, with the coverage curve p = 1..``curve_max`` (default
    ``stations``; 0 for none), per-station sizing, corridor spacing and unservable trips.

    Each exact solve stops once its MIP gap is certified below ``gap_target`` (or at
    ``time_limit_s`` seconds per point); each result carries its verdict (see
    :data:`siting.planning.VERDICTS`). With a ``budget`` the plan spends at most that on new
    sites (``stations`` an upper bound, or None) and the curve is off unless ``curve_max`` asks."""
    n_curve = (stations or 0) if curve_max is None else curve_max
    if stations is not None:
        check_station_count(inst, stations)
    check_station_count(inst, n_curve, "--curve-max")
    curve: list[PlanResult] = []
    if budget is not None:
        plan = plan_stations(
            inst,
            stations,
            method=method,
            time_limit_s=time_limit_s,
            gap_target=gap_target,
            budget=budget,
            on_progress=on_progress,
        )
        if n_curve > 0:
            curve = coverage_curve(
                inst,
                range(1, n_curve + 1),
                method=method,
                time_limit_s=time_limit_s,
                gap_target=gap_target,
                on_step=on_step,
                on_progress=on_progress,
            )
    elif stations is None:
        raise SitingError("give the number of stations, or a budget")
    elif n_curve >= stations:
        # The plan is one point of the curve, solved incrementally with the others.
        curve = coverage_curve(
            inst,
            range(1, n_curve + 1),
            method=method,
            time_limit_s=time_limit_s,
            gap_target=gap_target,
            on_step=on_step,
            on_progress=on_progress,
        )
        plan = (
            next(r for r in curve if r.p == stations) if stations else plan_stations(inst, 0, method=method)
        )
    else:
        plan = plan_stations(
            inst,
            stations,
            method=method,
            time_limit_s=time_limit_s,
            gap_target=gap_target,
            on_progress=on_progress,
        )
        if n_curve > 0:
            curve = coverage_curve(
                inst,
                range(1, n_curve + 1),
                method=method,
                time_limit_s=time_limit_s,
                gap_target=gap_target,
                on_step=on_step,
                on_progress=on_progress,
            )
    sizes = size_stations(
        ds.G,
        [ds.trips[q] for q in plan.covered],
        plan.stations,
        fuel,
        wait_target_min=wait_target_min,
        max_wait_prob=max_wait_prob,
    )
    return plan_document(
        ds.G,
        plan,
        network=ds.name,
        fuel=fuel,
        curve=curve,
        sizes=sizes,
        spacing=corridor_spacing(ds.G, plan.stations, max_gap_km),
        unservable=unservable_trips(inst),
        extra={
            "note": NOTES.get(ds.name, ""),
            "shared_sites": list(shared_sites) if shared_sites else None,
            "candidate_gaps": candidate_gaps(inst),
        },
    )


def cover_study(
    ds: Dataset,
    inst: Instance,
    fuel: FuelProfile,
    *,
    minimise: str = "count",
    time_limit_s: float | None = 60.0,
) -> dict[str, Any]:
    """Fewest (cheapest) stations refuelling every servable trip, with the unservable trips listed."""
    report = min_cover(inst, minimise=minimise, time_limit_s=time_limit_s)
    return plan_document(
        ds.G,
        report.plan,
        network=ds.name,
        fuel=fuel,
        unservable=report.unservable,
        spacing=corridor_spacing(ds.G, report.plan.stations),
        extra={"note": NOTES.get(ds.name, ""), "minimise": minimise, "candidate_gaps": candidate_gaps(inst)},
    )
