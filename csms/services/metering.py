"""MeterValues: normalised samples stored through the group committer, linked to their transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from csms.db.models import MeterValue, Transaction
from csms.domain.metering import Sample
from csms.services.batching import GroupCommitter
from csms.services.transactions import apply_register


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

    async def write_many(self, session: AsyncSession, reports: Sequence[MeterReport]) -> None:
        by_id, by_uid = await _transactions(session, reports)
        rows = []
        for report in reports:
            tx = by_id.get(report.transaction_id) if report.transaction_id is not None else None
            if tx is not None and tx.station_id != report.station_id:
                tx = None  # a station cannot write into another station's transaction
            if report.transaction_uid is not None:
                tx = by_uid.get((report.station_id, report.transaction_uid))
            if tx is not None:
                apply_register(tx, report.samples)
            pk = tx.id if tx is not None else None
            rows.extend(
                {
                    "station_id": report.station_id, "transaction_pk": pk, "evse_id": report.evse_id,
                    "timestamp": s.timestamp, "measurand": s.measurand, "phase": s.phase, "location": s.location,
                    "context": s.context, "value": s.value, "unit": s.unit,
                }
                for s in report.samples
            )
        if rows:
            await session.execute(insert(MeterValue.__table__), rows)  # Core: no ORM bookkeeping per row


async def _transactions(
    session: AsyncSession, reports: Sequence[MeterReport]
) -> tuple[dict[int, Transaction], dict[tuple[str, str], Transaction]]:
    """Load every transaction the reports refer to, in at most two queries."""
    ids = {r.transaction_id for r in reports if r.transaction_id is not None}
    uids = {(r.station_id, r.transaction_uid) for r in reports if r.transaction_uid is not None}
    by_id: dict[int, Transaction] = {}
    by_uid: dict[tuple[str, str], Transaction] = {}
    if ids:
        by_id = {tx.id: tx for tx in await session.scalars(select(Transaction).where(Transaction.id.in_(ids)))}
    if uids:
        query = select(Transaction).where(tuple_(Transaction.station_id, Transaction.uid).in_(list(uids)))
        by_uid = {(tx.station_id, tx.uid): tx for tx in await session.scalars(query)}  # type: ignore[misc]
    return by_id, by_uid
