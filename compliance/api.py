"""REST routes for inspectors, storage-agnostic: ``create_router(...)`` returns an ``APIRouter`` to mount.

The CSMS supplies storage through a FastAPI dependency yielding a
:class:`compliance.repository.CarParkRepository` (that dependency owns the unit of work and commits),
optionally a dependency yielding a :class:`compliance.repository.TelemetrySource`, and its inspector-role
guard through ``dependencies``. Nothing here imports the CSMS.

No ``from __future__ import annotations`` here: FastAPI reads the ``Annotated`` dependency aliases built
inside :func:`create_router` at definition time.
"""

import dataclasses
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status

from compliance.api_schemas import (
    CarParkCreate,
    CarParkPublic,
    CarParkResultPublic,
    CheckReport,
    CheckRequest,
    ImportReport,
    InspectionCreate,
    InspectionPublic,
    RowErrorPublic,
    RulePackPublic,
    RulePublic,
)
from compliance.errors import ComplianceError, UnknownRuleError
from compliance.evaluate import CarParkResult, Status, evaluate
from compliance.importers import DEFAULT_NEW_SINCE, read_register_bytes
from compliance.model import CarPark
from compliance.packs import find_rule, get_pack, shipped_packs
from compliance.reports.geojson import render_geojson
from compliance.reports.html import render_html
from compliance.reports.notice import render_notice
from compliance.reports.tables import render_verdicts_csv, render_verdicts_xlsx
from compliance.repository import CarParkRepository, TelemetrySource
from compliance.rules import RulePack
from compliance.telemetry import TelemetryCheck, apply_strict, cross_check_car_park
from compliance.validation import car_park_problems

REPORTS: dict[str, str] = {
    "verdicts.csv": "text/csv; charset=utf-8",
    "verdicts.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "report.html": "text/html; charset=utf-8",
    "carparks.geojson": "application/geo+json",
}


def _packs(ids: Sequence[str]) -> list[RulePack]:
    try:
        return [get_pack(i.strip()) for i in ids if i.strip()]
    except UnknownRuleError as exc:
        raise HTTPException(422, str(exc)) from None


def _checked(record: CarPark) -> CarPark:
    problems = car_park_problems(record)
    if problems:
        detail = [{"loc": ["body", p.column], "msg": p.message_en, "msg_zh": p.message_zh} for p in problems]
        raise HTTPException(422, detail)
    return record


def create_router(
    get_repository: Callable[..., Any],
    *,
    get_telemetry: Callable[..., Any] | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    prefix: str = "/compliance",
    dependencies: Sequence[Any] = (),
) -> APIRouter:
    """Build the compliance routes.

    Parameters
    ----------
    get_repository : callable
        FastAPI dependency returning (or yielding) a ``CarParkRepository`` for this request.
    get_telemetry : callable, optional
        FastAPI dependency returning a ``TelemetrySource``; without it checks skip the cross-check.
    clock : callable
        Returns the aware "now" for the telemetry cross-check (injected for tests).
    prefix : str
        Mount point of the routes.
    dependencies : sequence
        Extra router dependencies, e.g. ``[Depends(allow(Role.inspector))]`` in the CSMS.
    """
    router = APIRouter(prefix=prefix, tags=["compliance"], dependencies=list(dependencies))
    Repo = Annotated[CarParkRepository, Depends(get_repository)]

    async def _no_telemetry() -> None:
        return None

    Telemetry = Annotated[TelemetrySource | None, Depends(get_telemetry or _no_telemetry)]
    RulesQuery = Annotated[str, Query(description="comma-separated rule pack ids")]
    Lang = Annotated[Literal["zh", "en"], Query()]

    async def _get(repo: CarParkRepository, car_park_id: str) -> CarPark:
        record = await repo.get_car_park(car_park_id)
        if record is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown car park {car_park_id!r}")
        return record

    async def _check(
        repo: CarParkRepository,
        telemetry: TelemetrySource | None,
        packs: list[RulePack],
        ids: Sequence[str] | None = None,
        strict: bool = False,
        silent_after_days: float = 7.0,
    ) -> list[tuple[CarParkResult, TelemetryCheck | None]]:
        records = [await _get(repo, i) for i in ids] if ids is not None else list(await repo.list_car_parks())
        seen: dict[str, Any] = {}
        if telemetry is not None:
            # One query for the whole register, not one per car park.
            wanted = list(dict.fromkeys(sid for record in records for sid in record.station_ids))
            seen = dict(await telemetry.last_seen(wanted)) if wanted else {}
        out = []
        now = clock()
        for record in records:
            check = None
            if telemetry is not None and record.station_ids:
                check = cross_check_car_park(record, seen, now, silent_after_days)
                if strict:
                    record = apply_strict(record, check)
            out.append((evaluate(record, packs), check))
        return out

    @router.get("/rules", response_model=list[RulePackPublic])
    async def list_rules() -> list[RulePackPublic]:
        return [RulePackPublic.of(p) for p in shipped_packs().values()]

    @router.get("/rules/{rule_id}", response_model=RulePublic)
    async def show_rule(rule_id: str) -> RulePublic:
        try:
            return RulePublic.of(find_rule(rule_id))
        except UnknownRuleError as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None

    @router.get("/car-parks", response_model=list[CarParkPublic])
    async def list_car_parks(repo: Repo) -> list[CarParkPublic]:
        return [CarParkPublic.of(cp) for cp in await repo.list_car_parks()]

    @router.post("/car-parks", response_model=CarParkPublic, status_code=status.HTTP_201_CREATED)
    async def create_car_park(body: CarParkCreate, repo: Repo) -> CarParkPublic:
        if await repo.get_car_park(body.id) is not None:
            raise HTTPException(status.HTTP_409_CONFLICT, f"car park {body.id!r} exists")
        record = _checked(body.to_record())
        await repo.upsert_car_parks([record])
        return CarParkPublic.of(record)

    @router.post("/car-parks/import", response_model=ImportReport)
    async def import_register(
        request: Request,
        repo: Repo,
        filename: Annotated[str, Query(description="register.csv or register.xlsx: picks the format")],
        new_since: date = DEFAULT_NEW_SINCE,
    ) -> ImportReport:
        """Import a sheet sent as the raw request body; good rows are stored, bad ones reported."""
        try:
            result = read_register_bytes(await request.body(), filename, new_since)
        except ComplianceError as exc:
            raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, str(exc)) from None
        except Exception as exc:  # a corrupt workbook: openpyxl/zipfile raise many kinds
            raise HTTPException(422, f"{filename}: cannot be read: {exc}") from None
        await repo.upsert_car_parks(result.records)
        return ImportReport(
            rows_read=result.rows_read,
            imported=len(result.records),
            errors=[RowErrorPublic(**dataclasses.asdict(e)) for e in result.errors],
        )

    @router.get("/car-parks/{car_park_id}", response_model=CarParkPublic)
    async def get_car_park(car_park_id: str, repo: Repo) -> CarParkPublic:
        return CarParkPublic.of(await _get(repo, car_park_id))

    @router.put("/car-parks/{car_park_id}", response_model=CarParkPublic)
    async def replace_car_park(car_park_id: str, body: CarParkCreate, repo: Repo) -> CarParkPublic:
        if body.id != car_park_id:
            raise HTTPException(422, "body id differs from the path id")
        await _get(repo, car_park_id)
        record = _checked(body.to_record())
        await repo.upsert_car_parks([record])
        return CarParkPublic.of(record)

    @router.delete("/car-parks/{car_park_id}", status_code=status.HTTP_204_NO_CONTENT)
    async def delete_car_park(car_park_id: str, repo: Repo) -> Response:
        if not await repo.delete_car_park(car_park_id):
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown car park {car_park_id!r}")
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @router.post("/checks", response_model=CheckReport)
    async def run_check(body: CheckRequest, repo: Repo, telemetry: Telemetry) -> CheckReport:
        checked = await _check(
            repo, telemetry, _packs(body.rules), body.car_park_ids, body.strict, body.silent_after_days
        )
        counts = {s: 0 for s in Status}
        for result, _ in checked:
            counts[result.status] += 1
        return CheckReport(counts=counts, results=[CarParkResultPublic.of(r, t) for r, t in checked])

    @router.get("/car-parks/{car_park_id}/verdicts", response_model=CarParkResultPublic)
    async def car_park_verdicts(
        car_park_id: str,
        repo: Repo,
        telemetry: Telemetry,
        rules: RulesQuery = "xiangjiang-2023",
        strict: bool = False,
        silent_after_days: float = 7.0,
    ) -> CarParkResultPublic:
        [(result, check)] = await _check(
            repo, telemetry, _packs(rules.split(",")), [car_park_id], strict, silent_after_days
        )
        return CarParkResultPublic.of(result, check)

    @router.get("/reports/{name}")
    async def report(
        name: str,
        repo: Repo,
        telemetry: Telemetry,
        rules: RulesQuery = "xiangjiang-2023",
        lang: Lang = "zh",
        strict: bool = False,
    ) -> Response:
        if name not in REPORTS:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND, f"unknown report {name!r}; one of {', '.join(REPORTS)}"
            )
        packs = _packs(rules.split(","))
        results = [r for r, _ in await _check(repo, telemetry, packs, strict=strict)]
        if name == "verdicts.csv":
            content: bytes = render_verdicts_csv(results, lang)
        elif name == "verdicts.xlsx":
            content = render_verdicts_xlsx(results, lang)
        elif name == "carparks.geojson":
            content = render_geojson(results, lang)
        else:
            content = render_html(results, packs, lang=lang, generated=clock().date()).encode("utf-8")
        return Response(
            content,
            media_type=REPORTS[name],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @router.get("/car-parks/{car_park_id}/notice")
    async def notice(
        car_park_id: str,
        repo: Repo,
        telemetry: Telemetry,
        rules: RulesQuery = "xiangjiang-2023",
        lang: Lang = "zh",
        fmt: Annotated[Literal["pdf", "html"], Query(alias="format")] = "pdf",
        deadline_days: int = 90,
        issued: date | None = None,
    ) -> Response:
        """The rectification notice (整改通知书) of a non-compliant car park."""
        [(result, _)] = await _check(repo, telemetry, _packs(rules.split(",")), [car_park_id])
        if result.status is not Status.NON_COMPLIANT:
            raise HTTPException(
                status.HTTP_409_CONFLICT, f"car park {car_park_id!r} is {result.status.value}"
            )
        content, ext = render_notice(result, lang, issued or clock().date(), deadline_days, fmt)
        media = "application/pdf" if ext == "pdf" else "text/html; charset=utf-8"
        return Response(
            content,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="notice_{car_park_id}.{ext}"'},
        )

    @router.get("/car-parks/{car_park_id}/inspections", response_model=list[InspectionPublic])
    async def list_inspections(car_park_id: str, repo: Repo) -> list[InspectionPublic]:
        await _get(repo, car_park_id)
        return [InspectionPublic.of(i) for i in await repo.list_inspections(car_park_id)]

    @router.post(
        "/car-parks/{car_park_id}/inspections",
        response_model=InspectionPublic,
        status_code=status.HTTP_201_CREATED,
    )
    async def add_inspection(car_park_id: str, body: InspectionCreate, repo: Repo) -> InspectionPublic:
        await _get(repo, car_park_id)
        if body.rectification_deadline is not None and body.rectification_deadline < body.inspected_on:
            raise HTTPException(422, "rectification_deadline before inspected_on")
        return InspectionPublic.of(await repo.add_inspection(body.to_record(car_park_id)))

    return router
