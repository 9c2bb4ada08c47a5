"""Request and response bodies of the REST API (separate Create / Update / Public shapes)."""

from __future__ import annotations

from datetime import datetime
from typing import Generic, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

T = TypeVar("T")

RegistrationStatus = Literal["Accepted", "Pending", "Rejected"]
TokenStatusName = Literal["Accepted", "Blocked", "Expired", "Invalid"]


class Paged(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class StationCreate(BaseModel):
    id: str = Field(min_length=1, max_length=48, pattern=r"^[A-Za-z0-9._:\-]+$")
    password: str | None = Field(default=None, min_length=8, max_length=40)
    """Basic-auth password (OCPP security profile 1). Omitted: the station connects without one
    (profile 0)."""
    registration_status: RegistrationStatus = "Accepted"


class StationUpdate(BaseModel):
    password: str | None = Field(default=None, min_length=8, max_length=40)
    registration_status: RegistrationStatus | None = None
    latitude: float | None = Field(
        default=None, ge=-90, le=90, description="WGS-84 degrees north; null with longitude: off the map"
    )
    longitude: float | None = Field(default=None, ge=-180, le=180, description="WGS-84 degrees east")


class ConnectorPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    connector_id: int
    status: str
    error_code: str | None
    updated_at: datetime


class EvsePublic(BaseModel):
    evse_id: int
    connectors: list[ConnectorPublic]


class StationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    registration_status: str
    ocpp_version: str | None
    vendor: str | None
    model: str | None
    serial_number: str | None
    firmware_version: str | None
    online: bool = False
    last_boot_at: datetime | None
    last_seen_at: datetime | None
    latitude: float | None = None
    longitude: float | None = None


class StationDetail(StationPublic):
    evses: list[EvsePublic] = []


class StatusEventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    evse_id: int
    connector_id: int
    status: str
    error_code: str | None
    info: str | None
    timestamp: datetime
    received_at: datetime


class StationMessagePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    action: str
    payload: dict
    received_at: datetime


class IdTokenCreate(BaseModel):
    id_token: str = Field(min_length=1, max_length=255)
    type: str = "ISO14443"
    status: TokenStatusName = "Accepted"
    expiry_date: AwareDatetime | None = None
    group_id_token: str | None = Field(default=None, max_length=255)


class IdTokenUpdate(BaseModel):
    status: TokenStatusName | None = None
    expiry_date: AwareDatetime | None = None
    group_id_token: str | None = Field(default=None, max_length=255)


class IdTokenPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id_token: str
    type: str
    status: str
    expiry_date: datetime | None
    group_id_token: str | None
    created_at: datetime
    updated_at: datetime


class MeterValuePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    timestamp: datetime
    measurand: str
    phase: str | None
    location: str | None
    context: str | None
    value: float
    unit: str


class TransactionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    uid: str | None
    station_id: str
    evse_id: int
    connector_id: int
    id_token: str | None
    status: str
    meter_start_wh: float | None
    meter_stop_wh: float | None
    energy_wh: float | None
    started_at: datetime
    stopped_at: datetime | None
    stop_reason: str | None
    offline: bool


class TransactionDetail(TransactionPublic):
    meter_values: list[MeterValuePublic] = []
