"""Sites (光储充): the list with the district's flexibility, and a site's page: its live power flow (PV,
battery, base load, EVs, grid import against the cap and any demand-response target; data from
``/console/sites/{id}/flow.json``, refreshed when the htmx-polled "now" panel refreshes), its DR events with
their performance, its measured flexibility, and its carbon totals per site and per id token.

Site readers (viewer, operator, load-management centre) see sites, DR and flexibility, as on the REST API;
the allocation and the carbon figures (per session and per id token) are for station readers only, as
``GET /api/v1/sites/{id}/allocation`` and ``/api/v1/carbon/*`` are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from csms.console.auth import reader, services_of
from csms.console.nav import SITE_READERS, STATION_READERS, may
from csms.console.pages.listing import page_count, page_of
from csms.console.render import error_page, render
from csms.console.timefmt import day_end, day_start, today
from csms.domain.access import Principal
from csms.domain.carbon import SessionCarbon, TokenCredit, credits_by_id_token
from csms.domain.energy.flow import power_flow
from csms.errors import NotFound
from csms.services.site_snapshots import spec_of
from csms.services.site_telemetry import sample_of

router = APIRouter(prefix="/console", include_in_schema=False)

SiteReader = Annotated[Principal, Depends(reader(SITE_READERS))]
FLOW_HOURS = 2
"""The power-flow chart's window [h] (``?hours=`` up to ``FLOW_MAX_HOURS``)."""
FLOW_MAX_HOURS = 48
FLOW_MAX_SAMPLES = 5_000
"""The latest samples of the window the chart draws at most."""
NOW_EVERY_S = 10
"""How often the "now" panel (and with it the chart) refreshes [s]."""
DR_SHOWN = 20
"""The site's latest DR events shown with their performance."""
CARBON_DAYS = 30
"""The default carbon period: the last 30 local days."""
BINDING = {"grid": "grid connection", "transformer": "transformer", "demand_response": "demand response"}
"""What limits the site's import now (the allocation's ``binding_limit``), as people say it."""


def _sees_sessions(user: Principal) -> bool:
    return may(user.role, STATION_READERS)


# -- the carbon period --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @property
    def since(self) -> datetime:
        return day_start(self.first)

    @property
    def until(self) -> datetime:
        return day_end(self.last)

    def query(self) -> str:
        return urlencode({"from": self.first.isoformat(), "to": self.last.isoformat()})


def period_of(request: Request, first: str, last: str) -> Period:
    end = _day(last) or today(services_of(request).now())
    start = _day(first) or end - timedelta(days=CARBON_DAYS - 1)
    return Period(min(start, end), max(start, end))


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@dataclass(frozen=True)
class CarbonTotals:
    site: TokenCredit
    """The site's totals (``id_token`` empty)."""
    tokens: list[TokenCredit]


def carbon_totals(records: list[SessionCarbon], credit_per_kg_co2: float) -> CarbonTotals:
    """Per id token (the carbon domain's 碳普惠 totals) and their sum for the site."""
    tokens = credits_by_id_token(records, credit_per_kg_co2=credit_per_kg_co2)
    site = TokenCredit(
        "", sum(t.sessions for t in tokens), sum(t.energy_wh for t in tokens),
        sum(t.green_wh for t in tokens), sum(t.emissions_kg_co2 for t in tokens),
        sum(t.avoided_kg_co2 for t in tokens), sum(t.credits for t in tokens),
    )  # fmt: skip
    return CarbonTotals(site, tokens)


# -- pages --------------------------------------------------------------------------------------------------
@router.get("/sites")
async def sites(
    request: Request,
    user: SiteReader,
    area: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    services = services_of(request)
    found = await services.sites.list(area.strip() or None)
    total = len(found)
    pages = page_count(total)
    page = min(page, pages)
    window = page_of(page)
    shown = found[window.offset : window.offset + window.limit]
    rows = [
        (site, len(members), sum(1 for m in members if services.gateway.is_online(m.station_id)),
         spec_of(site).connection_limit_kw)
        for site, members in shown
    ]  # fmt: skip
    flex = await services.flexibility.district([s.id for s, _ in shown], hours=0) if shown else None
    flex_by_site = {f.site_id: f for f in flex.sites} if flex else {}
    period = period_of(request, "", "")
    return render(
        request,
        "sites/list.html",
        {"rows": rows, "area": area, "total": total, "page": page, "pages": pages, "flex": flex_by_site,
         "district": flex.points[0] if flex and flex.points else None,
         "base": "/console/sites" + (f"?{urlencode({'area': area})}" if area else ""),
         "carbon": _sees_sessions(user), "period": period},
    )  # fmt: skip


@router.get("/carbon/sites")
async def sites_carbon(
    request: Request,
    user: SiteReader,
    first: Annotated[str, Query(alias="from", max_length=10)] = "",
    last: Annotated[str, Query(alias="to", max_length=10)] = "",
) -> Response:
    """A partial: carbon totals per site over the period (station readers only, as /api/v1/carbon)."""
    if not _sees_sessions(user):
        return error_page(request, 403, "Your role ({role}) may not do this.", role=user.role.value)
    services = services_of(request)
    period = period_of(request, first, last)
    totals = []
    for site, _ in await services.sites.list():
        records = await services.carbon.sessions(period.since, period.until, site.id)
        totals.append((site, carbon_totals(records, services.carbon.credit_per_kg_co2).site))
    return render(request, "sites/_carbon_sites.html", {"totals": totals, "period": period})


@router.get("/sites/{site_id}")
async def site_page(
    request: Request,
    user: SiteReader,
    site_id: str,
    first: Annotated[str, Query(alias="from", max_length=10)] = "",
    last: Annotated[str, Query(alias="to", max_length=10)] = "",
) -> Response:
    services = services_of(request)
    try:
        site, members = await services.sites.get(site_id)
    except NotFound:
        return error_page(request, 404, "Not found")
    now = services.now()
    events = await services.demand_response.list(site_id=site_id)
    latest = sorted(events, key=lambda pair: pair[1].start, reverse=True)[:DR_SHOWN]
    dr = []
    for row, ev in latest:
        perf = [p for p in await services.demand_response.performance(ev.event_id) if p.site_id == site_id]
        dr.append((row, ev, ev.status_at(now), ev.limit_kw(site_id), perf[0] if perf else None))
    district = await services.flexibility.district([site_id], hours=4)
    flex = district.sites[0] if district.sites else None
    period = period_of(request, first, last)
    stations = [(m, services.gateway.is_online(m.station_id)) for m in members]
    return render(
        request,
        "sites/detail.html",
        {"site": site, "spec": spec_of(site), "stations": stations, "tariff": services.sites.tariff_of(site),
         "dr": dr, "flex": flex, "carbon": _sees_sessions(user), "period": period, "every_s": NOW_EVERY_S,
         "now_panel": await _now(request, user, site_id)},
    )  # fmt: skip


async def _now(request: Request, user: Principal, site_id: str) -> dict[str, Any]:
    """The "now" panel: the latest telemetry sample, the DR limit in force and (station readers) the
    latest allocation cycle."""
    services = services_of(request)
    site, _ = await services.sites.get(site_id)
    rows = await services.sites.telemetry(site_id, limit=1)
    live = [ev for ev in await services.demand_response.live_events(services.now()) if site_id in ev.site_ids]
    latest = power_flow([sample_of(r) for r in rows], site_id, live)
    allocation = None
    if _sees_sessions(user) and services.energy is not None:
        allocation = await services.energy.allocation(site_id)
    binding = allocation.binding_limit if allocation else ""
    return {
        "site_id": site_id, "point": latest[-1] if latest else None, "allocation": allocation,
        "cap_kw": spec_of(site).connection_limit_kw, "binding": BINDING.get(binding, binding),
    }  # fmt: skip


@router.get("/sites/{site_id}/carbon")
async def site_carbon(
    request: Request,
    user: SiteReader,
    site_id: str,
    first: Annotated[str, Query(alias="from", max_length=10)] = "",
    last: Annotated[str, Query(alias="to", max_length=10)] = "",
) -> Response:
    """A partial, loaded by htmx after the page: the site's carbon totals and those per id token over the
    period (station readers only, as /api/v1/carbon)."""
    if not _sees_sessions(user):
        return error_page(request, 403, "Your role ({role}) may not do this.", role=user.role.value)
    services = services_of(request)
    period = period_of(request, first, last)
    try:
        records = await services.carbon.sessions(period.since, period.until, site_id)
    except NotFound:
        return error_page(request, 404, "Not found")
    carbon = carbon_totals(records, services.carbon.credit_per_kg_co2)
    return render(request, "sites/_carbon_site.html", {"carbon": carbon, "period": period})


@router.get("/sites/{site_id}/now")
async def site_now(request: Request, user: SiteReader, site_id: str) -> Response:
    """A partial, polled by htmx: the site's figures now."""
    try:
        context = await _now(request, user, site_id)
    except NotFound:
        return error_page(request, 404, "Not found")
    return render(request, "sites/_now.html", {"now_panel": context, "every_s": NOW_EVERY_S})


@router.get("/sites/{site_id}/flow.json")
async def site_flow(
    request: Request,
    _: SiteReader,
    site_id: str,
    hours: Annotated[float, Query(gt=0, le=FLOW_MAX_HOURS)] = FLOW_HOURS,
) -> Response:
    """The chart's data [kW; times in epoch ms]: PV, battery (> 0 discharging), base load, EVs (the site
    meter's balance), grid import, the DR target in force, the cap (the connection limit) and the DR events
    of the window."""
    services = services_of(request)
    try:
        site, _ = await services.sites.get(site_id)
    except NotFound:
        return JSONResponse({"detail": "not found"}, status_code=404)
    until = services.now()
    since = until - timedelta(hours=hours)
    rows = await services.sites.telemetry(site_id, since, None, FLOW_MAX_SAMPLES)
    events = [ev for _, ev in await services.demand_response.list(site_id=site_id)]
    points = power_flow([sample_of(r) for r in rows], site_id, events)
    cap_kw = spec_of(site).connection_limit_kw
    start = points[0].at if points else since  # the chart spans the samples there are, up to now
    end = max([until, *(p.at for p in points)])

    def kw(value: float | None) -> float | None:
        return None if value is None else round(value / 1000, 3)

    def series(attr: str) -> list[list[Any]]:
        return [[_ms(p.at), kw(getattr(p, attr))] for p in points]

    return JSONResponse(
        {
            "pv_kw": series("pv_w"), "battery_kw": series("battery_w"), "base_load_kw": series("base_load_w"),
            "ev_kw": series("ev_w"), "grid_import_kw": series("grid_import_w"),
            "dr_target_kw": series("dr_target_w"),
            "cap_kw": cap_kw, "cap": [[_ms(start), cap_kw], [_ms(end), cap_kw]],
            "dr_events": [
                {"id": ev.event_id, "start": _ms(ev.start), "end": _ms(ev.effective_end),
                 "target_kw": ev.limit_kw(site_id)}
                for ev in events if not ev.cancelled and ev.effective_end > start and ev.start < end
            ],
        }
    )  # fmt: skip


def _ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)
