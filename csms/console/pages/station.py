"""A station's page: its EVSEs and connectors live, sessions, status history, messages, configuration,
security; and, for operators, its commands (each confirmed first) with the station's answer.

Commands go through ``services.commands`` and ``services.security`` exactly as the REST routes
``csms/api/routes/commands.py`` and ``security.py`` send them."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError

from csms.console.auth import actor, reader, services_of
from csms.console.nav import OPERATORS, STATION_READERS, may
from csms.console.pages.listing import pager
from csms.console.render import error_page, render
from csms.domain.access import Principal
from csms.domain.paging import Page
from csms.errors import (
    CsmsError,
    InvalidInput,
    NotFound,
    PayloadInvalid,
    StationCallError,
    StationNotConnected,
    StationTimeout,
)

router = APIRouter(prefix="/console", include_in_schema=False)
Reader = Annotated[Principal, Depends(reader(STATION_READERS))]
Operator = Annotated[Principal, Depends(actor(OPERATORS))]

DB_INT_MAX = 2**31 - 1
HISTORY_SIZE = 20
TRIGGERS = (
    "BootNotification", "Heartbeat", "StatusNotification", "MeterValues", "FirmwareStatusNotification",
    "DiagnosticsStatusNotification", "LogStatusNotification", "SignCertificate", "TransactionEvent",
)
CONSOLE_COMMANDS = ("remote-start", "remote-stop", "reset", "unlock-connector", "change-availability",
                    "trigger-message", "get-configuration", "get-base-report")
"""The commands the station page offers (the REST API has them all)."""
COMMAND_LABELS = {
    "remote-stop": "Remote stop", "remote-start": "Remote start", "reset": "Reset",
    "unlock-connector": "Unlock connector", "change-availability": "Availability",
    "trigger-message": "Trigger a message", "get-configuration": "Configuration (GetConfiguration)",
    "get-base-report": "Configuration report (GetBaseReport)", "rotate-password": "Password rotation",
}


class CommandForm(BaseModel):
    """A command form's fields, with the REST API's bounds (``csms.api.routes.commands.CommandBody``)."""

    evse_id: int | None = Field(default=None, ge=0, le=DB_INT_MAX)
    connector_id: int | None = Field(default=None, ge=1, le=DB_INT_MAX)
    id_token: str | None = Field(default=None, max_length=36)
    transaction_id: int | None = Field(default=None, ge=1, le=DB_INT_MAX)
    type: Literal["soft", "hard"] | None = None
    operative: bool | None = None
    requested_message: Literal[TRIGGERS] | None = None  # type: ignore[valid-type]
    report_base: Literal["ConfigurationInventory", "FullInventory", "SummaryInventory"] | None = None


def _failure(exc: CsmsError) -> tuple[str, dict[str, Any]]:
    """Why a command did not get an answer, as a message id and its fields."""
    if isinstance(exc, StationNotConnected):
        return "The station is not connected.", {}
    if isinstance(exc, StationTimeout):
        return "The station did not answer in time.", {}
    if isinstance(exc, StationCallError):
        return "The station refused: {code} {description}", {"code": exc.code, "description": exc.description}
    if isinstance(exc, PayloadInvalid | InvalidInput | NotFound):
        return "Not sent: {reason}", {"reason": str(exc)}
    return "Not sent: {reason}", {"reason": type(exc).__name__}


def _report_rows(messages: list[Any]) -> list[tuple[str, str, str]]:
    """(component, variable, value) of the variables the station reported (2.0.1 NotifyReport), latest
    report first seen wins."""
    rows: dict[tuple[str, str], str] = {}
    for message in reversed(messages):
        for item in message.payload.get("reportData") or ():
            component = item.get("component", {})
            variable = item.get("variable", {})
            evse = f" #{component['evse'].get('id')}" if component.get("evse") else ""
            instance = f".{variable['instance']}" if variable.get("instance") else ""
            key = (component.get("name", "") + evse, variable.get("name", "") + instance)
            attrs = item.get("variableAttribute") or [{}]
            rows.setdefault(key, str(attrs[0].get("value", "")))
    return [(c, v, value) for (c, v), value in sorted(rows.items())][:500]


async def _page(request: Request, station_id: str, history_page: int = 1, **extra: Any) -> Response:
    services = services_of(request)
    try:
        station, connectors = await services.stations.get(station_id)
    except NotFound:
        return error_page(request, 404, "Not found")
    history, history_total = await services.stations.status_history(
        station_id, Page(HISTORY_SIZE, (history_page - 1) * HISTORY_SIZE)
    )
    sessions, _total = await services.transactions.search(Page(10, 0), station_id=station_id)
    messages = await services.stations.messages(station_id, latest=20)
    reports = await services.stations.messages(station_id, "NotifyReport", latest=50)
    security = await services.security.state(station_id)
    user = request.state.console_user
    context = {
        "station": station, "station_id": station_id, "online": services.gateway.is_online(station_id),
        "connectors": connectors,
        "history": history, "sessions": sessions,
        "messages": list(reversed(messages)), "config_rows": _report_rows(list(reports)),
        "security": security, "may_command": may(user.role, OPERATORS),
        "triggers": TRIGGERS, "command_labels": COMMAND_LABELS,
        "v16": (station.ocpp_version or "").startswith("1."),
        **pager(f"/console/stations/{quote(station_id)}", {}, history_page, history_total, HISTORY_SIZE),
        "path": f"/console/stations/{quote(station_id)}",  # after a command too: the language switch's target
        **extra,
    }
    return render(request, "stations/detail.html", context)


@router.get("/stations/{station_id}")
async def station_page(
    request: Request, station_id: str, _: Reader, page: Annotated[int, Query(ge=1, le=100_000)] = 1
) -> Response:
    """``page``: the page of the status history."""
    return await _page(request, station_id, page)


@router.get("/stations/{station_id}/sessions")
async def station_sessions(request: Request, station_id: str, _: Reader) -> Response:
    """The station's recent sessions alone: the page asks again when one starts or ends."""
    services = services_of(request)
    sessions, _total = await services.transactions.search(Page(10, 0), station_id=station_id)
    may_command = may(request.state.console_user.role, OPERATORS)
    context = {"sessions": sessions, "station_id": station_id, "may_command": may_command}
    return render(request, "stations/_sessions.html", context)


@router.post("/stations/{station_id}/commands/{command}")
async def send_command(request: Request, station_id: str, command: str, _: Operator) -> Response:
    """Send a command (confirmed in the browser first) and show the station's answer on its page."""
    if command not in CONSOLE_COMMANDS:
        return error_page(request, 404, "Not found")
    form = await request.form()
    fields = {k: v for k, v in form.items() if k != "csrf" and isinstance(v, str) and v.strip() != ""}
    try:
        params = CommandForm.model_validate(fields).model_dump()
    except ValidationError as exc:
        problem = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        failure = ("Not sent: {reason}", {"reason": problem})
        return await _page(request, station_id, command=command, failure=failure)
    try:
        action, answer = await services_of(request).commands.send(station_id, command, params)
    except CsmsError as exc:
        return await _page(request, station_id, command=command, failure=_failure(exc))
    return await _page(request, station_id, command=command, calls=[(action, answer)])


@router.post("/stations/{station_id}/rotate-password")
async def rotate_password(request: Request, station_id: str, _: Operator) -> Response:
    """A01 / 1.6 TC_073 as ``POST /api/v1/stations/{id}/security/rotate-password``: a new random password is
    sent (never shown), in force once the station connects with it."""
    try:
        outcome = await services_of(request).security.rotate_password(station_id)
    except CsmsError as exc:
        return await _page(request, station_id, command="rotate-password", failure=_failure(exc))
    return await _page(request, station_id, command="rotate-password", calls=outcome.calls,
                       accepted=outcome.accepted)


@router.post("/stations/{station_id}/location")
async def set_location(request: Request, station_id: str, _: Operator) -> Response:
    form = await request.form()
    values = [str(form.get(name, "")).strip() for name in ("latitude", "longitude")]
    try:
        location = (None, None) if values == ["", ""] else (float(values[0]), float(values[1]))
        await services_of(request).stations.update(station_id, location=location)
    except ValueError:
        failure = ("Not saved: {reason}", {"reason": "latitude and longitude are decimal degrees"})
        return await _page(request, station_id, location_failure=failure)
    except (InvalidInput, NotFound) as exc:
        failure = ("Not saved: {reason}", {"reason": str(exc)})
        return await _page(request, station_id, location_failure=failure)
    return RedirectResponse(f"/console/stations/{quote(station_id)}", status_code=303)
