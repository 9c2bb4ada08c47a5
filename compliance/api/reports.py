"""``/reports/{name}`` and ``/car-parks/{id}/notice``: the register's reports and rectification notices."""

import dataclasses
import functools
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Response, status

from compliance.api.common import Deps, Lang, RulesQuery, check, packs_of
from compliance.errors import NoticeError
from compliance.evaluate import CarParkResult, Status
from compliance.reports.geojson import render_geojson
from compliance.reports.html import render_html
from compliance.reports.notice import render_notice
from compliance.reports.notice_text import issuable
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
        deadline_days: Annotated[int | None, Query(ge=1, le=3650)] = None,
        issued: date | None = None,
        number: Annotated[int | None, Query(ge=1, description="running number {n} of the notice")] = None,
        authority: Annotated[str | None, Query(max_length=200)] = None,
    ) -> Response:
        """The rectification notice (整改通知书) of a car park failing a verified clause.

        The inspector and inspection date are those of the car park's latest recorded inspection; the
        authority, number pattern and deadline come from the router's notice settings unless given.
        """
        [(result, _)] = await check(
            deps.compute, repo, telemetry, deps.clock(), packs_of(rules.split(",")), [car_park_id]
        )
        if not issuable(result):
            why = "fails only unverified clauses" if result.status is Status.NON_COMPLIANT else "is"
            raise HTTPException(
                status.HTTP_409_CONFLICT, f"car park {car_park_id!r} {why} {result.status.value}"
            )
        inspections = sorted(await repo.list_inspections(car_park_id), key=lambda i: i.inspected_on)
        latest = inspections[-1] if inspections else None
        config = dataclasses.replace(
            deps.notice,
            authority=deps.notice.authority if authority is None else authority,
            deadline_days=deps.notice.deadline_days if deadline_days is None else deadline_days,
            inspectors=(latest.inspector,) if latest else deps.notice.inspectors,
        )
        today = issued or deps.clock().date()
        try:
            content, ext = await deps.compute.run(
                functools.partial(
                    render_notice,
                    number=number,
                    inspected_on=latest.inspected_on if latest else None,
                ),
                result,
                lang,
                today,
                config,
                fmt,
            )
        except NoticeError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(exc)) from None
        media = "application/pdf" if ext == "pdf" else "text/html; charset=utf-8"
        return Response(
            content,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="notice_{car_park_id}.{ext}"'},
        )

    return router
