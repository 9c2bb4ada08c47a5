"""GetTransactionStatus (2.0.1 E14), sent by the CSMS when a transaction's events show a gap or an offline
Ended, and the session's sync state kept from the answers (:mod:`csms.domain.transaction_sync`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from csms.db.models import Transaction, TransactionEvent
from csms.db.models_tariffs import TransactionSync
from csms.db.uow import UnitOfWork
from csms.domain.timeutil import Clock
from csms.domain.transaction_sync import (
    SyncState,
    after_answer,
    after_event,
    missing_seq_nos,
    should_ask,
)
from csms.errors import NotFound


@dataclass(frozen=True)
class SyncView:
    transaction_id: int
    state: str
    missing_seq_nos: list[int]
    messages_in_queue: bool | None
    ongoing: bool | None
    asked_at: datetime | None
    answered_at: datetime | None
    reconciled_at: datetime | None


class TransactionSyncService:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def observe(self, station_id: str, uid: str, *, event_type: str, offline: bool) -> bool:
        """A TransactionEvent of ``uid`` was stored: update its sync state; whether to ask the station."""
        try:
            return await self._observe(station_id, uid, event_type, offline)
        except IntegrityError:  # two events of one transaction raced to create its row
            return await self._observe(station_id, uid, event_type, offline)

    async def _observe(self, station_id: str, uid: str, event_type: str, offline: bool) -> bool:
        async with self._uow() as session:
            found = await _transaction(session, station_id, uid)
            if found is None:
                return False
            tx_pk, seen = found
            row = await session.get(TransactionSync, tx_pk)
            before = SyncState(row.state) if row else None
            state = after_event(before, seen)
            if row is not None and state is SyncState.RECONCILED and before is not SyncState.RECONCILED:
                row.state, row.missing_seq_nos, row.reconciled_at = state.value, [], self._clock()
                return False
            ask = should_ask(seen, event_type=event_type, offline=offline)
            if ask:
                if row is None:
                    row = TransactionSync(transaction_pk=tx_pk, state=SyncState.COMPLETE.value)
                    session.add(row)
                settled = row.state in (SyncState.COMPLETE.value, SyncState.RECONCILED.value)
                if settled and missing_seq_nos(seen):
                    row.state = SyncState.GAP.value
                row.asked_at = self._clock()
                row.missing_seq_nos = missing_seq_nos(seen)
            return ask

    async def answered(
        self, station_id: str, uid: str, *, messages_in_queue: bool, ongoing: bool | None
    ) -> None:
        """The station's GetTransactionStatusResponse: wait for more, or store the gap as it is."""
        async with self._uow() as session:
            found = await _transaction(session, station_id, uid)
            if found is None:
                return
            tx_pk, seen = found
            row = await session.get(TransactionSync, tx_pk)
            if row is None:
                row = TransactionSync(
                    transaction_pk=tx_pk, state=SyncState.COMPLETE.value, missing_seq_nos=[]
                )
                session.add(row)
            state = after_answer(seen, messages_in_queue=messages_in_queue)
            if state is SyncState.COMPLETE and row.state in (SyncState.GAP.value, SyncState.AWAITING.value):
                state = SyncState.RECONCILED
                row.reconciled_at = self._clock()
            row.state, row.missing_seq_nos = state.value, missing_seq_nos(seen)
            row.messages_in_queue, row.ongoing, row.answered_at = messages_in_queue, ongoing, self._clock()

    async def of(self, transaction_id: int) -> SyncView:
        async with self._uow.read() as session:
            if await session.get(Transaction, transaction_id) is None:
                raise NotFound(f"transaction {transaction_id} does not exist")
            row = await session.get(TransactionSync, transaction_id)
            if row is None:
                return SyncView(transaction_id, SyncState.COMPLETE.value, [], None, None, None, None, None)
            return SyncView(transaction_id, row.state, list(row.missing_seq_nos), row.messages_in_queue,
                            row.ongoing, row.asked_at, row.answered_at, row.reconciled_at)


async def _transaction(session: AsyncSession, station_id: str, uid: str) -> tuple[int, set[int]] | None:
    tx_pk = await session.scalar(
        select(Transaction.id).where(Transaction.station_id == station_id, Transaction.uid == uid)
    )
    if tx_pk is None:
        return None
    mine = TransactionEvent.transaction_pk == tx_pk
    count, lowest, highest = (await session.execute(
        select(func.count(), func.min(TransactionEvent.seq_no), func.max(TransactionEvent.seq_no)).where(mine)
    )).one()
    if highest is None or (lowest >= 0 and count == highest + 1):  # seqNos are unique: 0..highest arrived
        return tx_pk, set(range(0 if highest is None else highest + 1))
    return tx_pk, set(await session.scalars(select(TransactionEvent.seq_no).where(mine)))
