"""MeterValues with group commit: each station is answered only once its samples are durable.

Many stations send MeterValues at the same moment. Committing each on its own costs one fsync per message;
the writer gathers whatever arrives within ``max_delay_s`` into one transaction, then wakes every waiting
handler. A failed batch fails every message in it, so each station gets an InternalError and resends: no
sample is acknowledged without being stored.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select

from csms.db.models import MeterValue, Transaction
from csms.domain.metering import Sample
from csms.services.transactions import apply_register
from csms.services.uow import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class MeterReport:
    station_id: str
    evse_id: int
    samples: Sequence[Sample]
    transaction_id: int | None = None
    """OCPP 1.6 ``transactionId`` (the row id)."""
    transaction_uid: str | None = None
    """OCPP 2.0.1 ``transactionId`` (the station's string)."""


class MeterWriter:
    def __init__(self, uow: UnitOfWork, *, max_delay_s: float = 0.005, max_batch: int = 1000) -> None:
        self._uow = uow
        self._max_delay_s = max_delay_s
        self._max_batch = max_batch
        self._queue: asyncio.Queue[tuple[MeterReport, asyncio.Future[None]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="meter-writer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def write(self, report: MeterReport) -> None:
        """Store ``report``; returns once it is committed."""
        if self._task is None:  # no writer running (a CLI, a unit test): commit on the spot
            await self._flush([report])
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        await self._queue.put((report, future))
        await future

    async def _run(self) -> None:
        while True:
            first = await self._queue.get()
            batch = [first]
            if self._max_delay_s:
                await asyncio.sleep(self._max_delay_s)
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._flush([report for report, _ in batch])
            except Exception as exc:  # top of a task: every waiter learns of the failure
                log.exception("meter batch of %d reports failed", len(batch))
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
            else:
                for _, future in batch:
                    if not future.done():
                        future.set_result(None)

    async def _flush(self, reports: Sequence[MeterReport]) -> None:
        async with self._uow() as session:
            rows: list[dict] = []
            for report in reports:
                tx = await _transaction(session, report)
                if tx is not None:
                    apply_register(tx, report.samples)
                rows.extend(
                    {
                        "station_id": report.station_id,
                        "transaction_pk": tx.id if tx is not None else None,
                        "evse_id": report.evse_id,
                        "timestamp": s.timestamp,
                        "measurand": s.measurand,
                        "phase": s.phase,
                        "location": s.location,
                        "context": s.context,
                        "value": s.value,
                        "unit": s.unit,
                    }
                    for s in report.samples
                )
            if rows:
                await session.execute(insert(MeterValue), rows)


async def _transaction(session, report: MeterReport) -> Transaction | None:  # noqa: ANN001
    if report.transaction_id is not None:
        tx = await session.get(Transaction, report.transaction_id)
        return tx if tx is not None and tx.station_id == report.station_id else None
    if report.transaction_uid is not None:
        return await session.scalar(
            select(Transaction).where(
                Transaction.station_id == report.station_id, Transaction.uid == report.transaction_uid
            )
        )
    return None
