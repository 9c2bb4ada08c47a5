from __future__ import annotations

from collections import defaultdict

from fastapi import APIRouter, Query

from csms.api.deps import Offset, Operator, Reader, ServicesDep
from csms.api.schemas import (
    ConnectorPublic,
    EvsePublic,
    Paged,
    StationCreate,
    StationDetail,
    StationMessagePublic,
    StationPublic,
    StationUpdate,
    StatusEventPublic,
)
from csms.domain.paging import Page

router = APIRouter(prefix="/api/v1/stations", tags=["stations"])


def _public(station, online: bool) -> StationPublic:
    return StationPublic.model_validate(station).model_copy(update={"online": online})


@router.post("", status_code=201)
async def register_station(body: StationCreate, services: ServicesDep, _: Operator) -> StationPublic:
    station = await services.stations.register(
        body.id, body.password, status=body.registration_status
    )
    return _public(station, services.gateway.is_online(station.id))


@router.get("")
async def list_stations(services: ServicesDep, _: Reader) -> list[StationPublic]:
    stations = await services.stations.list()
    return [_public(s, services.gateway.is_online(s.id)) for s in stations]


@router.get("/{station_id}")
async def station_detail(station_id: str, services: ServicesDep, _: Reader) -> StationDetail:
    station, connectors = await services.stations.get(station_id)
    evses: dict[int, list[ConnectorPublic]] = defaultdict(list)
    for c in connectors:
        evses[c.evse_id].append(ConnectorPublic.model_validate(c))
    detail = StationDetail.model_validate(station)
    return detail.model_copy(
        update={
            "online": services.gateway.is_online(station_id),
            "evses": [EvsePublic(evse_id=e, connectors=cs) for e, cs in sorted(evses.items())],
        }
    )


@router.patch("/{station_id}")
async def update_station(
    station_id: str, body: StationUpdate, services: ServicesDep, _: Operator
) -> StationPublic:
    """Change a station's password, approve (Accepted) / reject a Pending station, or place it on the map
    (``latitude`` and ``longitude`` together; both null takes it off)."""
    given = body.model_fields_set
    location = (body.latitude, body.longitude) if given & {"latitude", "longitude"} else None
    station = await services.stations.update(
        station_id, password=body.password, status=body.registration_status, location=location
    )
    return _public(station, services.gateway.is_online(station_id))


@router.get("/{station_id}/status-history")
async def status_history(
    station_id: str,
    services: ServicesDep,
    _: Reader,
    limit: int = Query(50, ge=1, le=1000),
    offset: Offset = 0,
) -> Paged[StatusEventPublic]:
    rows, total = await services.stations.status_history(station_id, Page(limit, offset))
    return Paged(
        items=[StatusEventPublic.model_validate(r) for r in rows], total=total, limit=limit, offset=offset
    )


@router.get("/{station_id}/messages")
async def station_messages(
    station_id: str, services: ServicesDep, _: Reader, action: str | None = None
) -> list[StationMessagePublic]:
    """Messages kept for operators: NotifyEvent, NotifyReport, security events, firmware and log status..."""
    rows = await services.stations.messages(station_id, action)
    return [StationMessagePublic.model_validate(r) for r in rows]
