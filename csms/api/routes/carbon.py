"""Carbon accounting (碳核算) per session and 碳普惠 credits per id token, as JSON or CSV (en/zh)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from compliance.reports.safe_cells import SafeCsvWriter
from csms.api.deps import Reader, ServicesDep
from csms.domain.carbon import SessionCarbon, TokenCredit, to_csv, to_json
from csms.errors import InvalidInput

router = APIRouter(prefix="/api/v1/carbon", tags=["carbon"])

Format = Literal["json", "csv"]
Lang = Literal["en", "zh"]


@dataclass(frozen=True)
class Export:
    """Query of both exports: sessions started in ``[since, until)`` at one site (or all), and format."""

    since: datetime
    until: datetime
    site_id: str | None
    format: Format
    lang: Lang

    def response(self, records: list[SessionCarbon] | list[TokenCredit], name: str) -> Response:
        if self.format == "csv":
            # A BOM so that spreadsheet programs read the Chinese headers as UTF-8.
            return Response(
                "\ufeff" + to_csv(records, lang=self.lang, writer_factory=SafeCsvWriter),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
            )
        return Response(to_json(records), media_type="application/json")


def export_query(
    since: datetime = Query(alias="from"),
    until: datetime = Query(alias="to"),
    site_id: str | None = None,
    format: Format = "json",
    lang: Lang = "en",
) -> Export:
    for name, t in (("from", since), ("to", until)):
        if t.tzinfo is None:
            raise InvalidInput(f"{name} must carry a UTC offset, e.g. 2026-11-24T00:00:00+08:00", field=name)
    return Export(since, until, site_id, format, lang)


ExportDep = Annotated[Export, Depends(export_query)]


@router.get("/sessions")
async def session_carbon(services: ServicesDep, _: Reader, q: ExportDep) -> Response:
    """Per session started in ``[from, to)``: energy, green (PV) and grid Wh, emissions, avoided emissions."""
    return q.response(await services.carbon.sessions(q.since, q.until, q.site_id), "session_carbon")


@router.get("/credits")
async def credits(services: ServicesDep, _: Reader, q: ExportDep) -> Response:
    """碳普惠 credit totals per id token over the sessions started in ``[from, to)``."""
    return q.response(await services.carbon.credits(q.since, q.until, q.site_id), "carbon_credits")


@router.get("/factors")
async def factors(services: ServicesDep, _: Reader) -> dict:
    """The grid emission factor and petrol baseline in use, with their sources."""
    c = services.carbon
    return {
        "grid_emission_factor": dataclasses.asdict(c.factor),
        "petrol_baseline": dataclasses.asdict(c.baseline),
        "credit_per_kg_co2": c.credit_per_kg_co2,
    }
