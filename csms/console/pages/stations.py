"""Stations: a table paged and filtered on the server, a map of the placed ones over Hunan's boundaries."""

from __future__ import annotations

from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from csms.console.auth import reader, services_of
from csms.console.nav import STATION_READERS
from csms.console.pages.listing import page_of, pager
from csms.console.render import render
from csms.domain.access import Principal
from csms.errors import NotFound

router = APIRouter(prefix="/console", include_in_schema=False)
Reader = Annotated[Principal, Depends(reader(STATION_READERS))]

STATUSES = ("Available", "Preparing", "Charging", "Occupied", "SuspendedEV", "SuspendedEVSE", "Finishing",
            "Reserved", "Unavailable", "Faulted")
"""Connector statuses of both versions (1.6 and 2.0.1), for the status filter."""


async def _table(request: Request, q: str, status: str, online: str, page: int) -> dict[str, Any]:
    services = services_of(request)
    wanted = {"yes": True, "no": False}.get(online)
    stations, total = await services.stations.search(
        page_of(page), text=q.strip() or None, status=status if status in STATUSES else None,
        online=wanted, online_ids=services.gateway.online_ids() if wanted is not None else (),
    )
    connectors = await services.stations.connectors_of([s.id for s in stations])
    filters = {"q": q, "status": status, "online": online}
    return {
        "rows": [(s, services.gateway.is_online(s.id), connectors[s.id]) for s in stations],
        "filters": filters, "statuses": STATUSES,
        **pager("/console/stations", filters, page, total),
        "rows_url": pager("/console/stations/rows", {**filters, "page": page}, page, total)["base"],
    }


@router.get("/stations")
async def stations(
    request: Request, _: Reader, q: Annotated[str, Query(max_length=48)] = "", status: str = "",
    online: str = "", page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    return render(request, "stations/list.html", await _table(request, q, status, online, page))


@router.get("/stations/rows")
async def station_rows(
    request: Request, _: Reader, q: Annotated[str, Query(max_length=48)] = "", status: str = "",
    online: str = "", page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The table's rows alone: the live stream asks for them again when it missed events."""
    return render(request, "stations/_rows.html", await _table(request, q, status, online, page))


@router.get("/stations/{station_id}/row")
async def station_row(request: Request, station_id: str, _: Reader) -> Response:
    """One station's row alone: the table asks again when the station reported something (``row-<id>``)."""
    services = services_of(request)
    try:
        station, connectors = await services.stations.get(station_id)
    except NotFound:
        return Response(status_code=404)
    context = {"s": station, "online": services.gateway.is_online(station_id), "conns": connectors}
    return render(request, "stations/_row.html", context)


@router.get("/stations/map")
async def station_map(request: Request, _: Reader) -> Response:
    return render(request, "stations/map.html")


@router.get("/stations/map/stations.json")
async def stations_geojson(request: Request, _: Reader) -> Response:
    """The placed stations as GeoJSON points (WGS-84), with whether each is online now."""
    services = services_of(request)
    placed = await services.stations.located()
    connectors = await services.stations.connectors_of([s.id for s in placed])
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [s.longitude, s.latitude]},
            "properties": {
                "id": s.id, "online": services.gateway.is_online(s.id),
                "faulted": any(c.status == "Faulted" for c in connectors[s.id]),
                "url": f"/console/stations/{s.id}",
            },
        }
        for s in placed
    ]
    return JSONResponse({"type": "FeatureCollection", "features": features})


@router.get("/stations/map/boundaries.json")
async def boundaries(_: Reader) -> Response:
    """Hunan's province and prefecture boundaries packaged with ``siting`` (the map's base layer: no
    tiles)."""
    text = resources.files("siting.data.boundaries").joinpath("hunan_boundaries.json").read_bytes()
    return Response(text, media_type="application/json", headers={"Cache-Control": "private, max-age=86400"})
