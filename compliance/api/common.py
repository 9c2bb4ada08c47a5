"""What the compliance routers share: the dependencies the mounting app supplies, and their helpers.

No ``from __future__ import annotations`` in the router modules: FastAPI reads their ``Annotated``
dependency markers, built from :class:`Deps` at router construction, at definition time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import HTTPException, Query, status

from compliance.api.worker import ProcessWorker, ThreadWorker
from compliance.errors import UnknownRuleError
from compliance.evaluate import CarParkResult, evaluate
from compliance.limits import DEFAULT_LIMITS, ImportLimits
from compliance.model import CarPark
from compliance.packs import get_pack
from compliance.reports.notice_text import NoticeConfig
from compliance.repository import CarParkRepository, TelemetrySource
from compliance.rules import RulePack
from compliance.telemetry import TelemetryCheck, apply_strict, cross_check_car_park
from compliance.validation import car_park_problems

#: Stores one chunk of imported records in a committed unit of work of its own.
ChunkStore = Callable[[Sequence[CarPark]], Awaitable[None]]

RulesQuery = Annotated[str, Query(description="comma-separated rule pack ids")]
Lang = Annotated[Literal["zh", "en"], Query()]


@dataclass(frozen=True, slots=True)
class Deps:
    """The mounting app's dependencies as FastAPI markers (``Depends(...)``), and the clock.

    ``repository`` yields a :class:`CarParkRepository`, ``telemetry`` a :class:`TelemetrySource` or
    ``None``; ``clock`` returns the aware "now" for the telemetry cross-check and report dates.
    ``parse`` runs the upload parsing (a killable process), ``compute`` the evaluation and rendering
    (bounded threads); ``limits`` bound an imported register. ``store_chunk`` yields a
    :data:`ChunkStore` or ``None`` (then the request's repository stores the import). ``notice`` is the
    issuing office's notice settings (authority, numbering, deadline).
    """

    repository: Any
    telemetry: Any
    clock: Callable[[], datetime]
    parse: ProcessWorker = field(default_factory=ProcessWorker)
    compute: ThreadWorker = field(default_factory=ThreadWorker)
    limits: ImportLimits = DEFAULT_LIMITS
    store_chunk: Any = None
    notice: NoticeConfig = field(default_factory=NoticeConfig)


def packs_of(ids: Sequence[str]) -> list[RulePack]:
    """The packs named in ``ids`` (blank entries skipped); 422 for an unknown one."""
    try:
        return [get_pack(i.strip()) for i in ids if i.strip()]
    except UnknownRuleError as exc:
        raise HTTPException(422, str(exc)) from None


def checked(record: CarPark) -> CarPark:
    """``record`` if it is consistent; else 422 naming each problem's field in both languages."""
    problems = car_park_problems(record)
    if problems:
        detail = [{"loc": ["body", p.column], "msg": p.message_en, "msg_zh": p.message_zh} for p in problems]
        raise HTTPException(422, detail)
    return record


async def car_park_or_404(repo: CarParkRepository, car_park_id: str) -> CarPark:
    record = await repo.get_car_park(car_park_id)
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown car park {car_park_id!r}")
    return record


async def check(
    compute: ThreadWorker,
    repo: CarParkRepository,
    telemetry: TelemetrySource | None,
    now: datetime,
    packs: list[RulePack],
    ids: Sequence[str] | None = None,
    strict: bool = False,
    silent_after_days: float = 7.0,
) -> list[tuple[CarParkResult, TelemetryCheck | None]]:
    """Evaluate the named car parks (every one when ``ids`` is None), cross-checked when telemetry is on."""
    records = (
        [await car_park_or_404(repo, i) for i in ids]
        if ids is not None
        else list(await repo.list_car_parks())
    )
    seen: dict[str, datetime | None] = {}
    if telemetry is not None:
        # One query for the whole register, not one per car park.
        wanted = list(dict.fromkeys(sid for record in records for sid in record.station_ids))
        seen = dict(await telemetry.last_seen(wanted)) if wanted else {}
    return await compute.run(
        _evaluate_all, records, seen if telemetry is not None else None, now, packs, strict, silent_after_days
    )


def _evaluate_all(
    records: Sequence[CarPark],
    seen: dict[str, datetime | None] | None,
    now: datetime,
    packs: list[RulePack],
    strict: bool,
    silent_after_days: float,
) -> list[tuple[CarParkResult, TelemetryCheck | None]]:
    """Blocking: judge every record (cross-checked when ``seen`` is given); run on a worker thread."""
    out: list[tuple[CarParkResult, TelemetryCheck | None]] = []
    for record in records:
        telemetry_check = None
        if seen is not None and record.station_ids:
            telemetry_check = cross_check_car_park(record, seen, now, silent_after_days)
            if strict:
                record = apply_strict(record, telemetry_check)
        out.append((evaluate(record, packs), telemetry_check))
    return out
