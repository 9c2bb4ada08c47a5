"""Operator commands to stations (REST -> OCPP), typed or raw."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body
from pydantic import AwareDatetime, BaseModel, Field

from csms.api.deps import DB_INT_MAX, Operator, ServicesDep
from csms.domain.commands import COMMANDS

router = APIRouter(prefix="/api/v1/stations/{station_id}", tags=["commands"])

CommandName = Literal[COMMANDS]  # type: ignore[valid-type]


class CommandBody(BaseModel):
    """Parameters of a command; each command reads the ones it needs and names any that are missing."""

    evse_id: int | None = Field(default=None, ge=0, le=DB_INT_MAX)
    connector_id: int | None = Field(default=None, ge=1, le=DB_INT_MAX)
    id_token: str | None = Field(default=None, max_length=36)
    id_token_type: str | None = None
    transaction_id: int | None = Field(
        default=None, ge=1, le=DB_INT_MAX, description="the CSMS's transaction id"
    )
    type: Literal["soft", "hard"] | None = None
    operative: bool | None = None
    keys: list[str] | None = None
    key: str | None = None
    value: str | None = None
    variables: list[dict[str, Any]] | None = Field(
        default=None, description="2.0.1 get/setVariableData, camelCase"
    )
    report_base: str | None = None
    requested_message: str | None = None
    vendor_id: str | None = None
    message_id: str | None = None
    data: str | None = None
    # security and certificates (issue 13): camelCase wire values where the spec has an enum or a structure
    certificate: str | None = Field(default=None, max_length=5500, description="PEM certificate to install")
    certificate_type: str | None = Field(
        default=None, max_length=50,
        description="e.g. CSMSRootCertificate (1.6: CentralSystemRootCertificate)",
    )
    certificate_types: list[str] | None = Field(default=None, max_length=5)
    certificate_hash_data: dict[str, str] | None = Field(
        default=None,
        description="hashAlgorithm, issuerNameHash, issuerKeyHash, serialNumber (DeleteCertificate)",
    )
    location: str | None = Field(default=None, max_length=512, description="GetLog / firmware URL")
    log_type: Literal["DiagnosticsLog", "SecurityLog"] | None = None
    oldest_timestamp: AwareDatetime | None = None
    latest_timestamp: AwareDatetime | None = None
    retries: int | None = Field(default=None, ge=0, le=DB_INT_MAX)
    retry_interval: int | None = Field(default=None, ge=0, le=DB_INT_MAX)
    retrieve_date_time: AwareDatetime | None = None
    install_date_time: AwareDatetime | None = None
    signing_certificate: str | None = Field(default=None, max_length=5500)
    signature: str | None = Field(default=None, max_length=800)
    # display messages (2.0.1 block O): set-display-message, get-display-messages, clear-display-message
    display_message_id: int | None = Field(
        default=None, ge=0, le=DB_INT_MAX, description="omitted on set-display-message: a new id is issued"
    )
    display_message_ids: list[Annotated[int, Field(ge=0, le=DB_INT_MAX)]] | None = Field(
        default=None, min_length=1, max_length=100, description="get-display-messages: these ids only"
    )
    priority: Literal["AlwaysFront", "InFront", "NormalCycle"] | None = None
    state: Literal["Charging", "Faulted", "Idle", "Unavailable"] | None = None
    start_date_time: AwareDatetime | None = None
    end_date_time: AwareDatetime | None = None
    message_content: str | None = Field(default=None, min_length=1, max_length=512)
    message_format: Literal["ASCII", "HTML", "URI", "UTF8"] | None = None
    message_language: str | None = Field(default=None, max_length=8)
    display: dict[str, Any] | None = Field(
        default=None, description="the display component, camelCase: {name, instance?, evse?}"
    )


class CommandResult(BaseModel):
    action: str
    response: dict[str, Any]


@router.post("/commands/{command}")
async def send_command(
    station_id: str, command: CommandName, services: ServicesDep, _: Operator, body: CommandBody | None = None
) -> CommandResult:
    params = (body or CommandBody()).model_dump(mode="json")
    action, response = await services.commands.send(station_id, command, params)
    return CommandResult(action=action, response=response)


@router.post("/calls/{action}")
async def raw_call(
    station_id: str, action: str, services: ServicesDep, _: Operator,
    payload: dict[str, Any] = Body(default_factory=dict),
) -> dict[str, Any]:
    """Send any OCPP action with its payload exactly as on the wire (camelCase JSON).

    200: the station's CALLRESULT payload. 502: the station's CALLERROR as ``{code, description, details}``.
    409: the station is not connected. 504: no answer in time. 422: the payload fails the action's schema.
    """
    return await services.commands.call(station_id, action, payload)
