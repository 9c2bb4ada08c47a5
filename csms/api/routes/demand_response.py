"""Demand response (需求响应) for the load-management centre, and the virtual-power-plant view."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from csms.api.deps import ServicesDep, SiteReader, allow
from csms.domain.access import Principal, Role
from csms.domain.demand_response import DemandResponseEvent, EventPerformance
from csms.errors import Unavailable
from csms.services.demand_response import EventRequest

router = APIRouter(prefix="/api/v1/demand-response", tags=["demand-response"])

LoadCentre = Annotated[Principal, Depends(allow(Role.load_centre))]


class EventCreate(BaseModel):
    """Give ``site_id`` or ``site_ids``, and exactly one of the three goals (finite numbers only;
    no other field)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    id: str | None = Field(default=None, min_length=1, max_length=48, pattern=r"^[A-Za-z0-9._:\-]+$")
    site_id: str | None = None
    site_ids: list[str] = []
    start: AwareDatetime
    end: AwareDatetime
    target_import_kw: float | None = Field(default=None, ge=0)
    """Import limit for each site [kW]."""
    target_import_kw_total: float | None = Field(default=None, ge=0)
    """Import limit for the group [kW], split among sites in proportion to their baselines."""
    reduction_kw: float | None = Field(default=None, ge=0)
    """Cut from each site's baseline [kW]."""
    baseline_kw_by_site: dict[str, float] = {}
    """Baselines to use instead of the previous days' telemetry [kW]."""
    note: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _sites(self) -> EventCreate:
        if self.site_id is None and not self.site_ids:
            raise ValueError("give site_id or site_ids")
        return self


class EventPublic(BaseModel):
    id: str
    site_ids: list[str]
    start: datetime
    end: datetime
    target_import_kw: float | None
    reduction_kw: float | None
    target_import_kw_by_site: dict[str, float]
    baseline_kw_by_site: dict[str, float]
    cancelled: bool
    cancelled_at: datetime | None = None
    """When it was cancelled: its report covers ``[start, min(end, cancelled_at))``."""
    status: str
    """scheduled, active, ended or cancelled (at the time of the request)."""
    note: str | None = None
    created_by: str | None = None


class PerformancePublic(BaseModel):
    site_id: str
    baseline_kw: float | None
    target_kw: float
    measured_mean_kw: float | None
    measured_max_kw: float | None
    reduction_achieved_kw: float | None
    within_target: bool | None
    coverage_pct: float


class EventDetail(EventPublic):
    sites: list[PerformancePublic]


class SiteFlexibilityPublic(BaseModel):
    site_id: str
    charging_shed_w: float
    battery_headroom_w: float
    total_w: float
    grid_import_w: float


class FlexibilityPublic(BaseModel):
    """Power the sites could shed now [W]: charging above the sessions' minimums plus battery headroom."""

    total_w: float
    charging_shed_w: float
    battery_headroom_w: float
    sites: list[SiteFlexibilityPublic]


def _public(ev: DemandResponseEvent, now: datetime, row: Any = None) -> EventPublic:
    return EventPublic(
        id=ev.event_id,
        site_ids=sorted(ev.site_ids),
        start=ev.start,
        end=ev.end,
        target_import_kw=ev.target_import_kw,
        reduction_kw=ev.reduction_kw,
        target_import_kw_by_site=dict(ev.target_import_kw_by_site),
        baseline_kw_by_site=dict(ev.baseline_kw_by_site),
        cancelled=ev.cancelled,
        cancelled_at=ev.cancelled_at,
        status=ev.status_at(now),
        note=getattr(row, "note", None),
        created_by=getattr(row, "created_by", None),
    )


def _perf(p: EventPerformance) -> PerformancePublic:
    return PerformancePublic(
        site_id=p.site_id,
        baseline_kw=p.baseline_kw,
        target_kw=p.target_kw,
        measured_mean_kw=p.measured_mean_kw,
        measured_max_kw=p.measured_max_kw,
        reduction_achieved_kw=p.reduction_achieved_kw,
        within_target=p.within_target,
        coverage_pct=p.coverage_pct,
    )


@router.post("/events", status_code=201)
async def create_event(body: EventCreate, services: ServicesDep, token: LoadCentre) -> EventPublic:
    site_ids = ([body.site_id] if body.site_id else []) + body.site_ids
    req = EventRequest(
        site_ids=site_ids,
        start=body.start,
        end=body.end,
        target_import_kw=body.target_import_kw,
        target_import_kw_total=body.target_import_kw_total,
        reduction_kw=body.reduction_kw,
        baseline_kw_by_site=body.baseline_kw_by_site,
        event_id=body.id,
        note=body.note,
    )
    event = await services.demand_response.create(req, created_by=token.name)
    row, _ = await services.demand_response.get(event.event_id)
    return _public(event, services.now(), row)


@router.get("/events")
async def list_events(
    services: ServicesDep, _: SiteReader, site_id: str | None = None, live: bool = False
) -> list[EventPublic]:
    """Every event (``live=true``: only those not cancelled and not over)."""
    now = services.now()
    rows = await services.demand_response.list(
        site_id=site_id, ending_after=now if live else None, include_cancelled=not live
    )
    return [_public(ev, now, row) for row, ev in rows]


@router.get("/events/{event_id}")
async def get_event(
    event_id: str,
    services: ServicesDep,
    _: SiteReader,
    tolerance_kw: float = Query(0.0, ge=0, allow_inf_nan=False),
) -> EventDetail:
    """The event with, per site, its baseline, target and measured import so far (from site telemetry)."""
    row, ev = await services.demand_response.get(event_id)
    perf = await services.demand_response.performance(event_id, tolerance_kw=tolerance_kw)
    base = _public(ev, services.now(), row)
    return EventDetail(**base.model_dump(), sites=[_perf(p) for p in perf])


@router.post("/events/{event_id}/cancel")
async def cancel_event(event_id: str, services: ServicesDep, _: LoadCentre) -> EventPublic:
    event = await services.demand_response.cancel(event_id)
    row, _ = await services.demand_response.get(event_id)
    return _public(event, services.now(), row)


@router.get("/flexibility")
async def flexibility(
    services: ServicesDep,
    _: SiteReader,
    site_id: list[str] = Query(default=[]),
    area: str | None = None,
) -> FlexibilityPublic:
    """The virtual-power-plant view for the given sites, an area, or every site."""
    if services.energy is None:
        raise Unavailable("the energy manager is not running")
    ids = list(site_id)
    if area is not None or not ids:
        ids += [s.id for s, _ in await services.sites.list(area)]
    for sid in ids:
        await services.sites.get(sid)  # 404 naming an unknown site
    flex = await services.energy.flexibility(list(dict.fromkeys(ids)))
    return FlexibilityPublic(
        total_w=flex.total_w,
        charging_shed_w=flex.charging_shed_w,
        battery_headroom_w=flex.battery_headroom_w,
        sites=[
            SiteFlexibilityPublic(
                site_id=f.site_id,
                charging_shed_w=f.charging_shed_w,
                battery_headroom_w=f.battery_headroom_w,
                total_w=f.total_w,
                grid_import_w=f.grid_import_w,
            )
            for f in flex.by_site.values()
        ],
    )
