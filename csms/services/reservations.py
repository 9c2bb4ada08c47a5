"""Reservations (OCPP block H, 1.6 and 2.0.1): reserve, cancel, expire, and end as the station says.

The reservation id is drawn from the database (:class:`~csms.services.ids.IdService`), so it never repeats
across nodes or restarts. Expiry needs no timer: every read and write first ends, as ``Expired`` at their
``expires_at``, the active reservations whose time has come by the injected clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from csms.db.models import Station, Transaction
from csms.db.models_reservations import Reservation
from csms.db.uow import UnitOfWork
from csms.domain import reservations as rules
from csms.domain.reservations import ReservationStatus
from csms.domain.timeutil import Clock, format_timestamp
from csms.errors import Conflict, NotFound, StationNotConnected
from csms.services.gateway import StationGateway
from csms.services.ids import IdService


@dataclass(frozen=True)
class ReservationRequest:
    station_id: str
    id_token: str
    expires_at: datetime
    evse_id: int | None = None
    id_token_type: str | None = None
    group_id_token: str | None = None
    connector_type: str | None = None


class ReservationService:
    def __init__(self, uow: UnitOfWork, clock: Clock, gateway: StationGateway, ids: IdService) -> None:
        self._uow = uow
        self._clock = clock
        self._gw = gateway
        self._ids = ids

    async def _expire_due(self, session: AsyncSession) -> None:
        now = self._clock()
        await session.execute(
            update(Reservation)
            .where(Reservation.status == ReservationStatus.ACTIVE.value, Reservation.expires_at <= now)
            .values(status=ReservationStatus.EXPIRED.value, ended_at=Reservation.expires_at, updated_at=now)
        )

    async def reserve(self, req: ReservationRequest) -> Reservation:
        """Send ReserveNow; store the reservation with the station's answer (``Refused`` unless Accepted)."""
        now = self._clock()
        rules.check_new(req.expires_at, now)
        async with self._uow.read() as session:
            station = await session.get(Station, req.station_id)
            if station is None:
                raise NotFound(f"station {req.station_id!r} does not exist")
        if not self._gw.is_online(req.station_id):  # before an id is spent
            raise StationNotConnected(f"station {req.station_id!r} is not connected")
        reservation_id = await self._ids.issue("reservation", req.station_id)
        params: dict[str, Any] = {  # plain JSON values: they may travel to the node holding the station
            "reservation_id": reservation_id, "expires_at": format_timestamp(req.expires_at),
            "id_token": req.id_token,
            "id_token_type": req.id_token_type, "group_id_token": req.group_id_token, "evse_id": req.evse_id,
            "connector_type": req.connector_type,
        }  # fmt: skip
        _, answer = await self._gw.command(req.station_id, "reserve-now", params)
        status = str(answer.get("status", "Rejected"))
        row = Reservation(
            id=reservation_id, station_id=req.station_id, ocpp_version=station.ocpp_version or "",
            evse_id=req.evse_id,
            connector_type=req.connector_type, id_token=req.id_token, id_token_type=req.id_token_type,
            group_id_token=req.group_id_token, expires_at=req.expires_at, status=rules.after_answer(status),
            station_answer=status[:16], created_at=now, updated_at=self._clock(),
        )  # fmt: skip
        async with self._uow() as session:
            session.add(row)
        return row

    async def cancel(self, reservation_id: int) -> Reservation:
        """Send CancelReservation for an active reservation; ``Cancelled`` once the station accepts."""
        row = await self.get(reservation_id)
        rules.end(row.status, ReservationStatus.CANCELLED)
        _, answer = await self._gw.command(row.station_id, "cancel-reservation", {"reservation_id": row.id})
        if answer.get("status") != "Accepted":
            raise Conflict(f"station {row.station_id} answered CancelReservation {answer.get('status')}")
        return await self._end(row.station_id, reservation_id, ReservationStatus.CANCELLED)

    async def _end(
        self, station_id: str, reservation_id: int, to: ReservationStatus, transaction_id: int | None = None
    ) -> Reservation:
        now = self._clock()
        async with self._uow() as session:
            await self._expire_due(session)
            row = await session.get(Reservation, reservation_id)
            if row is None or row.station_id != station_id:
                raise NotFound(f"no reservation {reservation_id} on station {station_id!r}")
            row.status = rules.end(row.status, to)
            row.ended_at = row.updated_at = now
            row.transaction_id = transaction_id
            return row

    async def station_update(self, station_id: str, reservation_id: int, update_status: str) -> None:
        """2.0.1 ReservationStatusUpdate: the station ended the reservation (Expired or Removed). An unknown
        or already ended reservation changes nothing (the message is answered all the same)."""
        try:
            await self._end(station_id, reservation_id, rules.STATION_UPDATES[update_status])
        except (NotFound, Conflict):
            pass

    async def used(
        self,
        station_id: str,
        reservation_id: int,
        *,
        transaction_id: int | None = None,
        transaction_uid: str | None = None,
    ) -> None:
        """A transaction started on the reservation (1.6 StartTransaction / 2.0.1 TransactionEvent with a
        reservationId): it ends as ``Used``. An unknown or ended reservation changes nothing."""
        if transaction_id is None and transaction_uid is not None:
            async with self._uow.read() as session:
                transaction_id = await session.scalar(select(Transaction.id).where(
                    Transaction.station_id == station_id, Transaction.uid == transaction_uid
                ))  # fmt: skip
        try:
            await self._end(station_id, reservation_id, ReservationStatus.USED, transaction_id)
        except (NotFound, Conflict):
            pass

    async def get(self, reservation_id: int) -> Reservation:
        async with self._uow() as session:
            await self._expire_due(session)
            row = await session.get(Reservation, reservation_id)
            if row is None:
                raise NotFound(f"reservation {reservation_id} does not exist")
            return row

    async def list(self, station_id: str | None = None, status: str | None = None) -> Sequence[Reservation]:
        async with self._uow() as session:
            await self._expire_due(session)
            query = select(Reservation)
            if station_id is not None:
                query = query.where(Reservation.station_id == station_id)
            if status is not None:
                query = query.where(Reservation.status == status)
            return (await session.scalars(query.order_by(Reservation.id.desc()))).all()
