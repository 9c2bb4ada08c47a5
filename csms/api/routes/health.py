from __future__ import annotations

from fastapi import APIRouter

from csms.api.deps import RuntimeDep

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(runtime: RuntimeDep) -> dict[str, object]:
    """Liveness, without authentication: the OCPP port and how many stations are connected."""
    return {
        "status": "ok", "ocpp_port": runtime.ocpp.port, "stations_online": len(runtime.registry.online_ids())
    }
