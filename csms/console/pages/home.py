"""The landing pages: the dashboard for station readers, a welcome page for everyone else."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from csms.console.auth import console_user, reader, services_of
from csms.console.nav import STATION_READERS
from csms.console.render import render
from csms.console.timefmt import local_midnight
from csms.domain.access import Principal

router = APIRouter(prefix="/console", include_in_schema=False)


async def _overview(request: Request) -> dict[str, Any]:
    services = services_of(request)
    now = await services.overview.now(since=local_midnight(services.now()))
    return {
        "now": now,
        "blocked": services.station_auth.blocked_handshakes(limit=20),
        "quotas": await services.stations.at_message_quota(limit=20),
    }


@router.get("/")
async def dashboard(request: Request, _: Annotated[Principal, Depends(reader(STATION_READERS))]) -> Response:
    return render(request, "dashboard.html", await _overview(request))


@router.get("/dashboard/live")
async def dashboard_live(
    request: Request, _: Annotated[Principal, Depends(reader(STATION_READERS))]
) -> Response:
    """The dashboard's figures and alerts alone: the page asks again when the live stream says they
    changed."""
    return render(request, "_overview.html", await _overview(request))


@router.get("/welcome")
async def welcome(request: Request, _: Annotated[Principal, Depends(console_user)]) -> Response:
    return render(request, "welcome.html")
