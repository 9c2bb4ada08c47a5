"""The charging session's storage: the writers load a session, ask :mod:`csms.domain.session` what it now is,
and store that. No status string, window rule or energy arithmetic lives here.

Read-decide-write is guarded against the other writers of the same transaction row:

- **PostgreSQL**: the group committer runs on its own thread, concurrently with the units of work of
  StopTransaction and TransactionEvent. Both read the transaction rows ``FOR UPDATE`` (a batch in id order),
  so the later one waits for the earlier one's commit and decides on what it committed.
- **SQLite**: one connection at a time holds the write lock. The committer takes it as it begins (``BEGIN
  IMMEDIATE``); a unit of work takes it with its first statement (:func:`lock_for_write`), because the driver
  begins no transaction for a SELECT and a read before the lock could be stale when the write comes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Float, Integer, Select, insert, select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from csms.db.base import UtcDateTime
from csms.db.batching import after_commit, others_wrote_since
from csms.db.bulk import BulkStatement, RowsUpdate
from csms.db.models import MeterReading, Transaction
from csms.domain.authorization import TokenInfo
from csms.domain.metering import MeterReport, Sample, readings, register_values
from csms.domain.session import (
    ChargingSession,
    RegisterReading,
    RegisterWindow,
    SessionStatus,
    StartRequest,
    register_readings,
)

_NO_OP_WRITE = text("UPDATE transactions SET id = id WHERE 0")


# -- one session, in a unit of work (ORM rows) -----------------------------------------------------------
def restore(tx: Transaction) -> ChargingSession:
    """The domain session a stored transaction row holds."""
    return _session(
        tx.status, tx.meter_start_wh, tx.register_start_at, tx.meter_stop_wh, tx.register_stop_at,
        tx.started_at,
    )


def store(tx: Transaction, session: ChargingSession) -> None:
    """Write ``session``'s status, window and energy into its row."""
    tx.status = session.status
    tx.meter_start_wh, tx.register_start_at, tx.meter_stop_wh, tx.register_stop_at = _window_columns(session)
    tx.energy_wh = session.energy_wh


async def lock_for_write(session: AsyncSession) -> None:
    """SQLite: take the database's write lock now, before the session is read (no-op elsewhere)."""
    if session.bind.dialect.name == "sqlite":
        await session.execute(_NO_OP_WRITE)


def _for_update(query: Select) -> Select:
    return query.with_for_update()  # PostgreSQL: a row lock; SQLite ignores it (its lock is the database's)


async def transaction_for_update(session: AsyncSession, transaction_id: int) -> Transaction | None:
    return await session.scalar(_for_update(select(Transaction).where(Transaction.id == transaction_id)))


async def transaction_by_uid_for_update(
    session: AsyncSession, station_id: str, uid: str
) -> Transaction | None:
    query = select(Transaction).where(Transaction.station_id == station_id, Transaction.uid == uid)
    return await session.scalar(_for_update(query))


async def register_history(session: AsyncSession, transaction_pk: int) -> list[RegisterReading]:
    """Every stored energy-register reading of the session (for the window's decision at its end)."""
    rows = await session.execute(
        select(MeterReading.timestamp, MeterReading.samples)
        .where(MeterReading.transaction_pk == transaction_pk)
    )
    return [RegisterReading(at, value) for at, stored in rows for value in register_values(stored)]


def reading_rows(
    station_id: str, evse_id: int, transaction_pk: int | None, samples: Sequence[Sample]
) -> list[MeterReading]:
    return [
        MeterReading(
            station_id=station_id, transaction_pk=transaction_pk, evse_id=evse_id, timestamp=at,
            samples=stored,
        )
        for at, stored in readings(samples)
    ]


# -- batched writers for the group committer -------------------------------------------------------------
class StartWriter:
    """``(StartRequest, now)`` items -> ``(transaction id, TokenInfo, created)``, idempotent per
    station/EVSE/start time; ``authorize(session, id_token, now)`` gives each start's token status."""

    def __init__(self, authorize: Callable[[Session, str, datetime], TokenInfo | None]) -> None:
        self._authorize = authorize

    def write_many(
        self, session: Session, items: Sequence[tuple[StartRequest, datetime]]
    ) -> list[tuple[int, TokenInfo, bool]]:
        stations = {req.station_id for req, _ in items}
        moments = {req.timestamp for req, _ in items}
        query = select(Transaction).where(
            Transaction.station_id.in_(stations), Transaction.started_at.in_(moments)
        )
        known = {(t.station_id, t.evse_id, t.started_at): t for t in session.scalars(query)}
        rows: list[tuple[Transaction, TokenInfo, bool]] = []
        for req, now in items:
            info = self._authorize(session, req.id_token, now)
            assert info is not None
            key = (req.station_id, req.evse_id, req.timestamp)
            tx = known.get(key)
            created = tx is None
            if tx is None:  # a repeat (even within this batch) finds the first one
                tx = known[key] = Transaction(
                    station_id=req.station_id, evse_id=req.evse_id, connector_id=req.connector_id,
                    id_token=req.id_token, started_at=req.timestamp, offline=False,
                )
                store(tx, ChargingSession.started_v16(RegisterReading(req.timestamp, req.meter_start_wh)))
                session.add(tx)
            rows.append((tx, info, created))
        session.flush()  # the ids come from the database
        return [(tx.id, info, created) for tx, info, created in rows]


class MeterWriter:
    """MeterValues: the readings inserted in bulk, each open session's window decided by the domain.

    On SQLite the group committer's connection is the database's only writer of meter readings, and no other
    writer of its connection changes a stored transaction (:class:`StartWriter` only adds new ones). So the
    sessions this writer has read or written stay true until another connection commits, which
    :func:`others_wrote_since` tells: they are kept, and a batch reads only the sessions it has not seen
    (a closed-loop fleet's batch reads none).
    """

    MAX_KEPT = 50_000
    """Sessions kept at most; past that, the memory is dropped and refilled from the database."""

    def __init__(self) -> None:
        self._kept: dict[object, _Found] = {}
        self._token: object = None

    def write_many(self, session: Session, reports: Sequence[MeterReport]) -> None:
        if session.get_bind().dialect.name == "sqlite":
            session.execute(_NO_OP_WRITE)  # the committer holds the lock already; a unit of work takes it
        stale, token = others_wrote_since(session, self._token)
        if stale or len(self._kept) > self.MAX_KEPT:
            self._kept, self._token = {}, None
        kept = self._kept
        known = {k: kept[k] for r in reports if (k := _key(r)) is not None and k in kept}
        if len(known) < len(reports):
            known.update(_sessions(session, [r for r in reports if _key(r) not in known]))
        rows, changed = [], {}
        for report in reports:
            key = _key(report)
            found = known.get(key) if key is not None else None
            if found is not None and found[0] != report.station_id:
                found = None  # a station cannot write into another station's transaction
            if found is not None:
                station_id, tx_id, before = found
                after = before.metered(register_readings(report.samples))  # an ended one stays as it is
                if after is not before:
                    known[key] = (station_id, tx_id, after)
                    changed[tx_id] = after
            head = (report.station_id, found[1] if found is not None else None, report.evse_id)
            rows.extend((*head, at, orjson.dumps(stored).decode()) for at, stored in readings(report.samples))
        _INSERT_READINGS.execute(session, rows)
        _STORE_WINDOW.execute(
            session, [(tx_id, *_window_columns(s), s.energy_wh) for tx_id, s in changed.items()]
        )
        if token is not None:  # only what is committed is kept: a batch rolled back leaves no trace
            after_commit(session, lambda: self._keep(token, known))

    def _keep(self, token: object, found: dict[object, _Found]) -> None:
        if self._token is None or self._token == token:
            self._kept.update(found)
            self._token = token


def _key(report: MeterReport) -> object:
    """How a report names its transaction: the 1.6 row id, or (station, 2.0.1 uid); ``None``: no session."""
    if report.transaction_uid is None:
        return report.transaction_id
    return report.station_id, report.transaction_uid


def _store_window(v: Any) -> Any:
    c = Transaction.__table__.c
    return (
        update(Transaction.__table__)
        .where(c.id == v.tx_id)
        .values(
            meter_start_wh=v.start, register_start_at=v.start_at, meter_stop_wh=v.stop,
            register_stop_at=v.stop_at, energy_wh=v.energy,
        )
    )


_INSERT_READINGS = BulkStatement(
    insert(MeterReading.__table__),
    ("station_id", "transaction_pk", "evse_id", "timestamp", "samples"),
    encoded=("samples",),  # JSON text, encoded once per reading
)
_STORE_WINDOW = RowsUpdate(
    _store_window,
    {
        "tx_id": Integer(), "start": Float(), "start_at": UtcDateTime(), "stop": Float(),
        "stop_at": UtcDateTime(), "energy": Float(),
    },
)


_Found = tuple[str, int, ChargingSession]


def _sessions(session: Session, reports: Iterable[MeterReport]) -> dict[object, _Found]:
    """``(station, row id, session)`` of the transactions the reports refer to, by 1.6 id and by (station,
    2.0.1 uid), in at most two queries; locked for update (PostgreSQL) in id order."""
    c = Transaction.__table__.c
    columns = (
        c.id, c.station_id, c.uid, c.status, c.meter_start_wh, c.register_start_at, c.meter_stop_wh,
        c.register_stop_at, c.started_at,
    )
    reports = list(reports)
    ids = {r.transaction_id for r in reports if r.transaction_id is not None and r.transaction_uid is None}
    uids = {(r.station_id, r.transaction_uid) for r in reports if r.transaction_uid is not None}
    known: dict[object, _Found] = {}
    queries = []
    if ids:
        queries.append((False, select(*columns).where(c.id.in_(ids))))
    if uids:
        queries.append((True, select(*columns).where(tuple_(c.station_id, c.uid).in_(list(uids)))))
    for by_uid, query in queries:
        for tx_id, station_id, uid, *state in session.execute(query.order_by(c.id).with_for_update()):
            known[(station_id, uid) if by_uid else tx_id] = (station_id, tx_id, _session(*state))
    return known


def _session(
    status: str, start_wh: float | None, start_at: datetime | None, stop_wh: float | None,
    stop_at: datetime | None, started_at: datetime,
) -> ChargingSession:
    # Rows written before migration 0006 have readings without times: the session's start stands in.
    start = RegisterReading(start_at or started_at, start_wh) if start_wh is not None else None
    stop = RegisterReading(stop_at or started_at, stop_wh) if stop_wh is not None else None
    return ChargingSession(SessionStatus(status), RegisterWindow(start, stop))


_Columns = tuple[float | None, datetime | None, float | None, datetime | None]


def _window_columns(session: ChargingSession) -> _Columns:
    start, stop = session.window.start, session.window.stop
    return (
        start.value_wh if start else None, start.at if start else None,
        stop.value_wh if stop else None, stop.at if stop else None,
    )

