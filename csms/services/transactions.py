"""Transactions: durable before the station hears back, idempotent when a station repeats itself.

OCPP 1.6 StartTransaction gets its ``transactionId`` from the database row; a repeated StartTransaction (same
station, connector and timestamp) returns the same id. OCPP 2.0.1 TransactionEvents are unique per
``(transaction, seqNo)``; a repeat is answered as the first one was, and nothing is applied twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from csms.db import repositories as repo
from csms.db.batching import GroupCommitter
from csms.db.models import MeterReading, Transaction, TransactionEvent
from csms.db.uow import UnitOfWork
from csms.domain.authorization import TokenInfo
from csms.domain.events import EventBus
from csms.domain.metering import Sample, readings, samples_of, session_energy_wh, widen_register
from csms.domain.timeutil import Clock
from csms.errors import NotFound
from csms.services.tokens import authorize_in


@dataclass(frozen=True, slots=True)
class StartRequest:
    station_id: str
    evse_id: int
    id_token: str
    meter_start_wh: float
    timestamp: datetime
    connector_id: int = 1


@dataclass(frozen=True, slots=True)
class StopRequest:
    station_id: str
    transaction_id: int
    meter_stop_wh: float
    timestamp: datetime
    reason: str | None = None
    id_token: str | None = None
    samples: Sequence[Sample] = ()


@dataclass(frozen=True, slots=True)
class EventRequest:
    """An OCPP 2.0.1 TransactionEvent, translated."""

    station_id: str
    event_type: str
    uid: str
    seq_no: int
    timestamp: datetime
    trigger_reason: str
    evse_id: int | None = None
    connector_id: int | None = None
    id_token: str | None = None
    offline: bool = False
    stopped_reason: str | None = None
    remote_start_id: int | None = None
    samples: Sequence[Sample] = field(default_factory=tuple)


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


def apply_register(tx: Transaction, samples: Sequence[Sample]) -> None:
    """Widen the session's register window with energy-register readings (see ``widen_register``)."""
    window = widen_register(tx.meter_start_wh, tx.meter_stop_wh, samples)
    if window is not None:
        tx.meter_start_wh, tx.meter_stop_wh = window
        tx.energy_wh = session_energy_wh(*window)


class StartWriter:
    """``(StartRequest, now)`` items -> ``(transaction id, TokenInfo)``, idempotent per station/EVSE/start
    time."""

    def write_many(
        self, session: Session, items: Sequence[tuple[StartRequest, datetime]]
    ) -> list[tuple[int, TokenInfo]]:
        stations = {req.station_id for req, _ in items}
        moments = {req.timestamp for req, _ in items}
        query = select(Transaction).where(
            Transaction.station_id.in_(stations), Transaction.started_at.in_(moments)
        )
        known = {(t.station_id, t.evse_id, t.started_at): t for t in session.scalars(query)}
        rows: list[tuple[Transaction, TokenInfo]] = []
        for req, now in items:
            info = authorize_in(session, req.id_token, now)
            assert info is not None
            key = (req.station_id, req.evse_id, req.timestamp)
            tx = known.get(key)
            if tx is None:  # a repeat (even within this batch) finds the first one
                tx = known[key] = Transaction(
                    station_id=req.station_id, evse_id=req.evse_id, connector_id=req.connector_id,
                    id_token=req.id_token, status="Active", meter_start_wh=req.meter_start_wh,
                    started_at=req.timestamp, offline=False,
                )
                session.add(tx)
            rows.append((tx, info))
        session.flush()  # the ids come from the database
        return [(tx.id, info) for tx, info in rows]


class TransactionService:
    def __init__(self, uow: UnitOfWork, committer: GroupCommitter, clock: Clock, events: EventBus) -> None:
        self._events = events
        self._uow = uow
        self._committer = committer
        self._clock = clock
        self._starts = StartWriter()

    # -- OCPP 1.6 --------------------------------------------------------------------------------------
    async def start(self, req: StartRequest) -> tuple[int, TokenInfo]:
        """Store a 1.6 StartTransaction (group-committed) and return its durable id and the token's status."""
        return await self._committer.submit(self._starts, (req, self._clock()))

    async def stop(self, req: StopRequest) -> TokenInfo | None:
        async with self._uow() as session:
            info = await session.run_sync(authorize_in, req.id_token, self._clock())
            tx = await session.get(Transaction, req.transaction_id)
            if tx is None or tx.station_id != req.station_id:
                # The spec has the CSMS accept the stop anyway; nothing to record against.
                return info
            if tx.status == "Active":
                session.add_all(reading_rows(req.station_id, tx.evse_id, tx.id, req.samples))
                tx.status = "Completed"
                tx.stopped_at = req.timestamp
                tx.stop_reason = req.reason or "Local"
                tx.meter_stop_wh = req.meter_stop_wh
                tx.energy_wh = session_energy_wh(tx.meter_start_wh, tx.meter_stop_wh)
            return info

    # -- OCPP 2.0.1 ------------------------------------------------------------------------------------
    async def event(self, req: EventRequest) -> TokenInfo | None:
        try:
            return await self._event_once(req)
        except IntegrityError:
            return await self._event_once(req)

    async def _event_once(self, req: EventRequest) -> TokenInfo | None:
        async with self._uow() as session:
            info = await session.run_sync(authorize_in, req.id_token, self._clock())
            tx = await repo.transaction_by_uid(session, req.station_id, req.uid)
            if tx is None:
                # Started, or an Updated/Ended whose Started was lost: the session exists from now on.
                tx = Transaction(
                    station_id=req.station_id,
                    uid=req.uid,
                    evse_id=req.evse_id or 0,
                    connector_id=req.connector_id or 1,
                    status="Active",
                    started_at=req.timestamp,
                    offline=req.offline,
                )
                session.add(tx)
                await session.flush()
            elif await _seen(session, tx.id, req.seq_no):
                return info
            session.add(
                TransactionEvent(
                    transaction_pk=tx.id,
                    seq_no=req.seq_no,
                    event_type=req.event_type,
                    trigger_reason=req.trigger_reason,
                    timestamp=req.timestamp,
                    offline=req.offline,
                )
            )
            if req.evse_id is not None and not tx.evse_id:
                tx.evse_id = req.evse_id
            if req.id_token is not None:
                tx.id_token = req.id_token
            if req.remote_start_id is not None:
                tx.remote_start_id = req.remote_start_id
            tx.offline = tx.offline or req.offline
            tx.last_seq_no = max(tx.last_seq_no or 0, req.seq_no)
            session.add_all(reading_rows(req.station_id, tx.evse_id, tx.id, req.samples))
            apply_register(tx, req.samples)
            if req.event_type == "Ended":
                tx.status = "Completed"
                tx.stopped_at = req.timestamp
                tx.stop_reason = req.stopped_reason or "Local"
            return info

    # -- reads -----------------------------------------------------------------------------------------
    async def search(self, page: repo.Page, **filters: object) -> tuple[Sequence[Transaction], int]:
        async with self._uow.read() as session:
            return await repo.search_transactions(session, page, **filters)  # type: ignore[arg-type]

    async def detail(self, transaction_id: int) -> tuple[Transaction, list[Sample]]:
        """The transaction and its meter samples, in time order."""
        async with self._uow.read() as session:
            tx = await session.get(Transaction, transaction_id)
            if tx is None:
                raise NotFound(f"transaction {transaction_id} does not exist")
            found = await repo.meter_readings_of(session, tx.id)
            return tx, [s for reading in found for s in samples_of(reading.timestamp, reading.samples)]


async def _seen(session: AsyncSession, transaction_pk: int, seq_no: int) -> bool:
    found = await session.scalar(
        select(TransactionEvent.id).where(
            TransactionEvent.transaction_pk == transaction_pk, TransactionEvent.seq_no == seq_no
        )
    )
    return found is not None
