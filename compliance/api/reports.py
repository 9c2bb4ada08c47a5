"""``/reports/{name}`` and ``/car-parks/{id}/notice``: the register's reports and rectification notices."""

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Response, status

from compliance.api.common import Deps, Lang, RulesQuery, check, packs_of
from compliance.evaluate import CarParkResult, Status
from compliance.reports.geojson import render_geojson
from compliance.reports.html import render_html
from compliance.reports.notice import render_notice
from compliance.reports.tables import render_verdicts_csv, render_verdicts_xlsx
from compliance.repository import CarParkRepository, TelemetrySource
from compliance.rules import RulePack

REPORTS: dict[str, str] = {
    "verdicts.csv": "text/csv; charset=utf-8",
    "verdicts.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "report.html": "text/html; charset=utf-8",
    "carparks.geojson": "application/geo+json",
}


def _render(name: str, results: list[CarParkResult], packs: list[RulePack], lang: str, today: date) -> bytes:
    """Blocking: the report ``name`` of ``results``; run on a worker thread."""
    if name == "verdicts.csv":
        return render_verdicts_csv(results, lang)
    if name == "verdicts.xlsx":
        return render_verdicts_xlsx(results, lang)
    if name == "carparks.geojson":
        return render_geojson(results, lang)
    return render_html(results, packs, lang=lang, generated=today).encode("utf-8")


def reports_router(deps: Deps) -> APIRouter:
    router = APIRouter()

    @router.get("/reports/{name}")
    async def report(
        name: str,
        repo: Annotated[CarParkRepository, deps.repository],
        telemetry: Annotated[TelemetrySource | None, deps.telemetry],
        rules: RulesQuery = "xiangjiang-2023",
        lang: Lang = "zh",
        strict: bool = False,
    ) -> Response:
        if name not in REPORTS:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND, f"unknown report {name!r}; one of {', '.join(REPORTS)}"
            )
        packs = packs_of(rules.split(","))
        checked = await check(deps.compute, repo, telemetry, deps.clock(), packs, strict=strict)
        results = [r for r, _ in checked]
        content = await deps.compute.run(_render, name, results, packs, lang, deps.clock().date())
        return Response(
            content,
            media_type=REPORTS[name],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @router.get("/car-parks/{car_park_id}/notice")
    async def notice(
        car_park_id: str,
        repo: Annotated[CarParkRepository, deps.repository],
        telemetry: Annotated[TelemetrySource | None, deps.telemetry],
        rules: RulesQuery = "xiangjiang-2023",
        lang: Lang = "zh",
        fmt: Annotated[Literal["pdf", "html"], Query(alias="format")] = "pdf",
        deadline_days: int = 90,
        issued: date | None = None,
    ) -> Response:
        """The rectification notice (整改通知书) of a non-compliant car park."""
        [(result, _)] = await check(
            deps.compute, repo, telemetry, deps.clock(), packs_of(rules.split(",")), [car_park_id]
        )
        if result.status is not Status.NON_COMPLIANT:
            raise HTTPException(
                status.HTTP_409_CONFLICT, f"car park {car_park_id!r} is {result.status.value}"
            )
        content, ext = await deps.compute.run(
            render_notice, result, lang, issued or deps.clock().date(), deadline_days, fmt
        )
        media = "application/pdf" if ext == "pdf" else "text/html; charset=utf-8"
        return Response(
            content,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="notice_{car_park_id}.{ext}"'},
        )

    return router
