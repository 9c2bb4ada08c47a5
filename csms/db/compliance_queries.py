"""Paged, filtered reads of the car-park register for the console (and its import log).

The register may hold 100,000 car parks: lists read the narrow ``car_park_verdicts`` rows (never the JSON
records), filter in SQL and return one page. Verdicts are the ones stored with each record under ``rules``
(see :func:`csms.db.compliance_store.judge`); a record stored under other packs (or before verdicts were
stored) reads as ``unchecked``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.evaluate import Status
from compliance.model import CarPark
from csms.db.compliance import CarParkRow, CarParkVerdictRow, InspectionRow, RegisterImportRow
from csms.db.compliance_store import record_from_json

UNCHECKED = "unchecked"
V = CarParkVerdictRow
VERDICTS = tuple(s.value for s in Status)


@dataclass(frozen=True, slots=True)
class CarParkFilter:
    district: str = ""
    category: str = ""
    verdict: str = ""
    """A :class:`compliance.evaluate.Status` value, ``unchecked``, or blank for any."""
    q: str = ""
    """Part of the name or id."""


@dataclass(frozen=True, slots=True)
class CarParkSummary:
    id: str
    name: str
    district: str
    category: str
    verdict: str
    leading_rule: str | None
    shortfall: int | None


@dataclass(frozen=True, slots=True)
class MapPoint:
    id: str
    name: str
    verdict: str
    lon: float
    lat: float


@dataclass(frozen=True, slots=True)
class RegisterImport:
    id: int
    filename: str
    imported_by: str
    imported_at: datetime
    rows_read: int
    imported: int
    rejected: int
    car_park_ids: list[str]
    problems: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class InspectionEntry:
    id: int
    car_park_id: str
    car_park_name: str
    inspected_on: date
    inspector: str
    findings: str
    rectification_deadline: date | None


class CarParkQueries:
    def __init__(self, session: AsyncSession, rules: str) -> None:
        self._session = session
        self._rules = rules

    def _where(self, f: CarParkFilter, *, verdict: bool = True) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if f.district:
            clauses.append(V.district == f.district)
        if f.category:
            clauses.append(V.category == f.category)
        if verdict and f.verdict == UNCHECKED:
            clauses.append(or_(V.verdict_rules.is_(None), V.verdict_rules != self._rules))
        elif verdict and f.verdict:
            clauses.append(and_(V.verdict_rules == self._rules, V.verdict == f.verdict))
        if f.q:
            like = "%" + f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            clauses.append(or_(V.name.like(like, escape="\\"), V.id.like(like, escape="\\")))
        return clauses

    def _verdict_of(self, rules: str | None, verdict: str | None) -> str:
        return verdict if rules == self._rules and verdict else UNCHECKED

    async def page(self, f: CarParkFilter, offset: int, limit: int) -> tuple[list[CarParkSummary], int]:
        """One page of car parks (by id) matching ``f``, and how many match in all (see :meth:`listing`)."""
        rows, counts = await self.listing(f, offset, limit)
        return rows, counts.get(f.verdict, 0) if f.verdict else sum(counts.values())

    async def listing(
        self, f: CarParkFilter, offset: int, limit: int
    ) -> tuple[list[CarParkSummary], dict[str, int]]:
        """One page of car parks (by id) matching ``f``, and the matching car parks per verdict, all verdicts
        counted (as :meth:`verdict_counts`): one grouped count gives both the tiles and the total."""
        where = self._where(f)
        counts = await self.verdict_counts(f)
        rows = await self._session.scalars(select(V).where(*where).order_by(V.id).offset(offset).limit(limit))
        out = [
            CarParkSummary(
                r.id,
                r.name,
                r.district,
                r.category,
                self._verdict_of(r.verdict_rules, r.verdict),
                r.leading_rule if r.verdict_rules == self._rules else None,
                r.shortfall if r.verdict_rules == self._rules else None,
            )
            for r in rows
        ]
        return out, counts

    async def verdict_counts(self, f: CarParkFilter) -> dict[str, int]:
        """Car parks per stored verdict among those matching ``f`` but its verdict (``unchecked``: the rest).

        Conditional counts in one pass, no GROUP BY: grouping on the verdict index would lead the planner
        to walk that index (row by row into the table) instead of the filter's own index."""
        fresh = V.verdict_rules == self._rules
        row = (
            await self._session.execute(
                select(
                    func.count(), *(func.count().filter(and_(fresh, V.verdict == v)) for v in VERDICTS)
                ).where(*self._where(f, verdict=False))
            )
        ).one()
        total, *judged = row
        counts = {v: n for v, n in zip(VERDICTS, judged, strict=True) if n}
        if total - sum(judged):
            counts[UNCHECKED] = total - sum(judged)
        return counts

    async def districts(self) -> list[str]:
        rows = await self._session.scalars(
            select(V.district).where(V.district != "").distinct().order_by(V.district)
        )
        return list(rows)

    async def records(self, f: CarParkFilter, limit: int) -> list[CarPark]:
        """The whole records matching ``f`` (by id), at most ``limit``."""
        rows = await self._session.scalars(
            select(CarParkRow.record)
            .join(V, V.id == CarParkRow.id)
            .where(*self._where(f))
            .order_by(V.id)
            .limit(limit)
        )
        return [record_from_json(r) for r in rows]

    async def points(self, f: CarParkFilter, limit: int) -> tuple[list[MapPoint], int]:
        """Located car parks matching ``f`` (at most ``limit``) and how many are located in all."""
        where = [*self._where(f), V.lon_deg.is_not(None), V.lat_deg.is_not(None)]
        total = await self._session.scalar(select(func.count()).select_from(V).where(*where))
        rows = await self._session.execute(
            select(V.id, V.name, V.verdict_rules, V.verdict, V.lon_deg, V.lat_deg)
            .where(*where)
            .order_by(V.id)
            .limit(limit)
        )
        points = [
            MapPoint(r.id, r.name, self._verdict_of(r.verdict_rules, r.verdict), r.lon_deg, r.lat_deg)
            for r in rows
        ]
        return points, int(total or 0)

    async def stale(self, limit: int) -> list[CarPark]:
        """Records without a stored verdict under ``rules`` (at most ``limit``)."""
        rows = await self._session.scalars(
            select(CarParkRow.record)
            .outerjoin(V, V.id == CarParkRow.id)
            .where(or_(V.verdict_rules.is_(None), V.verdict_rules != self._rules))
            .order_by(CarParkRow.id)
            .limit(limit)
        )
        return [record_from_json(r) for r in rows]

    async def inspections(
        self, offset: int, limit: int, car_park_id: str = ""
    ) -> tuple[list[InspectionEntry], int]:
        """Recorded inspections, latest first, with their car park's name."""
        where = [InspectionRow.car_park_id == car_park_id] if car_park_id else []
        total = await self._session.scalar(select(func.count()).select_from(InspectionRow).where(*where))
        rows = await self._session.execute(
            select(InspectionRow, CarParkRow.name)
            .join(CarParkRow, CarParkRow.id == InspectionRow.car_park_id)
            .where(*where)
            .order_by(InspectionRow.inspected_on.desc(), InspectionRow.id.desc())
            .offset(offset)
            .limit(limit)
        )
        out = [
            InspectionEntry(
                i.id, i.car_park_id, name, i.inspected_on, i.inspector, i.findings, i.rectification_deadline
            )
            for i, name in rows
        ]
        return out, int(total or 0)


class RegisterImports:
    """The console's import log."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        filename: str,
        imported_by: str,
        imported_at: datetime,
        rows_read: int,
        car_park_ids: Sequence[str],
        rejected: int,
        problems: Sequence[dict[str, Any]],
    ) -> int:
        row = RegisterImportRow(
            filename=filename,
            imported_by=imported_by,
            imported_at=imported_at,
            rows_read=rows_read,
            imported=len(car_park_ids),
            rejected=rejected,
            car_park_ids=list(car_park_ids),
            problems=list(problems),
        )
        self._session.add(row)
        await self._session.flush()
        return row.id

    async def get(self, import_id: int) -> RegisterImport | None:
        row = await self._session.get(RegisterImportRow, import_id)
        return _import(row) if row is not None else None

    async def page(self, offset: int, limit: int) -> tuple[list[RegisterImport], int]:
        """A page of the log, latest first (without the ids and problems: see :meth:`get`)."""
        total = await self._session.scalar(select(func.count()).select_from(RegisterImportRow))
        t = RegisterImportRow
        rows = await self._session.execute(
            select(t.id, t.filename, t.imported_by, t.imported_at, t.rows_read, t.imported, t.rejected)
            .order_by(t.imported_at.desc(), t.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return [RegisterImport(*r, car_park_ids=[], problems=[]) for r in rows], int(total or 0)


def _import(row: RegisterImportRow) -> RegisterImport:
    return RegisterImport(
        row.id,
        row.filename,
        row.imported_by,
        row.imported_at,
        row.rows_read,
        row.imported,
        row.rejected,
        list(row.car_park_ids),
        list(row.problems),
    )
