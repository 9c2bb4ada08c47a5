"""Transactions: durable before the station hears back, idempotent when a station repeats itself.

OCPP 1.6 StartTransaction gets its ``transactionId`` from the database row; a repeated StartTransaction (same
station, connector and timestamp) returns the same id. OCPP 2.0.1 TransactionEvents are unique per
``(transaction, seqNo)``; a repeat is answered as the first one was, and nothing is applied twice.

The session's status, register window and energy are decided by :mod:`csms.domain.session` and stored by
:mod:`csms.db.session_writes`; once a session has ended, nothing changes them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from csms.db import repositories as repo
from csms.db import session_writes as writes
from csms.db.batching import GroupCommitter
from csms.db.models import Transaction, TransactionEvent
from csms.db.uow import UnitOfWork
from csms.domain.authorization import TokenInfo
from csms.domain.events import Event, EventBus, SessionEnded, SessionStarted
from csms.domain.metering import Sample, samples_of
from csms.domain.session import ChargingSession, RegisterReading, StartRequest, register_readings
from csms.domain.timeutil import Clock
from csms.errors import NotFound
from csms.services.tokens import authorize_in

__all__ = ["EventRequest", "StartRequest", "StopRequest", "TransactionService"]


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
    charging_state: str | None = None
    """``transactionInfo.chargingState`` (Charging, EVConnected, SuspendedEV, SuspendedEVSE, Idle)."""


class TransactionService:
    """Transactions' use cases; publishes :class:`SessionStarted` / :class:`SessionEnded` once committed."""

    def __init__(self, uow: UnitOfWork, committer: GroupCommitter, clock: Clock, events: EventBus) -> None:
        self._events = events
        self._uow = uow
        self._committer = committer
        self._clock = clock
        self._starts = writes.StartWriter(authorize_in)

    # -- OCPP 1.6 --------------------------------------------------------------------------------------
    async def start(self, req: StartRequest) -> tuple[int, TokenInfo]:
        """Store a 1.6 StartTransaction (group-committed) and return its durable id and the token's status."""
        transaction_id, info, created = await self._committer.submit(self._starts, (req, self._clock()))
        if created:
            self._events.publish(SessionStarted(self._clock(), req.station_id, transaction_id, req.evse_id))
        return transaction_id, info

    async def stop(self, req: StopRequest) -> TokenInfo | None:
        ended: Event | None = None
        async with self._uow() as session:
            await writes.lock_for_write(session)
            info = await session.run_sync(authorize_in, req.id_token, self._clock())
            tx = await writes.transaction_for_update(session, req.transaction_id)
            if tx is None or tx.station_id != req.station_id:
                # The spec has the CSMS accept the stop anyway; nothing to record against.
                return info
            before = writes.restore(tx)
            if not before.ended:  # a repeated stop (a retry after a lost reply) changes and adds nothing
                session.add_all(writes.reading_rows(req.station_id, tx.evse_id, tx.id, req.samples))
                last = [RegisterReading(req.timestamp, req.meter_stop_wh), *register_readings(req.samples)]
                after = before.end(last, await writes.register_history(session, tx.id))
                writes.store(tx, after)
                tx.stopped_at = req.timestamp
                tx.stop_reason = req.reason or "Local"
                ended = SessionEnded(self._clock(), tx.station_id, tx.id, tx.evse_id, after.energy_wh)
        if ended is not None:
            self._events.publish(ended)
        return info

    # -- OCPP 2.0.1 ------------------------------------------------------------------------------------
    async def event(self, req: EventRequest) -> TokenInfo | None:
        try:
            info, happened = await self._event_once(req)
        except IntegrityError:
            info, happened = await self._event_once(req)
        self._events.publish_all(happened)
        return info

    async def _event_once(self, req: EventRequest) -> tuple[TokenInfo | None, list[Event]]:
        happened: list[Event] = []
        async with self._uow() as session:
            await writes.lock_for_write(session)
            info = await session.run_sync(authorize_in, req.id_token, self._clock())
            tx = await writes.transaction_by_uid_for_update(session, req.station_id, req.uid)
            if tx is None:
                # Started, or an Updated/Ended whose Started was lost: the session exists from now on.
                tx = Transaction(
                    station_id=req.station_id,
                    uid=req.uid,
                    evse_id=req.evse_id or 0,
                    connector_id=req.connector_id or 1,
                    started_at=req.timestamp,
                    offline=req.offline,
                )
                writes.store(tx, ChargingSession.opened_v201(req.charging_state))
                session.add(tx)
                await session.flush()
                happened.append(SessionStarted(self._clock(), tx.station_id, tx.id, req.evse_id or 0))
            elif await _seen(session, tx.id, req.seq_no):
                return info, []
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
            session.add_all(writes.reading_rows(req.station_id, tx.evse_id, tx.id, req.samples))
            before = writes.restore(tx)
            found = register_readings(req.samples)
            if req.event_type == "Ended" and not before.ended:
                after = before.end(found, await writes.register_history(session, tx.id))
                tx.stopped_at = req.timestamp
                tx.stop_reason = req.stopped_reason or "Local"
                happened.append(
                    SessionEnded(self._clock(), tx.station_id, tx.id, tx.evse_id, after.energy_wh)
                )
            else:  # after Ended, nothing changes the session (the readings are kept above)
                after = before.charging_state(req.charging_state).metered(found)
            if after != before:
                writes.store(tx, after)
            return info, happened

    # -- reads -----------------------------------------------------------------------------------------
    async def search(self, page: repo.Page, **filters: object) -> tuple[Sequence[Transaction], int]:
        async with self._uow.read() as session:
            return await repo.search_transactions(session, page, **filters)  # type: ignore[arg-type]

    async def scan(self, batch: int, **filters: object) -> AsyncIterator[Sequence[Any]]:
        """The whole filtered set of :meth:`search`, in its order, by batches of ``batch`` (keyset paging:
        each batch is one short read; nothing is held open between them). Rows with the attributes of a
        transaction's columns."""
        after: tuple[datetime, int] | None = None
        while True:
            async with self._uow.read() as session:
                rows = await repo.transactions_after(session, after, batch, **filters)  # type: ignore[arg-type]
            if not rows:
                return
            yield rows
            if len(rows) < batch:
                return
            after = (rows[-1].started_at, rows[-1].id)

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
