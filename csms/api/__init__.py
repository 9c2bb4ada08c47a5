"""The REST edge: FastAPI routers, one per resource; domain errors become HTTP statuses here."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from csms.errors import (
    Conflict,
    CsmsError,
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
# A bare CsmsError (or a new subclass nobody mapped yet) is still a deliberate refusal, never a 500.
_STATUS = {
    CsmsError: 400, NotFound: 404, Conflict: 409, StationNotConnected: 409, InvalidInput: 422,
    Unavailable: 503, StationTimeout: 504,
}

# A 422 names where and why; it never echoes the input back (a 20 MB body once came back whole).
MAX_ERRORS = 20
MAX_TEXT = 120
"""Longest message, location part or echoed input value [characters]."""


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return value[:MAX_TEXT] + "…"
    return value


def validation_errors(errors: Sequence[Any]) -> dict[str, Any]:
    """The body of a 422: at most ``MAX_ERRORS`` errors, each ``{type, loc, msg}``, and ``input`` only when it
    is a short scalar."""
    out = []
    for e in errors[:MAX_ERRORS]:
        item = {
            "type": e.get("type"),
            "loc": [_short(part) if isinstance(part, str) else part for part in e.get("loc", ())],
            "msg": _short(str(e.get("msg", ""))),
        }
        value = e.get("input")
        if (
            isinstance(value, bool)
            or (isinstance(value, int) and abs(value) < 2**63)
            or (isinstance(value, float) and math.isfinite(value))
            or (isinstance(value, str) and len(value) <= MAX_TEXT)
        ):
            item["input"] = value
        out.append(item)
    return {"detail": out, "errors_total": len(errors)}


def install_routes(app: FastAPI) -> None:
    from csms.api.routes import (
        carbon,
        commands,
        compliance,
        demand_response,
        firmware,
        health,
        id_tokens,
        reservations,
        security,
        sites,
        siting,
        smart_charging,
        stations,
        tariffs,
        transactions,
    )

    routers = (
        health, stations, id_tokens, transactions, commands, sites, demand_response, carbon, compliance,
        siting, smart_charging, reservations, firmware, security, tariffs,
    )
    for module in routers:
        app.include_router(module.router)
    # issue 17: measured flexibility, EV needs, carbon records
    from csms.api.routes import energy_records, flexibility

    app.include_router(flexibility.router)
    app.include_router(energy_records.router)
    app.include_router(__import__("csms.api.routes.monitoring", fromlist=["router"]).router)  # block N
    from csms.api.routes import display_messages  # issue 13: OCPP 2.0.1 block O

    app.include_router(display_messages.router)
    from csms.api.routes import local_list  # issue 13: OCPP 2.0.1 block D, 1.6 LocalAuthListManagement

    app.include_router(local_list.router)

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
        return JSONResponse(status_code=422, content=validation_errors(exc.errors()))

    app.add_exception_handler(RequestValidationError, invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(StationCallError, station_error)  # type: ignore[arg-type]
    app.add_exception_handler(PayloadInvalid, payload_invalid)  # type: ignore[arg-type]
