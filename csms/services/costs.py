"""Session costs (OCPP 2.0.1 block I; 1.6 sessions alike): priced by the domain, stored per session.

A session is charged under the tariff that applies to its station when it is first costed (pinned: a copy
of the definition is kept with the session, so editing a tariff never changes a session under way). Its cost
is the domain's :func:`csms.domain.costing.session_cost` over its stored energy-register readings within its
register window; once the session has ended the cost is final and never recomputed.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from csms.db import session_writes as writes
from csms.db.models import Transaction
from csms.db.models_tariffs import TransactionCost
from csms.db.uow import UnitOfWork
from csms.domain.costing import cost_update_due, period_price_text, price_changed, session_cost
from csms.domain.events import EventBus, SessionEnded
from csms.domain.session import OPEN_STATUSES, RegisterReading, SessionStatus
from csms.domain.tariff import TouTariff, tariff_from_dict
from csms.domain.timeutil import Clock
from csms.errors import NotFound
from csms.services.tariffs import applicable
from csms.tasks import cancel_and_wait

log = logging.getLogger("csms.costs")

#: How long stopping waits for the final costs under way [s].
DRAIN_S = 5.0

#: Sessions whose pinned tariff and told period (I06) are kept in memory.
TOLD_CACHE = 10_000


@dataclass(frozen=True)
class CostView:
    transaction_id: int
    uid: str | None
    station_id: str
    tariff_id: int | None
    tariff_name: str
    currency: str
    total_cost: float
    energy_wh: float
    breakdown: dict[str, Any]
    final: bool
    computed_at: datetime
    cost_sent_at: datetime | None


class CostService:
    def __init__(self, uow: UnitOfWork, clock: Clock, events: EventBus | None = None) -> None:
        self._uow = uow
        self._clock = clock
        self._events = events
        self._unsubscribe: Callable[[], None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._told: OrderedDict[tuple[str, str], tuple[TouTariff, str]] = OrderedDict()
        """(station, transaction uid) -> its pinned tariff and the period last told (I06), the most recent
        :data:`TOLD_CACHE` sessions: an event that tells nothing new reads nothing."""

    def start(self) -> None:
        """Store each session's final cost as it ends (a subscriber of :class:`SessionEnded`)."""
        if self._events is not None and self._unsubscribe is None:
            self._unsubscribe = self._events.subscribe(SessionEnded, self._on_ended)

    def _on_ended(self, event: SessionEnded) -> None:
        """A session ended (1.6 StopTransaction, 2.0.1 Ended): store its final cost."""
        task = asyncio.get_running_loop().create_task(self._finish(event.transaction_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        """Let the final costs under way finish (a few milliseconds each), so that none writes after the
        database is closed; past ``DRAIN_S`` they are cancelled (the API costs a session on demand)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if not self._tasks:
            return
        _done, pending = await asyncio.wait(set(self._tasks), timeout=DRAIN_S)
        for task in pending:
            await cancel_and_wait(task)

    async def _finish(self, transaction_id: int) -> None:
        try:
            await self.of(transaction_id)
        except Exception:  # the top of this background task: log it; the API costs the session on demand
            log.exception("event=final_cost_failed transaction=%s", transaction_id)

    async def of(self, transaction_id: int) -> CostView:
        """The session's cost now (running while it is open, final once it has ended)."""
        found = await self._once_more(Transaction.id == transaction_id)
        if found is None:
            raise NotFound(f"transaction {transaction_id} does not exist")
        return found

    async def of_uid(self, station_id: str, uid: str) -> CostView | None:
        return await self._once_more(Transaction.station_id == station_id, Transaction.uid == uid)

    async def _once_more(self, *where: Any) -> CostView | None:
        # Two writers may cost a new session at once (the Ended handler and the SessionEnded subscriber):
        # the one that loses the insert decides again on what the other committed.
        try:
            return await self._costed(*where)
        except IntegrityError:
            return await self._costed(*where)

    async def _costed(self, *where: Any) -> CostView | None:
        async with self._uow() as session:
            await writes.lock_for_write(session)
            tx = await session.scalar(select(Transaction).where(*where).with_for_update())
            return None if tx is None else await self._cost(session, tx)

    async def _pin(self, session: AsyncSession, tx: Transaction) -> TransactionCost:
        """The session's cost row; the first time, the tariff its station charges under is pinned to it."""
        row = await session.get(TransactionCost, tx.id)
        if row is None:
            chosen = await applicable(session, tx.station_id)
            definition = chosen.definition
            row = TransactionCost(
                transaction_pk=tx.id, tariff_id=chosen.tariff_id, tariff=definition,
                currency=str(definition.get("currency", "CNY"))[:3], total_cost=0.0, energy_wh=0.0,
                breakdown={}, final=False, computed_at=self._clock(),
            )
            session.add(row)
        return row

    async def _cost(self, session: AsyncSession, tx: Transaction) -> CostView:
        row = await self._pin(session, tx)
        now = self._clock()
        if not row.final:
            tariff = tariff_from_dict(row.tariff)
            start = (RegisterReading(tx.register_start_at, tx.meter_start_wh)
                     if tx.register_start_at is not None and tx.meter_start_wh is not None else None)
            stop = (RegisterReading(tx.register_stop_at, tx.meter_stop_wh)
                    if tx.register_stop_at is not None and tx.meter_stop_wh is not None else None)
            history = await writes.register_history(session, tx.id)
            priced = session_cost(tariff, history, window=(start, stop or start))
            row.total_cost, row.energy_wh, row.currency = priced.total, priced.energy_wh, priced.currency
            row.breakdown = {
                "energy_wh": dict(priced.energy_wh_by_period), "cost": dict(priced.cost_by_period),
                "service_fee": priced.service_fee,
            }
            row.final = tx.status == SessionStatus.ENDED.value
            row.computed_at = now
        await session.flush()
        return CostView(
            tx.id, tx.uid, tx.station_id, row.tariff_id, str(row.tariff.get("name", "")), row.currency,
            row.total_cost, row.energy_wh, dict(row.breakdown), row.final, row.computed_at, row.cost_sent_at,
        )

    async def price_notice(self, station_id: str, uid: str, at: datetime) -> str | None:
        """2.0.1 I06: the text telling the driver of an open session the price in force at ``at`` when it is
        not the price they were last told (the session's pinned tariff entered a period of another price),
        else ``None``. The first call pins the tariff and notes the period at ``at`` as told: the driver read
        the tariff in the Authorize answer (I01). A read only, unless there is something to note; nothing at
        all for a session held in memory whose price has not changed."""
        key = (station_id, uid)
        held = self._told.get(key)
        if held is not None and price_changed(held[0], held[1], at) is None:
            return None
        async with self._uow.read() as session:
            found = (await session.execute(
                select(
                    Transaction.id, Transaction.status, TransactionCost.tariff, TransactionCost.shown_period
                ).outerjoin(TransactionCost, TransactionCost.transaction_pk == Transaction.id)
                .where(Transaction.station_id == station_id, Transaction.uid == uid)
            )).first()  # fmt: skip
        if found is None or found.status not in {s.value for s in OPEN_STATUSES}:
            return None
        if found.tariff is not None and found.shown_period is not None:
            tariff = tariff_from_dict(found.tariff)
            if price_changed(tariff, found.shown_period, at) is None:
                self._hold(key, tariff, found.shown_period)
                return None
        try:
            noted = await self._note_period(found.id, at)
        except IntegrityError:  # another writer pinned the tariff first: decide on what it committed
            noted = await self._note_period(found.id, at)
        if noted is None:  # the session went with its station in the meantime
            return None
        text, tariff, period = noted
        self._hold(key, tariff, period)
        return text

    def _hold(self, key: tuple[str, str], tariff: TouTariff, period: str) -> None:
        self._told[key] = (tariff, period)
        self._told.move_to_end(key)
        while len(self._told) > TOLD_CACHE:
            self._told.popitem(last=False)

    async def _note_period(
        self, transaction_id: int, at: datetime
    ) -> tuple[str | None, TouTariff, str] | None:
        async with self._uow() as session:
            await writes.lock_for_write(session)
            query = select(Transaction).where(Transaction.id == transaction_id).with_for_update()
            tx = await session.scalar(query)
            if tx is None:
                return None
            row = await self._pin(session, tx)
            tariff = tariff_from_dict(row.tariff)
            told = row.shown_period
            row.shown_period = tariff.period_at(at)[:32]
            await session.flush()
            changed = price_changed(tariff, told, at)
            return (None if changed is None else period_price_text(tariff, changed)), tariff, row.shown_period

    async def due(self, station_ids: Sequence[str], interval_s: float) -> list[tuple[int, str, str]]:
        """Open 2.0.1 sessions of ``station_ids`` whose running cost is due to be sent (``interval_s`` since
        their start or their last update): ``(transaction id, station id, station's transaction id)``."""
        if interval_s <= 0 or not station_ids:
            return []
        now = self._clock()
        async with self._uow.read() as session:
            rows = await session.execute(
                select(Transaction.id, Transaction.station_id, Transaction.uid, Transaction.started_at,
                       TransactionCost.cost_sent_at)
                .outerjoin(TransactionCost, TransactionCost.transaction_pk == Transaction.id)
                .where(Transaction.station_id.in_(list(station_ids)), Transaction.uid.is_not(None),
                       Transaction.status.in_([s.value for s in OPEN_STATUSES]))
                .order_by(Transaction.id)
            )
            return [
                (pk, station, uid) for pk, station, uid, started, sent in rows
                if cost_update_due(sent or started, now, interval_s)
            ]

    async def sent(self, transaction_id: int, at: datetime) -> None:
        async with self._uow() as session:
            row = await session.get(TransactionCost, transaction_id)
            if row is not None:
                row.cost_sent_at = at
