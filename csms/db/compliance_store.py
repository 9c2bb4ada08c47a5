"""The CSMS's storage for the compliance routes: the repository and telemetry source they ask for.

``compliance.repository`` defines the Protocols; this module implements them on the CSMS database, inside
the request's unit of work (the routes' dependency commits; these classes never do). The car park's JSON
is the compliance package's schema (:func:`compliance.schema.to_json`); the columns beside it are copies
for filtering.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.evaluate import evaluate
from compliance.model import CarPark
from compliance.repository import Inspection
from compliance.rules import RulePack
from compliance.schema import from_json, to_json
from csms.db.compliance import CarParkRow, CarParkVerdictRow, InspectionRow
from csms.db.models import Station
from csms.domain.timeutil import Clock


def record_to_json(record: CarPark) -> dict[str, Any]:
    return to_json(record)


def record_from_json(data: Mapping[str, Any]) -> CarPark:
    return from_json(CarPark, data)


class SqlCarParkRepository:
    """A ``compliance.repository.CarParkRepository`` on the CSMS database.

    Each stored record is judged against ``packs`` (named ``rules``, e.g. ``xiangjiang-2023``) and its
    overall verdict kept beside it, so that lists filter by verdict without judging the whole register."""

    def __init__(
        self, session: AsyncSession, clock: Clock, packs: Sequence[RulePack] = (), rules: str = ""
    ) -> None:
        self._session = session
        self._clock = clock
        self._packs = list(packs)
        self._rules = rules

    async def list_car_parks(self) -> Sequence[CarPark]:
        rows = await self._session.scalars(select(CarParkRow).order_by(CarParkRow.id))
        return [record_from_json(r.record) for r in rows]

    async def get_car_park(self, car_park_id: str) -> CarPark | None:
        row = await self._session.get(CarParkRow, car_park_id)
        return record_from_json(row.record) if row is not None else None

    async def upsert_car_parks(self, records: Iterable[CarPark]) -> None:
        records = list(records)
        ids = [c.id for c in records]
        existing = {
            r.id: r for r in await self._session.scalars(select(CarParkRow).where(CarParkRow.id.in_(ids)))
        }
        listed = {
            r.id: r
            for r in await self._session.scalars(
                select(CarParkVerdictRow).where(CarParkVerdictRow.id.in_(ids))
            )
        }
        now = self._clock()
        for record in records:
            row = existing.get(record.id)
            if row is None:
                row = CarParkRow(id=record.id)
                self._session.add(row)
            row.name, row.category, row.district = record.name, record.category.value, record.district
            row.record, row.updated_at = record_to_json(record), now
            entry = listed.get(record.id)
            if entry is None:
                entry = CarParkVerdictRow(id=record.id)
                self._session.add(entry)
            judge(entry, record, self._packs, self._rules)
        await self._session.flush()  # car parks before their verdict rows (the foreign key)

    async def delete_car_park(self, car_park_id: str) -> bool:
        result = await self._session.execute(delete(CarParkRow).where(CarParkRow.id == car_park_id))
        return bool(result.rowcount)

    async def list_inspections(self, car_park_id: str) -> Sequence[Inspection]:
        rows = await self._session.scalars(
            select(InspectionRow)
            .where(InspectionRow.car_park_id == car_park_id)
            .order_by(InspectionRow.inspected_on, InspectionRow.id)
        )
        return [_inspection(r) for r in rows]

    async def add_inspection(self, inspection: Inspection) -> Inspection:
        row = InspectionRow(
            car_park_id=inspection.car_park_id,
            inspected_on=inspection.inspected_on,
            inspector=inspection.inspector,
            findings=inspection.findings,
            rectification_deadline=inspection.rectification_deadline,
            created_at=self._clock(),
        )
        self._session.add(row)
        await self._session.flush()
        return _inspection(row)


def judge(row: CarParkVerdictRow, record: CarPark, packs: Sequence[RulePack], rules: str) -> None:
    """``record``'s listed columns on ``row``, with its overall verdict under ``packs`` (leading rule and
    shortfall); no verdict without packs."""
    row.name, row.category, row.district = record.name, record.category.value, record.district
    row.lon_deg, row.lat_deg = record.lon_deg, record.lat_deg
    if not packs:
        row.verdict = row.verdict_rules = row.leading_rule = row.shortfall = None
        return
    result = evaluate(record, packs)
    row.verdict, row.verdict_rules = result.status.value, rules
    row.leading_rule = result.leading.rule_id if result.leading else None
    row.shortfall = result.leading.shortfall if result.leading else None


class StationLastSeen:
    """A ``compliance.repository.TelemetrySource``: when the CSMS last heard each station."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def last_seen(self, station_ids: Sequence[str]) -> Mapping[str, datetime | None]:
        rows = await self._session.execute(
            select(Station.id, Station.last_seen_at).where(Station.id.in_(station_ids))
        )
        seen: dict[str, datetime | None] = dict.fromkeys(station_ids)
        seen.update({sid: at for sid, at in rows})
        return seen


def _inspection(row: InspectionRow) -> Inspection:
    return Inspection(
        car_park_id=row.car_park_id,
        inspected_on=row.inspected_on,
        inspector=row.inspector,
        findings=row.findings,
        rectification_deadline=row.rectification_deadline,
        id=row.id,
    )
