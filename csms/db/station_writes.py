"""Batched writers for the frequent station messages: heartbeats (last seen) and status notifications."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Insert, String, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from csms.db.base import UtcDateTime
from csms.db.bulk import BulkStatement, RowsUpdate
from csms.db.models import Connector, Station, StatusEvent
from csms.domain.stations import BootInfo, StatusChange
from csms.errors import NotFound

_TOUCH = RowsUpdate(
    lambda v: update(Station.__table__).where(Station.id == v.sid).values(last_seen_at=v.seen),
    {"sid": String(), "seen": UtcDateTime()},
)
_INSERT_STATUS = BulkStatement(
    insert(StatusEvent.__table__),
    ("station_id", "evse_id", "connector_id", "status", "error_code", "info", "timestamp", "received_at"),
)


def _upsert_connectors(dialect: str) -> Insert:
    """New connectors are added; a known one changes only if the status is not older than the stored one."""
    insert_for = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}[dialect]
    c = Connector.__table__.c
    statement = insert_for(Connector.__table__)
    new = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[c.station_id, c.evse_id, c.connector_id],
        set_={"status": new.status, "error_code": new.error_code, "updated_at": new.updated_at},
        where=new.updated_at >= c.updated_at,  # a status queued offline and delivered late is history only
    )


_UPSERT_CONNECTORS = BulkStatement(
    _upsert_connectors, ("station_id", "evse_id", "connector_id", "status", "error_code", "updated_at")
)


class StatusWriter:
    """``(station_id, received_at, StatusChange | None)`` items: status history, current connector status and
    last seen; an item without a change is a heartbeat. Both messages share the batch's one last-seen
    update."""

    def write_many(
        self, session: Session, items: Sequence[tuple[str, datetime, StatusChange | None]]
    ) -> None:
        changes = [(sid, at, c) for sid, at, c in items if c is not None]
        _INSERT_STATUS.execute(
            session,
            [(sid, c.evse_id, c.connector_id, c.status, c.error_code, c.info, c.timestamp, at)
             for sid, at, c in changes],
        )
        # one row per connector: an upsert touches each once
        latest: dict[tuple[str, int, int], StatusChange] = {}
        for sid, _, change in sorted(changes, key=lambda i: i[2].timestamp):
            latest[(sid, change.evse_id, change.connector_id)] = change
        _UPSERT_CONNECTORS.execute(
            session, [(*key, c.status, c.error_code, c.timestamp) for key, c in latest.items()]
        )
        seen = {sid: at for sid, at, _ in items}  # a station's latest item wins
        _TOUCH.execute(session, list(seen.items()))


class BootWriter:
    """``(station_id, ocpp_version, BootInfo, now)`` items -> each station's registration status."""

    def write_many(
        self, session: Session, items: Sequence[tuple[str, str, BootInfo, datetime]]
    ) -> list[str]:
        ids = {sid for sid, _, _, _ in items}
        stations = {s.id: s for s in session.scalars(select(Station).where(Station.id.in_(ids)))}
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
