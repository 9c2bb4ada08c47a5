"""Per-session energy data of issue 17: a session's charging needs from the operator (departure time and
energy: what a 1.6 station cannot send) and as the EV sent them (2.0.1 NotifyEVChargingNeeds); the 碳普惠
session records (JSON or formula-safe CSV)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Path, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from compliance.reports.safe_cells import SafeCsvWriter
from csms.api.deps import Operator, Reader, ServicesDep
from csms.api.routes.carbon import ExportDep
from csms.domain.carbon_records import records_csv, records_json

router = APIRouter(prefix="/api/v1", tags=["energy"])

TransactionId = Path(ge=1, le=2**31 - 1)


class NeedsIn(BaseModel):
    """A session's departure time and the energy it still asks for [Wh] (finite, no other field)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    departure_at: AwareDatetime | None = None
    energy_wh: float | None = Field(default=None, ge=0, le=1_000_000)


class NeedsPublic(BaseModel):
    transaction_id: int
    station_id: str
    evse_id: int
    source: str
    """``NotifyEVChargingNeeds`` (the EV) or ``operator``."""
    status: str
    departure_at: datetime | None
    energy_requested_wh: float | None
    energy_needed_wh: float | None
    """What it still needs now: the request less what it metered since [Wh]."""
    ev_max_power_w: float | None
    ev_min_power_w: float | None
    energy_transfer: str | None
    ev_schedule: dict[str, Any] | None
    received_at: datetime


@router.put("/transactions/{transaction_id}/needs")
async def put_needs(
    body: NeedsIn, services: ServicesDep, _: Operator, transaction_id: int = TransactionId
) -> NeedsPublic:
    """Set an open session's departure time and energy; the energy manager plans it at once."""
    needs = await services.ev_needs.set_by_operator(transaction_id, body.departure_at, body.energy_wh)
    return NeedsPublic.model_validate(asdict(needs))


@router.get("/transactions/{transaction_id}/needs")
async def get_needs(services: ServicesDep, _: Reader, transaction_id: int = TransactionId) -> NeedsPublic:
    return NeedsPublic.model_validate(asdict(await services.ev_needs.get(transaction_id)))


@router.get("/carbon/records")
async def carbon_records(services: ServicesDep, _: Reader, q: ExportDep) -> Response:
    """One 碳普惠 record per session started in ``[from, to)``: start and end, station, EVSE, site, energy,
    green share, emissions, the factor with its source and year, the methodology's name and version, and the
    signed meter values (OCMF...) the station sent; ``format=csv`` for CSV (formula-safe; the start and end
    signed values per row)."""
    records = await services.carbon_records.records(q.since, q.until, q.site_id)
    if q.format == "csv":
        return Response(
            "\ufeff" + records_csv(records, writer_factory=SafeCsvWriter),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="carbon_records.csv"'},
        )
    return Response(records_json(records), media_type="application/json")
