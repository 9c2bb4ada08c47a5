"""Carbon accounting (碳核算) per session and 碳普惠 credits per id token, as JSON or CSV (en / zh headers)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query, Response

from csms.api.deps import Reader, RuntimeDep
from csms.domain.carbon import SessionCarbon, TokenCredit, to_csv, to_json

router = APIRouter(prefix="/api/v1/carbon", tags=["carbon"])

Format = Literal["json", "csv"]
Lang = Literal["en", "zh"]


def _export(records: list[SessionCarbon] | list[TokenCredit], fmt: Format, lang: Lang, name: str) -> Response:
    if fmt == "csv":
        # A BOM so that spreadsheet programs read the Chinese headers as UTF-8.
        return Response(
            "\ufeff" + to_csv(records, lang=lang), media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    return Response(to_json(records), media_type="application/json")


@router.get("/sessions")
async def session_carbon(
    runtime: RuntimeDep,
    _: Reader,
    since: datetime = Query(alias="from"),  # noqa: B008
    until: datetime = Query(alias="to"),  # noqa: B008
    site_id: str | None = None,
    format: Format = "json",  # noqa: A002 - the query parameter's public name
    lang: Lang = "en",
) -> Response:
    """Per session started in ``[from, to)``: energy, green (PV) and grid Wh, emissions, avoided emissions."""
    records = await runtime.services.carbon.sessions(_aware(since, "from"), _aware(until, "to"), site_id)
    return _export(records, format, lang, "session_carbon")


@router.get("/credits")
async def credits(
    runtime: RuntimeDep,
    _: Reader,
    since: datetime = Query(alias="from"),  # noqa: B008
    until: datetime = Query(alias="to"),  # noqa: B008
    site_id: str | None = None,
    format: Format = "json",  # noqa: A002
    lang: Lang = "en",
) -> Response:
    """碳普惠 credit totals per id token over the sessions started in ``[from, to)``."""
    records = await runtime.services.carbon.credits(_aware(since, "from"), _aware(until, "to"), site_id)
    return _export(records, format, lang, "carbon_credits")


@router.get("/factors")
async def factors(runtime: RuntimeDep, _: Reader) -> dict:
    """The grid emission factor and petrol baseline in use, with their sources."""
    c = runtime.services.carbon
    return {
        "grid_emission_factor": c.factor.__dict__, "petrol_baseline": c.baseline.__dict__,
        "credit_per_kg_co2": c.credit_per_kg_co2,
    }


def _aware(t: datetime, field: str) -> datetime:
    from csms.errors import InvalidInput

    if t.tzinfo is None:
        raise InvalidInput(f"{field} must carry a UTC offset, e.g. 2026-11-24T00:00:00+08:00", field=field)
    return t
