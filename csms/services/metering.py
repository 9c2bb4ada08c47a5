"""MeterValues: normalised readings stored through the group committer, linked to their transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Float, Integer, Update, case, insert, or_, select, tuple_, update
from sqlalchemy.orm import Session

from csms.db.batching import GroupCommitter
from csms.db.bulk import BulkStatement, RowsUpdate
from csms.db.models import MeterReading, Transaction
from csms.domain.metering import Sample, readings, widen_register


@dataclass(frozen=True, slots=True)
class MeterReport:
    station_id: str
    evse_id: int
    samples: Sequence[Sample]
    transaction_id: int | None = None
    """OCPP 1.6 ``transactionId`` (the row id)."""
    transaction_uid: str | None = None
    """OCPP 2.0.1 ``transactionId`` (the station's string)."""


class MeterService:
    def __init__(self, committer: GroupCommitter) -> None:
        self._committer = committer

    async def write(self, report: MeterReport) -> None:
        """Store ``report``; returns once it is committed (the station is answered after that)."""
        await self._committer.submit(self, report)

    def write_many(self, session: Session, reports: Sequence[MeterReport]) -> None:
        known = _transactions(session, reports)
        rows, windows = [], {}
        for report in reports:
            key = (
                report.transaction_id if report.transaction_uid is None
                else (report.station_id, report.transaction_uid)
            )
            tx = known.get(key) if key is not None else None
            if tx is not None and tx["station_id"] != report.station_id:
                tx = None  # a station cannot write into another station's transaction
            if tx is not None:
                window = widen_register(tx["meter_start_wh"], tx["meter_stop_wh"], report.samples)
                if window is not None:
                    tx["meter_start_wh"], tx["meter_stop_wh"] = window
                    windows[tx["id"]] = tx
            head = (report.station_id, tx["id"] if tx is not None else None, report.evse_id)
            rows.extend((*head, at, orjson.dumps(stored).decode()) for at, stored in readings(report.samples))
        _INSERT_READINGS.execute(session, rows)
        _WIDEN_WINDOW.execute(
            session, [(t["id"], t["meter_start_wh"], t["meter_stop_wh"]) for t in windows.values()]
        )


def _widen(v: Any) -> Update:
    # Monotonic in SQL too: a concurrent StopTransaction's final reading is never lowered.
    c = Transaction.__table__.c
    new_start = case(
        (or_(c.meter_start_wh.is_(None), c.meter_start_wh > v.start), v.start), else_=c.meter_start_wh
    )
    new_stop = case((or_(c.meter_stop_wh.is_(None), c.meter_stop_wh < v.stop), v.stop), else_=c.meter_stop_wh)
    return (
        update(Transaction.__table__)
        .where(c.id == v.tx_id)
        .values(meter_start_wh=new_start, meter_stop_wh=new_stop, energy_wh=new_stop - new_start)
    )


_INSERT_READINGS = BulkStatement(
    insert(MeterReading.__table__),
    ("station_id", "transaction_pk", "evse_id", "timestamp", "samples"),
    encoded=("samples",),  # JSON text, encoded once per reading
)
_WIDEN_WINDOW = RowsUpdate(_widen, {"tx_id": Integer(), "start": Float(), "stop": Float()})


def _transactions(session: Session, reports: Sequence[MeterReport]) -> dict[object, dict]:
    """The transactions the reports refer to, by 1.6 id and by (station, 2.0.1 uid), in at most two
    queries."""
    table = Transaction.__table__
    columns = (table.c.id, table.c.station_id, table.c.uid, table.c.meter_start_wh, table.c.meter_stop_wh)
    ids = {r.transaction_id for r in reports if r.transaction_id is not None and r.transaction_uid is None}
    uids = {(r.station_id, r.transaction_uid) for r in reports if r.transaction_uid is not None}
    names = [c.name for c in columns]
    known: dict[object, dict] = {}
    if ids:
        for row in session.execute(select(*columns).where(table.c.id.in_(ids))):
            known[row[0]] = dict(zip(names, row, strict=True))
    if uids:
        query = select(*columns).where(tuple_(table.c.station_id, table.c.uid).in_(list(uids)))
        for row in session.execute(query):
            known[(row[1], row[2])] = dict(zip(names, row, strict=True))
    return known
