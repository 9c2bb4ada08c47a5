"""A station's own BootNotification intervals (B01-B03): the Pending retry interval and the heartbeat
interval an operator set for it, overriding the configured ones."""

from __future__ import annotations

from dataclasses import dataclass

from csms.db.models import Station
from csms.db.models_tariffs import StationBootSettings
from csms.db.uow import UnitOfWork
from csms.domain.timeutil import Clock
from csms.errors import NotFound


@dataclass(frozen=True)
class BootIntervals:
    """``None``: the configured interval applies."""

    pending_retry_interval_s: int | None = None
    heartbeat_interval_s: int | None = None


class BootIntervalService:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def of(self, station_id: str) -> BootIntervals:
        async with self._uow.read() as session:
            row = await session.get(StationBootSettings, station_id)
            if row is None:
                if await session.get(Station, station_id) is None:
                    raise NotFound(f"station {station_id!r} is not registered")
                return BootIntervals()
            return BootIntervals(row.pending_retry_interval_s, row.heartbeat_interval_s)

    async def overrides(self, station_id: str) -> BootIntervals:
        """As :meth:`of`, but an unknown station has none (the boot path must not fail on it)."""
        async with self._uow.read() as session:
            row = await session.get(StationBootSettings, station_id)
            return BootIntervals() if row is None else BootIntervals(
                row.pending_retry_interval_s, row.heartbeat_interval_s
            )

    async def set(self, station_id: str, intervals: BootIntervals) -> BootIntervals:
        async with self._uow() as session:
            if await session.get(Station, station_id) is None:
                raise NotFound(f"station {station_id!r} is not registered")
            row = await session.get(StationBootSettings, station_id)
            if row is None:
                row = StationBootSettings(station_id=station_id)
                session.add(row)
            row.pending_retry_interval_s = intervals.pending_retry_interval_s
            row.heartbeat_interval_s = intervals.heartbeat_interval_s
            row.updated_at = self._clock()
        return intervals
