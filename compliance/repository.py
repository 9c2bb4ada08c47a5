"""What the REST routes need from storage, as Protocols the CSMS implements (csms/db owns the tables).

The compliance package stores nothing. The CSMS gives :func:`compliance.api.create_router` a dependency
that yields a :class:`CarParkRepository` bound to the request's unit of work (the dependency commits;
repositories never do), and optionally a :class:`TelemetrySource` telling when stations were last heard.
:class:`InMemoryRepository` is the reference implementation, used by the tests and handy in the CSMS's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol, runtime_checkable

from compliance.model import CarPark


@dataclass(frozen=True, slots=True)
class Inspection:
    """One inspection of one car park: when, by whom, what was found, and the rectification deadline."""

    car_park_id: str
    inspected_on: date
    inspector: str
    findings: str
    rectification_deadline: date | None = None
    id: int | None = None  # given by storage


@runtime_checkable
class CarParkRepository(Protocol):
    """Car parks and their inspection history. Async, and never commits: the caller's unit of work does."""

    async def list_car_parks(self) -> Sequence[CarPark]: ...

    async def get_car_park(self, car_park_id: str) -> CarPark | None: ...

    async def upsert_car_parks(self, records: Iterable[CarPark]) -> None: ...

    async def delete_car_park(self, car_park_id: str) -> bool: ...

    async def list_inspections(self, car_park_id: str) -> Sequence[Inspection]: ...

    async def add_inspection(self, inspection: Inspection) -> Inspection: ...


@runtime_checkable
class TelemetrySource(Protocol):
    """When the CSMS last heard each station (aware UTC datetime), ``None`` or absent when never."""

    async def last_seen(self, station_ids: Sequence[str]) -> Mapping[str, datetime | None]: ...


@dataclass
class InMemoryRepository:
    """A dict-backed :class:`CarParkRepository` (and :class:`TelemetrySource` through ``seen``)."""

    car_parks: dict[str, CarPark] = field(default_factory=dict)
    inspections: list[Inspection] = field(default_factory=list)
    seen: dict[str, datetime | None] = field(default_factory=dict)

    async def list_car_parks(self) -> Sequence[CarPark]:
        return list(self.car_parks.values())

    async def get_car_park(self, car_park_id: str) -> CarPark | None:
        return self.car_parks.get(car_park_id)

    async def upsert_car_parks(self, records: Iterable[CarPark]) -> None:
        for record in records:
            self.car_parks[record.id] = record

    async def delete_car_park(self, car_park_id: str) -> bool:
        return self.car_parks.pop(car_park_id, None) is not None

    async def list_inspections(self, car_park_id: str) -> Sequence[Inspection]:
        return sorted(
            (i for i in self.inspections if i.car_park_id == car_park_id), key=lambda i: i.inspected_on
        )

    async def add_inspection(self, inspection: Inspection) -> Inspection:
        stored = dataclasses.replace(inspection, id=len(self.inspections) + 1)
        self.inspections.append(stored)
        return stored

    async def last_seen(self, station_ids: Sequence[str]) -> Mapping[str, datetime | None]:
        return {sid: self.seen.get(sid) for sid in station_ids}
