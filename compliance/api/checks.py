"""``/checks`` and ``/car-parks/{id}/verdicts``: car parks judged against rule packs."""

from typing import Annotated

from fastapi import APIRouter, Query

from compliance.api.common import Deps, RulesQuery, check, packs_of
from compliance.api.schemas import CarParkResultPublic, CheckReport, CheckRequest
from compliance.evaluate import CarParkResult, Status
from compliance.repository import CarParkRepository, TelemetrySource
from compliance.telemetry import MAX_SILENT_DAYS, TelemetryCheck


def _report(checked: list[tuple[CarParkResult, TelemetryCheck | None]]) -> CheckReport:
    """Blocking: the answer's models (a register's worth of pydantic validation)."""
    counts = dict.fromkeys(Status, 0)
    for result, _ in checked:
        counts[result.status] += 1
    return CheckReport(counts=counts, results=[CarParkResultPublic.of(r, t) for r, t in checked])


def checks_router(deps: Deps) -> APIRouter:
    router = APIRouter()

    @router.post("/checks", response_model=CheckReport)
    async def run_check(
        body: CheckRequest,
        repo: Annotated[CarParkRepository, deps.repository],
        telemetry: Annotated[TelemetrySource | None, deps.telemetry],
    ) -> CheckReport:
        checked = await check(
            deps.compute,
            repo,
            telemetry,
            deps.clock(),
            packs_of(body.rules),
            body.car_park_ids,
            body.strict,
            body.silent_after_days,
        )
        return await deps.compute.run(_report, checked)

    @router.get("/car-parks/{car_park_id}/verdicts", response_model=CarParkResultPublic)
    async def car_park_verdicts(
        car_park_id: str,
        repo: Annotated[CarParkRepository, deps.repository],
        telemetry: Annotated[TelemetrySource | None, deps.telemetry],
        rules: RulesQuery = "xiangjiang-2023",
        strict: bool = False,
        silent_after_days: Annotated[float, Query(ge=0, le=MAX_SILENT_DAYS)] = 7.0,
    ) -> CarParkResultPublic:
        [(result, telemetry_check)] = await check(
            deps.compute,
            repo,
            telemetry,
            deps.clock(),
            packs_of(rules.split(",")),
            [car_park_id],
            strict,
            silent_after_days,
        )
        return CarParkResultPublic.of(result, telemetry_check)

    return router
