"""Batched writers for the frequent station messages: heartbeats (last seen) and status notifications."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from csms.db.models import Connector, Station, StatusEvent
from csms.errors import NotFound
from csms.services.stations_types import BootInfo, StatusChange


async def _touch(session: AsyncSession, seen: dict[str, datetime]) -> None:
    if seen:
        await session.execute(update(Station), [{"id": sid, "last_seen_at": at} for sid, at in seen.items()])


class LastSeenWriter:
    """``(station_id, moment)`` items: one bulk UPDATE by primary key for the whole batch."""

    async def write_many(self, session: AsyncSession, items: Sequence[tuple[str, datetime]]) -> None:
        await _touch(session, dict(items))


class StatusWriter:
    """``(station_id, received_at, StatusChange)`` items: history rows, current connector status, last seen."""

    async def write_many(self, session: AsyncSession, items: Sequence[tuple[str, datetime, StatusChange]]) -> None:
        await session.execute(
            insert(StatusEvent.__table__),
            [
                {
                    "station_id": sid, "evse_id": c.evse_id, "connector_id": c.connector_id, "status": c.status,
                    "error_code": c.error_code, "info": c.info, "timestamp": c.timestamp, "received_at": at,
                }
                for sid, at, c in items
            ],
        )
        stations = {sid for sid, _, _ in items}
        current = {
            (c.station_id, c.evse_id, c.connector_id): c
            for c in await session.scalars(select(Connector).where(Connector.station_id.in_(stations)))
        }
        for sid, _, change in sorted(items, key=lambda i: i[2].timestamp):
            key = (sid, change.evse_id, change.connector_id)
            row = current.get(key)
            if row is None:
                row = current[key] = Connector(
                    station_id=sid, evse_id=change.evse_id, connector_id=change.connector_id,
                    status=change.status, error_code=change.error_code, updated_at=change.timestamp,
                )
                session.add(row)
            elif change.timestamp >= row.updated_at:
                # A status queued offline and delivered late must not overwrite a newer one.
                row.status, row.error_code, row.updated_at = change.status, change.error_code, change.timestamp
        await _touch(session, {sid: at for sid, at, _ in items})


class BootWriter:
    """``(station_id, ocpp_version, BootInfo, now)`` items -> each station's registration status."""

    async def write_many(
        self, session: AsyncSession, items: Sequence[tuple[str, str, BootInfo, datetime]]
    ) -> list[str]:
        ids = {sid for sid, _, _, _ in items}
        stations = {s.id: s for s in await session.scalars(select(Station).where(Station.id.in_(ids)))}
        statuses = []
        for sid, version, info, now in items:
            station = stations.get(sid)
            if station is None:
                raise NotFound(f"station {sid!r} is not registered")
            station.ocpp_version = version
            station.vendor, station.model = info.vendor, info.model
            station.serial_number, station.firmware_version = info.serial_number, info.firmware_version
            station.last_boot_at = station.last_seen_at = now
            statuses.append(station.registration_status)
        return statuses
