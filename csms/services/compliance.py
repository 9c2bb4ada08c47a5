"""The compliance package's storage and live telemetry, on the CSMS's database and station events.

Each request of the compliance routes is one unit of work: its car-park repository and its telemetry source
share one session, committed when the route returns.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from csms.db.compliance_store import SqlCarParkRepository, StationLastSeen
from csms.db.uow import UnitOfWork
from csms.domain.timeutil import Clock
from csms.services.presence import Presence


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


class ComplianceService:
    def __init__(self, uow: UnitOfWork, clock: Clock, presence: Presence) -> None:
        self._uow = uow
        self._clock = clock
        self._presence = presence

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[ComplianceUnit]:
        """One unit of work: commits when the block ends without error."""
        async with self._uow() as session:
            yield ComplianceUnit(
                SqlCarParkRepository(session, self._clock),
                LiveTelemetry(StationLastSeen(session), self._presence),
            )
