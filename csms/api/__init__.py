"""The REST edge: FastAPI routers, one per resource; domain errors become HTTP statuses here."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from csms.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PayloadInvalid,
    StationCallError,
    StationNotConnected,
    StationTimeout,
    Unavailable,
)

# A handler serves its class and every subclass: the pure domain's input errors (AllocationInputError,
# TariffError, DemandResponseError, CarbonInputError) are InvalidInput and answer 422.
_STATUS = {
    NotFound: 404, Conflict: 409, StationNotConnected: 409, InvalidInput: 422, Unavailable: 503,
    StationTimeout: 504,
}


def install_routes(app: FastAPI) -> None:
    from csms.api.routes import (
        carbon,
        commands,
        compliance,
        demand_response,
        health,
        id_tokens,
        sites,
        siting,
        stations,
        transactions,
    )

    routers = (
        health, stations, id_tokens, transactions, commands, sites, demand_response, carbon, compliance,
        siting,
    )
    for module in routers:
        app.include_router(module.router)

    for exc_type, status in _STATUS.items():

        async def handler(_: Request, exc: Exception, status: int = status) -> JSONResponse:
            body: dict = {"detail": str(exc)}
            if isinstance(exc, InvalidInput) and exc.field:
                body["field"] = exc.field
            return JSONResponse(status_code=status, content=body)

        app.add_exception_handler(exc_type, handler)

    async def station_error(_: Request, exc: StationCallError) -> JSONResponse:
        return JSONResponse(
            status_code=502,
            content={"code": exc.code, "description": exc.description, "details": exc.details},
        )

    async def payload_invalid(_: Request, exc: PayloadInvalid) -> JSONResponse:
        return JSONResponse(
            status_code=422, content={"detail": str(exc), "code": exc.code, "path": exc.path}
        )

    app.add_exception_handler(StationCallError, station_error)  # type: ignore[arg-type]
    app.add_exception_handler(PayloadInvalid, payload_invalid)  # type: ignore[arg-type]
