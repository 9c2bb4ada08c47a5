"""Measured flexibility (issue 17): per site and for the district, now and for the next hours."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from fastapi import APIRouter, Query
from pydantic import BaseModel

from csms.api.deps import ServicesDep, SiteReader
from csms.domain.energy.flexibility import FlexPoint

router = APIRouter(prefix="/api/v1/flexibility", tags=["demand-response"])


class OfferPublic(BaseModel):
    """One direction from one instant [W, Wh, s]: ``power_w`` now (``charging_w`` from sessions and
    ``battery_w`` from the battery before the cap), held in full ``full_s`` (``null``: past the horizon),
    ``energy_wh`` over the horizon; ``assumed``: a session without departure or energy counted to the end."""

    power_w: float
    charging_w: float
    battery_w: float
    full_s: float | None
    energy_wh: float
    assumed: bool


class PointPublic(BaseModel):
    at: datetime
    down: OfferPublic
    """Import less (shed)."""
    up: OfferPublic
    """Import more (absorb)."""


class SiteFlexPublic(BaseModel):
    site_id: str
    measured_at: datetime
    """The telemetry sample the view starts from."""
    grid_import_w: float
    """The metered import of that sample [W]."""
    import_limit_w: float
    points: list[PointPublic]
    """Now, then each of the next hours."""


class FlexibilityView(BaseModel):
    district: list[PointPublic]
    sites: list[SiteFlexPublic]


def _points(points: tuple[FlexPoint, ...]) -> list[PointPublic]:
    return [PointPublic.model_validate(asdict(p)) for p in points]


@router.get("")
async def measured_flexibility(
    services: ServicesDep,
    _: SiteReader,
    site_id: list[str] = Query(default=[]),
    area: str | None = None,
    hours: int = Query(4, ge=0, le=48),
) -> FlexibilityView:
    """Downward and upward flexibility per site and summed for the district (the sites asked for, an area,
    or every site), from the metered import, the battery's SoC and the sessions' needs."""
    ids = list(site_id)
    if area is not None or not ids:
        ids += [s.id for s, _ in await services.sites.list(area)]
    for sid in ids:
        await services.sites.get(sid)  # 404 naming an unknown site
    district = await services.flexibility.district(list(dict.fromkeys(ids)), hours=hours)
    return FlexibilityView(
        district=_points(district.points),
        sites=[
            SiteFlexPublic(
                site_id=s.site_id, measured_at=s.measured_at, grid_import_w=s.grid_import_w,
                import_limit_w=s.import_limit_w, points=_points(s.points),
            )
            for s in district.sites
        ],
    )  # fmt: skip
