"""Administrators: API tokens and their roles (create: the secret is shown once; revoke), station
registration with a generated password (shown once), and the settings that are safe to show."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from csms.config import Settings
from csms.console.auth import actor, reader, services_of
from csms.console.nav import ADMINS
from csms.console.render import render
from csms.domain.access import Principal, Role
from csms.errors import Conflict, InvalidInput, NotFound
from csms.services.station_security import new_password

router = APIRouter(prefix="/console", include_in_schema=False)

Reader = Annotated[Principal, Depends(reader(ADMINS))]
Actor = Annotated[Principal, Depends(actor(ADMINS))]

ROLES = tuple(role.value for role in Role)
REGISTRATION_STATUSES = ("Accepted", "Pending")
STATION_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,48}$")
"""As the REST route's ``StationCreate.id`` (csms/api/schemas.py)."""
NO_STORE = {"Cache-Control": "no-store"}
"""Pages that show a secret once: never kept by the browser's cache."""

SHOWN = (
    "node_id",
    "api_host",
    "api_port",
    "ocpp_host",
    "ocpp_port",
    "ocpp_tls_port",
    "ocpp_tls_require_client_cert",
    "ocpp_max_message_bytes",
    "ocpp_response_timeout_s",
    "ocpp_open_timeout_s",
    "ocpp_ping_interval_s",
    "heartbeat_interval_s",
    "pending_retry_interval_s",
    "unknown_station_policy",
    "handshake_failures_allowed",
    "handshake_backoff_base_s",
    "handshake_backoff_max_s",
    "handshake_hash_concurrency",
    "station_messages_max_count",
    "station_messages_max_bytes",
    "station_cert_validity_days",
    "ocsp_station_responders",
    "ocsp_timeout_s",
    "cost_update_interval_s",
    "energy_manager_enabled",
    "energy_period_s",
    "energy_control_period_s",
    "energy_margin_pct",
    "energy_margin_w",
    "carbon_credit_per_kg_co2",
    "openadr_ven_name",
    "openadr_report_sampling_s",
    "log_level",
)
"""Settings shown with their value: none holds a password, key, secret or an address with credentials."""
CONFIGURED = (
    "console_secret",
    "redis_url",
    "openadr_vtn_url",
    "ocpp_tls_cert_file",
    "ocpp_tls_client_ca_file",
    "station_ca_cert_file",
    "ocsp_responder_url",
    "contract_certificate_provider_url",
    "openadr_cert_file",
)
"""Settings shown only as set or not set: secrets, and URLs or paths that may carry credentials."""


def safe_settings(settings: Settings) -> list[tuple[str, Any, bool]]:
    """``(name, value, only_whether_set)`` rows for the settings page; the database shows its kind only."""
    rows: list[tuple[str, Any, bool]] = [
        ("database", settings.database_url.split(":", 1)[0].split("+")[0], False)
    ]
    rows += [(name, getattr(settings, name), False) for name in SHOWN]
    rows += [(name, bool(getattr(settings, name)), True) for name in CONFIGURED]
    return rows


async def _page(request: Request, **context: Any) -> Response:
    tokens = await services_of(request).api_tokens.list()
    settings: Settings = request.app.state.runtime.settings
    status = context.pop("status", 200)
    headers = context.pop("headers", None)
    response = render(
        request,
        "admin/index.html",
        {
            "tokens": tokens,
            "roles": ROLES,
            "statuses": REGISTRATION_STATUSES,
            "settings": safe_settings(settings),
            **context,
        },
        status,
    )
    if headers:
        response.headers.update(headers)
    return response


@router.get("/admin")
async def admin(request: Request, _: Reader) -> Response:
    return await _page(request)


@router.post("/admin/tokens")
async def create_token(
    request: Request,
    _: Actor,
    role: Annotated[str, Form(max_length=20)],
    name: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    try:
        token, secret = await services_of(request).api_tokens.create(role, name.strip())
    except InvalidInput:
        return await _page(request, token_error=("Unknown role.", {}), status=422)
    return await _page(request, new_token=(token, secret), headers=NO_STORE)


@router.post("/admin/tokens/{token_id}/revoke")
async def revoke_token(request: Request, user: Actor, token_id: int) -> Response:
    if token_id == user.token_id:
        return await _page(
            request, token_error=("You cannot revoke the token you are signed in with.", {}), status=409
        )
    try:
        await services_of(request).api_tokens.revoke(token_id)
    except NotFound:
        return await _page(request, token_error=("No such token.", {}), status=404)
    return RedirectResponse("/console/admin#tokens", status_code=303)


@router.post("/admin/stations")
async def register_station(
    request: Request,
    _: Actor,
    station_id: Annotated[str, Form(max_length=100)],
    registration_status: Annotated[str, Form(max_length=20)] = "Accepted",
    with_password: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    station_id = station_id.strip()
    if not STATION_ID.match(station_id):
        error = ("A station id is 1 to 48 letters, digits or . _ : -", {})
        return await _page(request, station_error=error, station_form=station_id, status=422)
    if registration_status not in REGISTRATION_STATUSES:
        return await _page(request, station_error=("Unknown registration status.", {}), status=422)
    password = new_password() if with_password else None
    try:
        station = await services_of(request).stations.register(
            station_id, password, status=registration_status
        )
    except Conflict:
        error = ("Station {id} is already registered.", {"id": station_id})
        return await _page(request, station_error=error, station_form=station_id, status=409)
    return await _page(request, new_station=(station, password), headers=NO_STORE)
