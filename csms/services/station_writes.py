"""Batched writers for the frequent station messages: heartbeats (last seen) and status notifications."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from csms.db.bulk import BulkStatement
from csms.db.models import Connector, Station, StatusEvent
from csms.errors import NotFound
from csms.services.stations_types import BootInfo, StatusChange

_TOUCH = BulkStatement(
    update(Station.__table__).where(Station.id == bindparam("sid")).values(last_seen_at=bindparam("seen")),
    ("sid", "seen"),
)
_INSERT_STATUS = BulkStatement(
    insert(StatusEvent.__table__),
    ("station_id", "evse_id", "connector_id", "status", "error_code", "info", "timestamp", "received_at"),
)
_C = Connector.__table__.c
_INSERT_CONNECTOR = BulkStatement(
    insert(Connector.__table__), ("station_id", "evse_id", "connector_id", "status", "error_code", "updated_at")
)
_UPDATE_CONNECTOR = BulkStatement(
    update(Connector.__table__)
    .where(_C.station_id == bindparam("sid"), _C.evse_id == bindparam("evse"), _C.connector_id == bindparam("conn"))
    .values(status=bindparam("new_status"), error_code=bindparam("new_error"), updated_at=bindparam("at")),
    ("sid", "evse", "conn", "new_status", "new_error", "at"),
)


async def _touch(session: AsyncSession, seen: dict[str, datetime]) -> None:
    await _TOUCH.execute(session, list(seen.items()))


class LastSeenWriter:
    """``(station_id, moment)`` items: one bulk UPDATE by primary key for the whole batch."""

    async def write_many(self, session: AsyncSession, items: Sequence[tuple[str, datetime]]) -> None:
        await _touch(session, dict(items))


class StatusWriter:
    """``(station_id, received_at, StatusChange)`` items: history rows, current connector status, last seen."""

    async def write_many(self, session: AsyncSession, items: Sequence[tuple[str, datetime, StatusChange]]) -> None:
        await _INSERT_STATUS.execute(
            session,
            [(sid, c.evse_id, c.connector_id, c.status, c.error_code, c.info, c.timestamp, at) for sid, at, c in items],
        )
        query = select(_C.station_id, _C.evse_id, _C.connector_id, _C.updated_at).where(
            _C.station_id.in_({sid for sid, _, _ in items})
        )
        stored = {(r.station_id, r.evse_id, r.connector_id): r.updated_at for r in await session.execute(query)}
        latest: dict[tuple[str, int, int], StatusChange] = {}
        for sid, _, change in sorted(items, key=lambda i: i[2].timestamp):
            latest[(sid, change.evse_id, change.connector_id)] = change
        new, changed = [], []
        for key, c in latest.items():
            if key not in stored:
                new.append((*key, c.status, c.error_code, c.timestamp))
            elif c.timestamp >= stored[key]:  # a status queued offline and delivered late must not overwrite a newer one
                changed.append((*key, c.status, c.error_code, c.timestamp))
        await _INSERT_CONNECTOR.execute(session, new)
        await _UPDATE_CONNECTOR.execute(session, changed)
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
