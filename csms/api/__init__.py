"""The REST edge: FastAPI routers, one per resource; domain errors become HTTP statuses here."""

from __future__ import annotations

import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
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


def _json_safe(value: Any) -> Any:  # noqa: ANN401 - any part of a validation error
    """``value`` with non-finite floats spelled as strings: a 422 that echoes ``NaN`` must not become a 500
    (JSON has no NaN, and the response encoder refuses it)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


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

    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own answer, except that the echoed input may hold NaN or infinity.
        return JSONResponse(status_code=422, content={"detail": _json_safe(jsonable_encoder(exc.errors()))})

    app.add_exception_handler(RequestValidationError, invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(StationCallError, station_error)  # type: ignore[arg-type]
    app.add_exception_handler(PayloadInvalid, payload_invalid)  # type: ignore[arg-type]
