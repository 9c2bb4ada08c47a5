"""Tariffs (OCPP block I): CRUD and assignment to stations and sites; a station's tariff; a session's cost
and its TransactionEvent sync state; a station's own boot intervals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from csms.api.deps import Operator, Reader, RowId, ServicesDep
from csms.services.boot_intervals import BootIntervals
from csms.services.tariffs import TariffInput

router = APIRouter(tags=["tariffs"])

TargetId = Field(min_length=1, max_length=48)


class TariffBody(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False)
    name: str = Field(min_length=1, max_length=100)
    definition: dict[str, Any] = Field(
        description="A time-of-use tariff in the shape of csms/domain/data/tariff_hunan.json "
        "(prices_cny_per_kwh, rules, optional service_fee_cny_per_kwh, currency, utc_offset_hours)"
    )
    is_default: bool = False
    station_ids: list[str] = Field(default_factory=list, max_length=10_000)
    site_ids: list[str] = Field(default_factory=list, max_length=1_000)


class TariffPublic(BaseModel):
    id: int
    name: str
    definition: dict[str, Any]
    is_default: bool
    station_ids: list[str]
    site_ids: list[str]


class StationTariff(BaseModel):
    station_id: str
    tariff_id: int | None
    source: str = Field(
        description="station, site, default (the default tariff) or builtin (the shipped file)"
    )
    definition: dict[str, Any]


class CostPublic(BaseModel):
    transaction_id: int
    uid: str | None
    station_id: str
    tariff_id: int | None
    tariff_name: str
    currency: str
    total_cost: float
    energy_wh: float
    breakdown: dict[str, Any]
    final: bool
    computed_at: datetime
    cost_sent_at: datetime | None


class SyncPublic(BaseModel):
    transaction_id: int
    state: str = Field(description="complete, awaiting (the station has messages queued), gap, reconciled")
    missing_seq_nos: list[int]
    messages_in_queue: bool | None
    ongoing: bool | None
    asked_at: datetime | None
    answered_at: datetime | None
    reconciled_at: datetime | None


class PublishBody(BaseModel):
    total_cost_message: str | None = Field(
        default=None, min_length=1, max_length=1000,
        description="TotalCostFallbackMessage: shown when the station cannot get a session's cost (I05)",
    )


class PublishedPublic(BaseModel):
    station_id: str
    outcome: str = Field(description="Accepted, Rejected (see results), NotConnected or Failed (see error)")
    tariff_id: int | None
    results: list[dict[str, Any]] = Field(description="the station's setVariableResult")
    error: str | None


class BootIntervalsBody(BaseModel):
    pending_retry_interval_s: int | None = Field(default=None, ge=1, le=86_400)
    """Interval in a Pending (or Rejected) BootNotification answer; ``null``: the configured one."""
    heartbeat_interval_s: int | None = Field(default=None, ge=1, le=86_400)
    """Interval in an Accepted BootNotification answer; ``null``: the configured one."""


def _input(body: TariffBody) -> TariffInput:
    return TariffInput(body.name, body.definition, body.is_default, body.station_ids, body.site_ids)


@router.post("/api/v1/tariffs", status_code=201)
async def create_tariff(body: TariffBody, services: ServicesDep, _: Operator) -> TariffPublic:
    return TariffPublic.model_validate(await services.tariffs.create(_input(body)), from_attributes=True)


@router.get("/api/v1/tariffs")
async def list_tariffs(services: ServicesDep, _: Reader) -> list[TariffPublic]:
    return [TariffPublic.model_validate(t, from_attributes=True) for t in await services.tariffs.list()]


@router.get("/api/v1/tariffs/{tariff_id}")
async def get_tariff(tariff_id: RowId, services: ServicesDep, _: Reader) -> TariffPublic:
    return TariffPublic.model_validate(await services.tariffs.get(tariff_id), from_attributes=True)


@router.put("/api/v1/tariffs/{tariff_id}")
async def replace_tariff(
    tariff_id: RowId, body: TariffBody, services: ServicesDep, _: Operator
) -> TariffPublic:
    view = await services.tariffs.replace(tariff_id, _input(body))
    return TariffPublic.model_validate(view, from_attributes=True)


@router.delete("/api/v1/tariffs/{tariff_id}", status_code=204)
async def delete_tariff(tariff_id: RowId, services: ServicesDep, _: Operator) -> Response:
    await services.tariffs.delete(tariff_id)
    return Response(status_code=204)


@router.get("/api/v1/stations/{station_id}/tariff")
async def station_tariff(station_id: str, services: ServicesDep, _: Reader) -> StationTariff:
    await services.stations.get(station_id)  # 404 for a station nobody registered
    chosen = await services.tariffs.for_station(station_id)
    return StationTariff(
        station_id=station_id, tariff_id=chosen.tariff_id, source=chosen.source, definition=chosen.definition
    )


@router.post("/api/v1/tariffs/{tariff_id}/publish")
async def publish_tariff(
    tariff_id: RowId, services: ServicesDep, _: Operator, body: PublishBody | None = None
) -> list[PublishedPublic]:
    """Set the tariff's text as ``TariffFallbackMessage`` (I04), its currency and optionally
    ``TotalCostFallbackMessage`` (I05) on every connected 2.0.1 station charging under it."""
    message = (body or PublishBody()).total_cost_message
    done = await services.tariff_messages.publish_tariff(tariff_id, message)
    return [PublishedPublic.model_validate(p, from_attributes=True) for p in done]


@router.post("/api/v1/stations/{station_id}/tariff/publish")
async def publish_station_tariff(
    station_id: str, services: ServicesDep, _: Operator, body: PublishBody | None = None
) -> PublishedPublic:
    """The same for one station (409 when it is not connected, 422 for a 1.6 station)."""
    message = (body or PublishBody()).total_cost_message
    done = await services.tariff_messages.publish_station(station_id, message)
    return PublishedPublic.model_validate(done, from_attributes=True)


@router.get("/api/v1/transactions/{transaction_id}/cost")
async def transaction_cost(transaction_id: RowId, services: ServicesDep, _: Reader) -> CostPublic:
    """The session's cost: running while it is open, final once it has ended (both OCPP versions)."""
    return CostPublic.model_validate(await services.costs.of(transaction_id), from_attributes=True)


@router.get("/api/v1/transactions/{transaction_id}/sync")
async def transaction_sync(transaction_id: RowId, services: ServicesDep, _: Reader) -> SyncPublic:
    """Whether every TransactionEvent of a 2.0.1 session arrived (GetTransactionStatus answers, E14)."""
    return SyncPublic.model_validate(await services.transaction_sync.of(transaction_id), from_attributes=True)


@router.get("/api/v1/stations/{station_id}/boot-intervals")
async def get_boot_intervals(station_id: str, services: ServicesDep, _: Reader) -> BootIntervalsBody:
    own = await services.boot_intervals.of(station_id)
    return BootIntervalsBody(**own.__dict__)


@router.put("/api/v1/stations/{station_id}/boot-intervals")
async def set_boot_intervals(
    station_id: str, body: BootIntervalsBody, services: ServicesDep, _: Operator
) -> BootIntervalsBody:
    own = await services.boot_intervals.set(station_id, BootIntervals(**body.model_dump()))
    return BootIntervalsBody(**own.__dict__)
