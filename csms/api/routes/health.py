from __future__ import annotations

from fastapi import APIRouter, Request

from csms.api.deps import ServicesDep

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(request: Request, services: ServicesDep) -> dict[str, object]:
    """Liveness, without authentication: the OCPP port and how many stations are connected."""
    return {
        "status": "ok", "ocpp_port": request.app.state.ocpp_port,
        "stations_online": len(services.gateway.online_ids()),
    }
