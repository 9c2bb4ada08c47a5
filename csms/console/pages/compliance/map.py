"""The car parks on a map coloured by verdict: Leaflet with no tiles, Hunan's boundaries as the base layer
(both served as JSON from here: the CSP allows no inline data)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

import siting.data.boundaries as boundaries_data
from csms.console.auth import reader, services_of
from csms.console.pages.compliance.common import ROLES, labels, query_of, the_filter, verdict_label
from csms.console.render import render, request_lang
from csms.domain.access import Principal
from csms.services.compliance import CarParkFilter

router = APIRouter(prefix="/console/compliance", include_in_schema=False)

Filter = Annotated[CarParkFilter, Depends(the_filter)]
POINTS_MAX = 2_000
"""Car parks drawn at once; filter by district for the rest."""
BOUNDARIES = Path(boundaries_data.__file__).parent / "hunan_boundaries.json"


@cache
def _boundaries() -> bytes:
    return BOUNDARIES.read_bytes()


@router.get("/map")
async def map_page(request: Request, _: Annotated[Principal, Depends(reader(ROLES))], f: Filter) -> Response:
    service = services_of(request).compliance
    query = query_of(f)
    return render(
        request,
        "compliance/map.html",
        {
            "f": f,
            "districts": await service.districts(),
            "points_url": "/console/compliance/map/points.json" + (f"?{query}" if query else ""),
            **labels(request_lang(request)),
        },
    )


@router.get("/map/points.json")
async def points(request: Request, _: Annotated[Principal, Depends(reader(ROLES))], f: Filter) -> Response:
    lang = request_lang(request)
    found, total = await services_of(request).compliance.points(f, POINTS_MAX)
    names: dict[str, str] = {}
    out: list[dict[str, Any]] = []
    for p in found:
        label = names.get(p.verdict) or names.setdefault(p.verdict, verdict_label(p.verdict, lang))
        out.append(
            {"id": p.id, "name": p.name, "verdict": p.verdict, "label": label, "lon": p.lon, "lat": p.lat}
        )
    return JSONResponse({"points": out, "total": total, "shown": len(out)})


@router.get("/map/boundaries.json")
async def boundaries(_: Annotated[Principal, Depends(reader(ROLES))]) -> Response:
    return Response(_boundaries(), media_type="application/json")
