"""Sites (光储充): CRUD with stations and tariff, telemetry in and out, the current allocation."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Body, Query, Response
from fastapi.exceptions import RequestValidationError
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from csms.api.deps import Operator, Reader, ServicesDep, SiteReader
from csms.domain.energy import Allocation, CurrentType, Member, PriorityClass, TelemetrySample
from csms.errors import Unavailable
from csms.services import Services
from csms.services.energy_manager import EnergyManager

router = APIRouter(prefix="/api/v1/sites", tags=["sites"])

SiteId = Field(min_length=1, max_length=48, pattern=r"^[A-Za-z0-9._:\-]+$")


class StationElectrical(BaseModel):
    """A station's electrical data on its site (the body of ``PUT /sites/{id}/stations/{station_id}``)."""

    model_config = ConfigDict(allow_inf_nan=False)

    current_type: Literal["AC", "DC"] = "AC"
    phases: int = Field(default=3, ge=1, le=3)
    max_power_w: float = Field(default=22_000.0, gt=0)
    min_power_w: float | None = Field(default=None, ge=0)
    """Lowest power a session charges at; omitted: 6 A per phase for AC, 0 W for DC."""
    priority: Literal["public_service", "fleet", "standard"] = "standard"

    def member(self, station_id: str) -> Member:
        return Member(
            station_id,
            CurrentType(self.current_type),
            self.phases,
            self.max_power_w,
            self.min_power_w,
            PriorityClass(self.priority),
        )


class SiteStationIn(StationElectrical):
    station_id: str = Field(min_length=1, max_length=48)


class SiteUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    name: str | None = Field(default=None, max_length=100)
    area: str | None = Field(default=None, max_length=100)
    grid_limit_kw: float | None = Field(default=None, ge=0)
    transformer_limit_kw: float | None = Field(default=None, ge=0)
    pv_kwp: float | None = Field(default=None, ge=0)
    battery_capacity_kwh: float | None = Field(default=None, ge=0)
    battery_power_kw: float | None = Field(default=None, ge=0)
    battery_soc_min_pct: float | None = Field(default=None, ge=0, le=100)
    battery_soc_max_pct: float | None = Field(default=None, ge=0, le=100)
    base_load_kw: float | None = Field(default=None, ge=0)
    """Declared maximum building load [kW]."""
    voltage_v: float | None = Field(default=None, gt=0)
    tariff: dict[str, Any] | None = None
    """A time-of-use tariff in the shape of csms/domain/data/tariff_hunan.json; omitted: the Hunan default."""


class SiteCreate(SiteUpdate):
    id: str = SiteId
    grid_limit_kw: float = Field(ge=0)  # type: ignore[assignment]
    stations: list[SiteStationIn] = []


class SiteStationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    station_id: str
    current_type: str
    phases: int
    max_power_w: float
    min_power_w: float | None
    priority: str
    online: bool = False


class SitePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    name: str
    area: str | None
    grid_limit_kw: float
    transformer_limit_kw: float | None
    pv_kwp: float
    battery_capacity_kwh: float
    battery_power_kw: float
    battery_soc_min_pct: float
    battery_soc_max_pct: float
    base_load_kw: float
    voltage_v: float
    tariff: dict[str, Any] | None
    tariff_name: str = ""
    stations: list[SiteStationPublic] = []
    created_at: datetime
    updated_at: datetime


class TelemetryIn(BaseModel):
    """What a site controller (or the simulator's site mode) sends: finite numbers, no other field; a
    timestamp further in the future than ``CSMS_ENERGY_TELEMETRY_MAX_FUTURE_S`` is refused by the service."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    timestamp: AwareDatetime
    pv_power_w: float = Field(ge=0)
    base_load_w: float = Field(ge=0)
    battery_power_w: float = 0.0
    """> 0 discharging, < 0 charging [W]."""
    battery_soc_pct: float | None = Field(default=None, ge=0, le=100)
    grid_import_w: float | None = None
    """Site meter [W]: > 0 import, < 0 export."""

    def sample(self) -> TelemetrySample:
        return TelemetrySample(
            self.timestamp,
            self.pv_power_w,
            self.base_load_w,
            self.battery_power_w,
            self.battery_soc_pct,
            self.grid_import_w,
        )


class BatteryCommandPublic(BaseModel):
    """The site's control port: hold the battery at ``setpoint_w`` (> 0 discharge, < 0 charge [W]) until
    ``valid_until``, within ``soc_min_pct``..``soc_max_pct``; after that (or when ``null``) run it locally."""

    site_id: str
    setpoint_w: float
    issued_at: datetime
    valid_until: datetime
    soc_min_pct: float
    soc_max_pct: float
    reason: str
    import_limit_w: float | None = None
    """The limit in force [W]: the site may charge less or discharge more than the set-point (within its
    battery's limits) when its meter would otherwise read more than this between two commands."""


class TelemetryAnswer(BaseModel):
    accepted: int
    battery_command: BatteryCommandPublic | None = None


class TelemetryPublic(TelemetryIn):
    model_config = ConfigDict(from_attributes=True, allow_inf_nan=True)  # reads what is stored, as stored
    timestamp: datetime  # type: ignore[assignment]
    received_at: datetime


class SentProfilePublic(BaseModel):
    """A charging profile a station answered (``status``), with its limit on the wire and in W."""

    model_config = ConfigDict(from_attributes=True)
    station_id: str
    evse_id: int
    purpose: str
    profile_id: int
    transaction_ref: str | None
    limit_w: float
    limit_value: float
    rate_unit: str
    status: str
    sent_at: datetime


class ReasonPublic(BaseModel):
    code: str
    en: str
    zh: str


class SessionLimitPublic(BaseModel):
    session_id: str
    station_id: str
    evse_id: int
    current_type: str
    phases: int
    limit_w: float
    limit_a: float | None
    min_power_w: float
    max_power_w: float
    status: str
    reasons: list[ReasonPublic]


class AllocationPublic(BaseModel):
    """The site's latest allocation cycle (W; battery > 0 discharging; grid import < 0 exporting)."""

    site_id: str
    computed_at: datetime
    tariff_period: str
    import_limit_w: float
    binding_limit: str
    dr_event_id: str | None
    base_load_w: float
    pv_power_w: float
    battery_discharge_max_w: float
    battery_charge_max_w: float
    available_for_charging_w: float
    charging_total_w: float
    battery_setpoint_w: float
    grid_import_w: float
    sessions: list[SessionLimitPublic]
    reasons: list[ReasonPublic]
    planned_limit_w: float | None = None
    """The import the plan aimed at: the limit less the safety margin and the metered correction [W]."""

    @classmethod
    def of(cls, a: Allocation) -> AllocationPublic:
        from dataclasses import asdict

        return cls.model_validate(asdict(a))


def _public(services: Services, site: Any, members: Any) -> SitePublic:
    out = SitePublic.model_validate(site)
    stations = [
        SiteStationPublic.model_validate(m).model_copy(
            update={"online": services.gateway.is_online(m.station_id)}
        )
        for m in members
    ]
    return out.model_copy(
        update={"stations": stations, "tariff_name": services.sites.tariff_of(site).name}
    )


def _manager(services: Services) -> EnergyManager:
    manager = services.energy
    if manager is None:
        raise Unavailable("the energy manager is not running")
    return manager


@router.post("", status_code=201)
async def create_site(body: SiteCreate, services: ServicesDep, _: Operator) -> SitePublic:
    fields = body.model_dump(exclude={"id", "stations"}, exclude_unset=True)
    fields["grid_limit_kw"] = body.grid_limit_kw
    await services.sites.create(body.id, fields, [s.member(s.station_id) for s in body.stations])
    site, members = await services.sites.get(body.id)
    return _public(services, site, members)


@router.get("")
async def list_sites(services: ServicesDep, _: SiteReader, area: str | None = None) -> list[SitePublic]:
    return [_public(services, s, m) for s, m in await services.sites.list(area)]


@router.get("/{site_id}")
async def get_site(site_id: str, services: ServicesDep, _: SiteReader) -> SitePublic:
    return _public(services, *await services.sites.get(site_id))


@router.patch("/{site_id}")
async def update_site(site_id: str, body: SiteUpdate, services: ServicesDep, _: Operator) -> SitePublic:
    await services.sites.update(site_id, body.model_dump(exclude_unset=True))
    return _public(services, *await services.sites.get(site_id))


@router.delete("/{site_id}", status_code=204)
async def delete_site(site_id: str, services: ServicesDep, _: Operator) -> Response:
    await services.sites.delete(site_id)
    return Response(status_code=204)


@router.put("/{site_id}/stations/{station_id}")
async def put_station(
    site_id: str, station_id: str, body: StationElectrical, services: ServicesDep, _: Operator
) -> SiteStationPublic:
    row = await services.sites.put_station(site_id, body.member(station_id))
    return SiteStationPublic.model_validate(row).model_copy(
        update={"online": services.gateway.is_online(station_id)}
    )


@router.delete("/{site_id}/stations/{station_id}", status_code=204)
async def remove_station(site_id: str, station_id: str, services: ServicesDep, _: Operator) -> Response:
    await services.sites.remove_station(site_id, station_id)
    return Response(status_code=204)


@router.post("/{site_id}/telemetry", status_code=202)
async def post_telemetry(
    site_id: str,
    services: ServicesDep,
    _: Operator,
    body: Any = Body(...),
) -> TelemetryAnswer:
    """One sample (an object) or several (a list). Bad samples fail the request, naming index and field."""
    items = body if isinstance(body, list) else [body]
    samples, errors = [], []
    for i, item in enumerate(items):
        try:
            samples.append(TelemetryIn.model_validate(item).sample())
        except ValidationError as exc:
            prefix: tuple = ("body", i) if isinstance(body, list) else ("body",)
            errors += [{**e, "loc": (*prefix, *e["loc"])} for e in exc.errors(include_url=False)]
    if errors:
        raise RequestValidationError(errors)
    accepted = await services.sites.ingest(site_id, samples)
    return TelemetryAnswer(accepted=accepted, battery_command=_battery_command(services, site_id))


@router.get("/{site_id}/battery-command")
async def get_battery_command(
    site_id: str, services: ServicesDep, _: Operator
) -> BatteryCommandPublic | None:
    """The site's control port for a controller that polls: the battery set-point in force (``null``: none,
    run the battery locally). The same as the ``battery_command`` of every telemetry answer."""
    await services.sites.get(site_id)  # 404 for an unknown site
    return _battery_command(services, site_id)


def _battery_command(services: Services, site_id: str) -> BatteryCommandPublic | None:
    command = services.energy.battery_command(site_id) if services.energy is not None else None
    return None if command is None else BatteryCommandPublic.model_validate(command, from_attributes=True)


@router.get("/{site_id}/telemetry")
async def get_telemetry(
    site_id: str,
    services: ServicesDep,
    _: SiteReader,
    since: AwareDatetime | None = Query(None, alias="from"),
    until: AwareDatetime | None = Query(None, alias="to"),
    limit: int = Query(1000, ge=1, le=100_000),
) -> list[TelemetryPublic]:
    rows = await services.sites.telemetry(site_id, since, until, limit)
    return [TelemetryPublic.model_validate(r) for r in rows]


@router.get("/{site_id}/allocation")
async def get_allocation(site_id: str, services: ServicesDep, _: Reader) -> AllocationPublic:
    """The latest allocation cycle of the site (planned now, nothing sent, if it had none yet)."""
    await services.sites.get(site_id)  # 404 for an unknown site
    return AllocationPublic.of(await _manager(services).allocation(site_id))


@router.get("/{site_id}/charging-profiles")
async def sent_profiles(site_id: str, services: ServicesDep, _: Reader) -> list[SentProfilePublic]:
    """What each station of the site was last told (TxProfile per EVSE, default and maximum on EVSE 0)."""
    return [SentProfilePublic.model_validate(r) for r in await services.sites.sent_profiles(site_id)]
