"""REST routes for planners: ``create_router(...)`` returns an ``APIRouter`` for the CSMS to mount.

Stateless: every request carries its network (a built-in name, or nodes/edges/flows records) and
gets a plan document back, or its GeoJSON or HTML map. Solving and rendering are CPU-bound, so they
run on at most ``max_workers`` worker threads (an ``anyio`` capacity limiter, not FastAPI's 40-thread
pool), never on the event loop that answers the CSMS's stations; the solver time is capped per request
and the network's size by the request schema. Threads, not processes: the input is validated JSON of
bounded size, and HiGHS honours its time limit itself.
Input errors become HTTP 422 with the same message the CLI prints. Nothing here imports the CSMS.

No ``from __future__ import annotations`` here: FastAPI reads the annotations at definition time.
"""

import weakref
from asyncio import AbstractEventLoop, get_running_loop
from collections.abc import Callable, Sequence
from functools import partial
from typing import Annotated, Any, Literal

import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from siting.capacity import CapacityAssumptions, capacity_totals, plan_capacity
from siting.costs import cost_model, site_costs
from siting.errors import SitingError
from siting.fuels import FuelProfile, fuel_profile
from siting.graph import RoadGraph
from siting.inputs import check_nodes, dataset_from_records, resolve_candidates
from siting.models.instance import Instance, PlanResult, build_instance
from siting.networks import BUILTIN, Dataset, load_builtin
from siting.outputs.capacity import capacity_geojson
from siting.outputs.geojson import plan_geojson
from siting.outputs.html_capacity import capacity_html
from siting.outputs.html_map import plan_html
from siting.planning import Progress
from siting.service import cover_study, plan_study

__all__ = ["create_router", "run_plan", "PlanRequest", "CoverRequest", "CapacityRequest"]


#: Bounds on a posted network: a provincial expressway network has a few hundred nodes.
MAX_NODES, MAX_EDGES, MAX_FLOWS = 5_000, 20_000, 50_000


class _Limiters:
    """One capacity limiter per event loop (the router is built before any loop runs)."""

    def __init__(self, max_workers: int) -> None:
        self.max_workers = max_workers
        self._by_loop: weakref.WeakKeyDictionary[AbstractEventLoop, CapacityLimiter] = (
            weakref.WeakKeyDictionary()
        )

    def current(self) -> CapacityLimiter:
        loop = get_running_loop()
        limiter = self._by_loop.get(loop)
        if limiter is None:
            limiter = self._by_loop[loop] = CapacityLimiter(self.max_workers)
        return limiter


class StudyRequest(BaseModel):
    """Network, demand, sites and vehicle of a study."""

    network: Literal["hunan", "25node"] | None = Field(None, description="built-in network")
    nodes: list[dict[str, Any]] = Field(
        default_factory=list, max_length=MAX_NODES, description="id, kind, weight, x, y, name"
    )
    edges: list[dict[str, Any]] = Field(
        default_factory=list, max_length=MAX_EDGES, description="from, to, length_km, corridor"
    )
    flows: list[dict[str, Any]] = Field(
        default_factory=list, max_length=MAX_FLOWS, description="origin, destination, flow, path"
    )
    beta: float = Field(1.5, ge=0, description="gravity exponent when no flows are given")
    fuel: Literal["ev", "h2"] = "ev"
    range_km: float | None = Field(None, gt=0, description="vehicle range [km]; default by fuel")
    candidates: list[str] | Literal["auto", "all", "service-areas"] = "auto"
    existing: list[str] = Field(default_factory=list, description="stations already open")
    costs: dict[str, float] = Field(default_factory=dict, description="site id -> cost of opening")
    skip_unservable: bool = False
    time_limit_s: float = Field(20.0, gt=0, description="solver time limit per solve [s]")


class PlanRequest(StudyRequest):
    stations: int | None = Field(None, ge=0, le=500, description="new stations p (with budget: at most p)")
    budget: float | None = Field(None, ge=0, le=1e15, description="money for new sites (unit of the costs)")
    site_cost: float | None = Field(None, ge=0, le=1e12, description="construction of a site")
    charger_cost: float | None = Field(None, ge=0, le=1e12, description="one charger, installed")
    chargers_per_site: int | None = Field(None, ge=0, le=1000, description="chargers a new site gets")
    grid_cost_per_km: float | None = Field(None, ge=0, le=1e12, description="per km of substation_km")
    method: Literal["exact", "heuristic"] = "exact"
    curve_max: int | None = Field(None, ge=0, le=50, description="coverage curve for p = 1..N")
    max_gap_km: float = Field(50.0, gt=0)
    wait_target_min: float = Field(10.0, ge=0)
    max_wait_prob: float = Field(0.05, gt=0, lt=1)


class CoverRequest(StudyRequest):
    minimise: Literal["count", "cost"] = "count"


class CapacityRequest(BaseModel):
    """Bays to add at existing sites for a target peak-hour wait (see ``siting.capacity``)."""

    network: Literal["hunan", "25node"] | None = Field(None, description="built-in network")
    nodes: list[dict[str, Any]] = Field(
        default_factory=list, max_length=MAX_NODES, description="id, kind, weight, x, y, name, existing_bays"
    )
    edges: list[dict[str, Any]] = Field(default_factory=list, max_length=MAX_EDGES)
    flows: list[dict[str, Any]] = Field(default_factory=list, max_length=MAX_FLOWS)
    beta: float = Field(1.5, ge=0, le=10, description="gravity exponent when no flows are given")
    sites: list[str] | None = Field(None, max_length=MAX_NODES, description="default: every service area")
    target_wait_min: float = Field(10.0, gt=0, le=1440)
    max_wait_prob: float | None = Field(None, gt=0, lt=1)
    ev_share: float | None = Field(None, ge=0, le=1)
    stop_probability: float | None = Field(None, ge=0, le=1)
    peak_hour_share: float | None = Field(None, ge=0, le=1)
    design_day_factor: float | None = Field(None, gt=0, le=100)
    energy_kwh: float | None = Field(None, gt=0, le=10_000)
    power_kw: float | None = Field(None, gt=0, le=10_000)
    overhead_min: float | None = Field(None, ge=0, le=1440)
    power_factor: float | None = Field(None, gt=0, le=1)
    simultaneity: float | None = Field(None, gt=0, le=1)
    default_bays: int | None = Field(None, ge=0, le=10_000)


# A study: (dataset, instance, fuel, solver time limit [s]) -> plan document.
Study = Callable[[Dataset, Instance, FuelProfile, float], dict[str, Any]]


def _dataset(req: StudyRequest | CapacityRequest) -> Dataset:
    if req.network:
        if req.nodes or req.edges or req.flows:
            raise SitingError("give either network or nodes/edges/flows, not both")
        return load_builtin(req.network)
    if req.edges:
        return dataset_from_records(req.nodes, req.edges, req.flows or None, beta=req.beta)
    raise SitingError("no network: give network (hunan or 25node) or edges records")


def _costs(req: StudyRequest, ds: Dataset, sites: Sequence[str]) -> dict[str, float] | None:
    if not isinstance(req, PlanRequest):
        return req.costs or None
    model = cost_model(
        site_cost=req.site_cost,
        charger_cost=req.charger_cost,
        chargers_per_site=req.chargers_per_site,
        grid_cost_per_km=req.grid_cost_per_km,
    )
    if model is None:
        return req.costs or None
    return site_costs(ds.G, sites, model, req.costs)


def _capacity(req: CapacityRequest) -> tuple[dict[str, Any], RoadGraph]:
    try:
        ds = _dataset(req)
        fields = {k: v for k, v in req.model_dump().items() if k in CapacityAssumptions.__dataclass_fields__}
        assumptions = CapacityAssumptions().with_overrides(**fields)
        rows = plan_capacity(ds.G, ds.trips, req.sites, assumptions)
    except SitingError as exc:
        raise HTTPException(422, str(exc)) from None
    doc = {
        "network": ds.name,
        "assumptions": {**vars(assumptions), "service_min": round(assumptions.service_h * 60, 3)},
        "totals": capacity_totals(rows),
        "sites": [r.to_dict() for r in rows],
    }
    return doc, ds.G


def _prepare(req: StudyRequest, max_time_limit_s: float) -> tuple[Dataset, Instance, FuelProfile, float]:
    ds = _dataset(req)
    fuel = fuel_profile(req.fuel, range_km=req.range_km)
    candidates = (
        req.candidates if isinstance(req.candidates, list) else resolve_candidates(ds, req.candidates)
    )
    check_nodes(ds, list(candidates), "candidate sites")
    check_nodes(ds, req.existing, "existing stations")
    inst = build_instance(
        ds.G,
        ds.trips,
        fuel.range_km,
        candidates=candidates,
        existing=req.existing,
        costs=_costs(req, ds, [*candidates, *req.existing]),
        refuse_unservable=not req.skip_unservable,
    )
    return ds, inst, fuel, min(req.time_limit_s, max_time_limit_s)


def run_plan(
    req: PlanRequest,
    max_time_limit_s: float,
    *,
    on_progress: Progress | None = None,
    on_step: Callable[[int, PlanResult], None] | None = None,
) -> tuple[Dataset, dict[str, Any]]:
    """The dataset and plan document of ``req`` (its solver time capped at ``max_time_limit_s`` per
    solve), as ``POST /plan`` computes them; ``on_progress(seconds, gap)`` and ``on_step(p, result)``
    report a long solve (the CSMS console's progress). CPU-bound: call it off the event loop.
    Raises :class:`SitingError` on input errors."""
    ds, inst, fuel, limit = _prepare(req, max_time_limit_s)
    doc = plan_study(
        ds,
        inst,
        fuel,
        req.stations,
        method=req.method,
        curve_max=req.curve_max or 0,
        max_gap_km=req.max_gap_km,
        wait_target_min=req.wait_target_min,
        max_wait_prob=req.max_wait_prob,
        time_limit_s=limit,
        budget=req.budget,
        on_step=on_step,
        on_progress=on_progress,
    )
    return ds, doc


Format = Annotated[Literal["json", "geojson", "html"], Query(description="response body")]
Lang = Annotated[Literal["en", "zh"], Query(description="language of the HTML map")]


def _run(req: StudyRequest, max_time_limit_s: float, study: Study, fmt: str, lang: str) -> Any:
    """Prepare, run the study, map input errors to 422 and render the requested format."""
    try:
        ds, inst, fuel, limit = _prepare(req, max_time_limit_s)
        doc = study(ds, inst, fuel, limit)
    except SitingError as exc:
        raise HTTPException(422, str(exc)) from None
    return _respond(ds, doc, fmt, lang)


def _respond(ds: Dataset, doc: dict[str, Any], fmt: str, lang: str) -> Any:
    if fmt == "geojson":
        return JSONResponse(plan_geojson(ds.G, doc), media_type="application/geo+json")
    if fmt == "html":
        return HTMLResponse(plan_html(ds.G, doc, lang=lang))
    return doc


def create_router(
    *,
    prefix: str = "/siting",
    dependencies: Sequence[Any] = (),
    max_time_limit_s: float = 30.0,
    max_workers: int = 2,
) -> APIRouter:
    """Build the siting routes.

    Parameters
    ----------
    prefix : str
        Mount point of the routes.
    dependencies : sequence
        Extra router dependencies, e.g. the CSMS's planner-role guard.
    max_time_limit_s : float
        Upper bound on the solver time a request may ask for [s].
    max_workers : int
        Solves (and map renderings) run at once; further requests wait their turn.
    """
    router = APIRouter(prefix=prefix, tags=["siting"], dependencies=list(dependencies))
    limiters = _Limiters(max_workers)

    async def off_loop(fn: Callable[..., Any], *args: Any) -> Any:
        return await anyio.to_thread.run_sync(partial(fn, *args), limiter=limiters.current())

    @router.get("/networks")
    def networks() -> list[dict[str, Any]]:
        """Built-in networks with their size."""
        out = []
        for name in BUILTIN:
            ds = load_builtin(name)
            out.append(
                {
                    "name": name,
                    "description": ds.description,
                    "nodes": ds.G.number_of_nodes(),
                    "edges": ds.G.number_of_edges(),
                    "trips": len(ds.trips),
                }
            )
        return out

    @router.post("/plan")
    async def plan(req: PlanRequest, format: Format = "json", lang: Lang = "en") -> Any:
        """Maximum flow refuelled with ``stations`` new stations (status, stations, covered_flow, gap...)."""

        def plan_doc() -> Any:
            try:
                ds, doc = run_plan(req, max_time_limit_s)
            except SitingError as exc:
                raise HTTPException(422, str(exc)) from None
            return _respond(ds, doc, format, lang)

        return await off_loop(plan_doc)

    @router.post("/capacity")
    async def capacity(
        req: CapacityRequest, format: Literal["json", "geojson", "html"] = "json", lang: Lang = "en"
    ) -> Any:
        """Charging bays to add at existing sites for a target peak-hour wait, with the grid kW/kVA;
        ``format=html``: the capacity map and table as one page."""
        doc, G = await off_loop(_capacity, req)
        if format == "geojson":
            return JSONResponse(capacity_geojson(doc["sites"]), media_type="application/geo+json")
        if format == "html":
            return HTMLResponse(await off_loop(lambda: capacity_html(G, doc, lang=lang)))
        return doc

    @router.post("/cover")
    async def cover(req: CoverRequest, format: Format = "json", lang: Lang = "en") -> Any:
        """Fewest (cheapest) stations refuelling every servable trip, and the trips none can serve."""

        def study(ds: Dataset, inst: Instance, fuel: FuelProfile, limit: float) -> dict[str, Any]:
            return cover_study(ds, inst, fuel, minimise=req.minimise, time_limit_s=limit)

        return await off_loop(_run, req, max_time_limit_s, study, format, lang)

    return router
