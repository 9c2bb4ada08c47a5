"""The compliance package's storage and live telemetry, on the CSMS's database and station events.

Each request of the compliance routes is one unit of work: its car-park repository and its telemetry source
share one session, committed when the route returns. Stored car parks keep their overall verdict under the
service's rule packs (``rules``, ``xiangjiang-2023`` by default), so that the console lists and filters a
100,000-car-park register by verdict one page at a time; the console's other reads (a car park judged with
its chargers' live status, notices, reports, the import log) are here too, as the REST routes do them.
"""

from __future__ import annotations

import dataclasses
import io
import zipfile
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from compliance.api.worker import ProcessWorker, ThreadWorker
from compliance.evaluate import CarParkResult, evaluate
from compliance.importers import DEFAULT_NEW_SINCE, ImportResult
from compliance.limits import DEFAULT_LIMITS
from compliance.model import CarPark
from compliance.packs import resolve_packs
from compliance.piles import read_register_with_piles
from compliance.reports.html import render_html
from compliance.reports.notice import render_notice
from compliance.reports.notice_text import NoticeConfig, issuable
from compliance.reports.tables import render_verdicts_xlsx
from compliance.repository import Inspection
from compliance.rules import RulePack
from compliance.telemetry import TelemetryCheck, cross_check_car_park
from csms.db.compliance_queries import (
    CarParkFilter,
    CarParkQueries,
    CarParkSummary,
    InspectionEntry,
    MapPoint,
    RegisterImport,
    RegisterImports,
)
from csms.db.compliance_store import SqlCarParkRepository, StationLastSeen
from csms.db.uow import UnitOfWork
from csms.domain.timeutil import Clock
from csms.services.gateway import StationGateway
from csms.services.presence import Presence

DEFAULT_RULES = "xiangjiang-2023"
_CHUNK = 100
SILENT_AFTER_DAYS = 7.0

__all__ = [
    "DEFAULT_RULES",
    "CarParkFilter",
    "CarParkSummary",
    "CarParkView",
    "ComplianceService",
    "InspectionEntry",
    "MapPoint",
    "RegisterImport",
    "StationLive",
]


@dataclass(frozen=True)
class LiveTelemetry:
    """A ``compliance.repository.TelemetrySource``: the stored last-seen times, brought forward by what the
    station events said (a station connected now is heard now)."""

    stored: StationLastSeen
    presence: Presence

    async def last_seen(self, station_ids: Sequence[str]) -> Mapping[str, datetime | None]:
        return await self.presence.last_seen(station_ids, self.stored.last_seen)


@dataclass(frozen=True)
class ComplianceUnit:
    car_parks: SqlCarParkRepository
    telemetry: LiveTelemetry


@dataclass(frozen=True, slots=True)
class StationLive:
    """A station a car park lists, as the CSMS knows it now."""

    station_id: str
    connected: bool
    """Its websocket is open on this node now."""
    last_seen: datetime | None
    status: str
    """The cross-check's: ``online``, ``silent`` or ``never_seen``."""


@dataclass(frozen=True, slots=True)
class CarParkView:
    """One car park judged now (register figures; the telemetry cross-check beside it)."""

    result: CarParkResult
    telemetry: TelemetryCheck | None
    stations: tuple[StationLive, ...]
    inspections: tuple[Inspection, ...]
    issuable: bool


class ComplianceService:
    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        presence: Presence,
        gateway: StationGateway | None = None,
        rules: str = DEFAULT_RULES,
        notice: NoticeConfig | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._presence = presence
        self._gateway = gateway
        self.rules = rules
        self.packs: list[RulePack] = resolve_packs(rules)
        self.notice_config = notice or NoticeConfig()
        self._parse = ProcessWorker(2, 60.0)
        self._compute = ThreadWorker(2)

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[ComplianceUnit]:
        """One unit of work: commits when the block ends without error."""
        async with self._uow() as session:
            yield ComplianceUnit(
                SqlCarParkRepository(session, self._clock, self.packs, self.rules),
                LiveTelemetry(StationLastSeen(session), self._presence),
            )

    # -- the register ------------------------------------------------------------------------------

    async def read_register(self, data: bytes, filename: str) -> ImportResult:
        """The register read as the REST import reads it (in a killable child process, within the import
        limits); raises the ``compliance.errors.RegisterError`` kinds. Nothing is stored."""
        return await self._parse.run(
            read_register_with_piles, data, filename, DEFAULT_NEW_SINCE, DEFAULT_LIMITS
        )

    async def import_register(self, result: ImportResult, filename: str, imported_by: str) -> int:
        """Store the records of ``result`` (100 to a transaction, each judged), log the import; its id."""
        for start in range(0, len(result.records), _CHUNK):
            async with self.unit() as unit:
                await unit.car_parks.upsert_car_parks(result.records[start : start + _CHUNK])
        problems = [
            {
                "row": e.row,
                "column": e.header or e.column,
                "value": e.value,
                "message_en": e.message_en,
                "message_zh": e.message_zh,
                "effect": e.effect.value,
            }
            for e in result.errors
            if e.effect.value in ("row_rejected", "value_ignored")
        ]
        async with self._uow() as session:
            return await RegisterImports(session).add(
                filename=filename,
                imported_by=imported_by,
                imported_at=self._clock(),
                rows_read=result.rows_read,
                car_park_ids=[r.id for r in result.records],
                rejected=len(result.rejected_rows),
                problems=problems[:2000],
            )

    async def rejudge(self, limit: int = 5_000) -> int:
        """Judge (and store the verdicts of) up to ``limit`` records not yet judged under ``rules``."""
        done = 0
        while done < limit:
            async with self._uow() as session:
                stale = await CarParkQueries(session, self.rules).stale(min(_CHUNK, limit - done))
                if not stale:
                    break
                await SqlCarParkRepository(session, self._clock, self.packs, self.rules).upsert_car_parks(
                    stale
                )
            done += len(stale)
        return done

    # -- paged reads -------------------------------------------------------------------------------

    async def page(self, f: CarParkFilter, offset: int, limit: int) -> tuple[list[CarParkSummary], int]:
        async with self._uow() as session:
            return await CarParkQueries(session, self.rules).page(f, offset, limit)

    async def listing(
        self, f: CarParkFilter, offset: int, limit: int
    ) -> tuple[list[CarParkSummary], dict[str, int]]:
        """A page of car parks matching ``f`` and the matching car parks per verdict (its verdict aside)."""
        async with self._uow() as session:
            return await CarParkQueries(session, self.rules).listing(f, offset, limit)

    async def verdict_counts(self, f: CarParkFilter) -> dict[str, int]:
        async with self._uow() as session:
            return await CarParkQueries(session, self.rules).verdict_counts(f)

    async def districts(self) -> list[str]:
        async with self._uow() as session:
            return await CarParkQueries(session, self.rules).districts()

    async def points(self, f: CarParkFilter, limit: int) -> tuple[list[MapPoint], int]:
        async with self._uow() as session:
            return await CarParkQueries(session, self.rules).points(f, limit)

    async def inspections(
        self, offset: int, limit: int, car_park_id: str = ""
    ) -> tuple[list[InspectionEntry], int]:
        async with self._uow() as session:
            return await CarParkQueries(session, self.rules).inspections(offset, limit, car_park_id)

    async def imports(self, offset: int, limit: int) -> tuple[list[RegisterImport], int]:
        async with self._uow() as session:
            return await RegisterImports(session).page(offset, limit)

    async def get_import(self, import_id: int) -> RegisterImport | None:
        async with self._uow() as session:
            return await RegisterImports(session).get(import_id)

    async def add_inspection(self, inspection: Inspection) -> Inspection | None:
        """Record an inspection; ``None`` when the car park is unknown."""
        async with self.unit() as unit:
            if await unit.car_parks.get_car_park(inspection.car_park_id) is None:
                return None
            return await unit.car_parks.add_inspection(inspection)

    # -- one car park, judged now ------------------------------------------------------------------

    async def view(self, car_park_id: str) -> CarParkView | None:
        """The car park judged now, its stations' live status (as the telemetry cross-check sees them) and
        its inspections; ``None`` when unknown."""
        async with self.unit() as unit:
            record = await unit.car_parks.get_car_park(car_park_id)
            if record is None:
                return None
            seen = (
                dict(await unit.telemetry.last_seen(list(record.station_ids))) if record.station_ids else {}
            )
            inspections = tuple(await unit.car_parks.list_inspections(car_park_id))
        now = self._clock()
        check = cross_check_car_park(record, seen, now, SILENT_AFTER_DAYS) if record.station_ids else None
        result = await self._compute.run(evaluate, record, self.packs)
        statuses = {f.station_id: f.status.value for f in check.findings} if check else {}
        stations = tuple(
            StationLive(
                sid,
                self._gateway.is_online(sid) if self._gateway else self._presence.is_connected(sid),
                seen.get(sid),
                statuses.get(sid, "never_seen"),
            )
            for sid in record.station_ids
        )
        return CarParkView(result, check, stations, inspections, issuable(result))

    async def notice(self, car_park_id: str, lang: str) -> tuple[bytes, str] | None:
        """The car park's rectification notice (PDF) as the REST route renders it: inspector and date from
        its latest inspection. ``None`` when unknown or when no verified clause fails."""
        view = await self.view(car_park_id)
        if view is None or not view.issuable:
            return None
        return await self._compute.run(self._render_notice, view.result, view.inspections, lang)

    def _render_notice(
        self, result: CarParkResult, inspections: Sequence[Inspection], lang: str, number: int | None = None
    ) -> tuple[bytes, str]:
        latest = max(inspections, key=lambda i: (i.inspected_on, i.id or 0)) if inspections else None
        config = dataclasses.replace(
            self.notice_config, inspectors=(latest.inspector,) if latest else self.notice_config.inspectors
        )
        return render_notice(
            result,
            lang,
            self._clock().date(),
            config,
            "pdf",
            number=number,
            inspected_on=latest.inspected_on if latest else None,
        )

    # -- whole-register documents ------------------------------------------------------------------

    async def results(self, f: CarParkFilter, limit: int) -> list[CarParkResult]:
        """The car parks matching ``f`` (at most ``limit``) judged now."""
        async with self._uow() as session:
            records = await CarParkQueries(session, self.rules).records(f, limit)
        return await self._compute.run(lambda: [evaluate(r, self.packs) for r in records])

    async def workbook(self, f: CarParkFilter, lang: str, limit: int) -> bytes:
        results = await self.results(f, limit)
        return await self._compute.run(render_verdicts_xlsx, results, lang)

    async def html_report(self, f: CarParkFilter, lang: str, limit: int) -> bytes:
        results = await self.results(f, limit)
        today = self._clock().date()
        return await self._compute.run(
            lambda: render_html(results, self.packs, lang=lang, generated=today).encode("utf-8")
        )

    async def notices_zip(self, f: CarParkFilter, lang: str, limit: int) -> tuple[bytes, int]:
        """A zip of the notices of the non-compliant car parks matching ``f`` (at most ``limit``), and how
        many it holds."""
        wanted = dataclasses.replace(f, verdict="non_compliant")
        async with self._uow() as session:
            records = await CarParkQueries(session, self.rules).records(wanted, limit)
            repo = SqlCarParkRepository(session, self._clock)
            inspections = {r.id: tuple(await repo.list_inspections(r.id)) for r in records}
        return await self._compute.run(self._zip, records, inspections, lang)

    def _zip(
        self, records: Sequence[CarPark], inspections: Mapping[str, Sequence[Inspection]], lang: str
    ) -> tuple[bytes, int]:
        buffer = io.BytesIO()
        n = 0
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for record in records:
                result = evaluate(record, self.packs)
                if not issuable(result):
                    continue
                content, ext = self._render_notice(
                    result, inspections[record.id], lang, self.notice_config.first_number + n
                )
                safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in record.id)
                archive.writestr(
                    f"整改通知书_{safe}.{ext}" if lang == "zh" else f"notice_{safe}.{ext}", content
                )
                n += 1
        return buffer.getvalue(), n
