"""The landing pages: the dashboard for station readers, a welcome page for everyone else."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from csms.console.auth import console_user, reader
from csms.console.nav import STATION_READERS
from csms.console.render import render
from csms.domain.access import Principal

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/")
async def dashboard(request: Request, _: Annotated[Principal, Depends(reader(STATION_READERS))]) -> Response:
    from csms.console.auth import services_of

    services = services_of(request)
    stations = await services.stations.list()
    online = sum(1 for s in stations if services.gateway.is_online(s.id))
    return render(request, "dashboard.html", {"stations_total": len(stations), "online": online})


@router.get("/welcome")
async def welcome(request: Request, _: Annotated[Principal, Depends(console_user)]) -> Response:
    return render(request, "welcome.html")
