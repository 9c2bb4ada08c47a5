"""碳普惠 session records: the carbon service's figures with each session's where and when, the factor's
provenance, the methodology, and the signed meter values its station sent (kept by :class:`SignedMeterService`
as the OCPP edge receives them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from csms.db.models import Transaction
from csms.db.models_energy import SignedMeterValue
from csms.db.sites import SiteStation
from csms.db.uow import UnitOfWork
from csms.domain.carbon_records import CarbonRecord, SignedValue, carbon_record, signed_format
from csms.domain.session import OPEN_STATUSES
from csms.domain.timeutil import Clock
from csms.services.carbon import CarbonService


class SignedMeterService:
    """Keeps the signed meter values stations send, with their session when it is known."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def record(
        self,
        station_id: str,
        evse_id: int | None,
        values: Sequence[SignedValue],
        *,
        transaction_pk: int | None = None,
        transaction_uid: str | None = None,
    ) -> None:
        """Store ``values`` (nothing to do without any); the session is the 1.6 id, the 2.0.1 uid, or the
        open session on the EVSE."""
        if not values:
            return
        now = self._clock()
        async with self._uow() as session:
            tx = None
            if transaction_pk is not None:
                tx = await session.get(Transaction, transaction_pk)
            else:
                query = select(Transaction).where(Transaction.station_id == station_id)
                if transaction_uid is not None:
                    query = query.where(Transaction.uid == transaction_uid)
                elif evse_id is not None:
                    query = query.where(Transaction.evse_id == evse_id, Transaction.status.in_(OPEN_STATUSES))
                else:
                    query = query.where(False)
                tx = (await session.scalars(query.order_by(Transaction.id.desc()).limit(1))).first()
            if tx is not None and tx.station_id != station_id:
                tx = None  # another station's session: keep the values, not the link
            session.add_all(
                SignedMeterValue(
                    station_id=station_id, transaction_pk=tx.id if tx else None,
                    evse_id=evse_id if evse_id is not None else (tx.evse_id if tx else 0),
                    timestamp=v.timestamp, context=v.context, measurand=v.measurand[:50],
                    signed_meter_data=v.signed_meter_data, signing_method=v.signing_method,
                    encoding_method=v.encoding_method, public_key=v.public_key, received_at=now,
                )
                for v in values
            )  # fmt: skip


class CarbonRecordService:
    def __init__(self, uow: UnitOfWork, carbon: CarbonService) -> None:
        self._uow = uow
        self._carbon = carbon

    async def records(
        self, since: datetime, until: datetime, site_id: str | None = None
    ) -> list[CarbonRecord]:
        """One record per session started in ``[since, until)`` at the site (or every site)."""
        figures = await self._carbon.sessions(since, until, site_id)
        pks = [int(f.session_id) for f in figures]
        if not pks:
            return []
        async with self._uow.read() as session:
            txs = {
                tx.id: tx for tx in await session.scalars(select(Transaction).where(Transaction.id.in_(pks)))
            }
            stations = {tx.station_id for tx in txs.values()}
            ss = SiteStation
            rows = await session.execute(select(ss.station_id, ss.site_id).where(ss.station_id.in_(stations)))
            site_of: dict[str, str] = {station: site for station, site in rows}
            signed: dict[int, list[SignedValue]] = defaultdict(list)
            for row in await session.scalars(
                select(SignedMeterValue)
                .where(SignedMeterValue.transaction_pk.in_(pks))
                .order_by(SignedMeterValue.id)
            ):
                signed[row.transaction_pk or 0].append(
                    SignedValue(
                        row.timestamp, row.context, row.measurand,
                        signed_format(row.signed_meter_data, row.encoding_method or "SignedData"),
                        row.signed_meter_data, row.signing_method, row.encoding_method, row.public_key,
                    )
                )  # fmt: skip
        out = []
        for f in figures:
            tx = txs[int(f.session_id)]
            out.append(
                carbon_record(
                    f, site_id=site_of.get(tx.station_id, site_id or ""), station_id=tx.station_id,
                    evse_id=tx.evse_id, started_at=tx.started_at, ended_at=tx.stopped_at,
                    factor=self._carbon.factor, baseline=self._carbon.baseline, signed=signed.get(tx.id, ()),
                )
            )  # fmt: skip
        return out
