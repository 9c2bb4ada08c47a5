"""EV charging needs per session: from OCPP 2.0.1 NotifyEVChargingNeeds / NotifyEVChargingSchedule (K15-K17)
and from the operator's API (a 1.6 session's departure time and energy). One unit of work each; a change
publishes :class:`~csms.domain.energy.needs.NeedsChanged` (the energy manager plans that site again and sends
the session its TxProfile).

Answers to NotifyEVChargingNeeds: ``Accepted`` when the EVSE has an open session at a managed site (the
needs are stored and the TxProfile follows from the energy manager's next cycle); ``Rejected`` when it has
no open session or its station belongs to no site (no profile would follow). ``Processing`` is not used: the
plan is made by the next cycle, within the manager's period, and the profile is sent without waiting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from csms.db.models import Transaction
from csms.db.models_energy import EvChargingNeeds
from csms.db.sites import SiteStation
from csms.db.uow import UnitOfWork
from csms.domain.energy.needs import EvNeeds, NeedsChanged, needs_from_ocpp
from csms.domain.events import EventBus
from csms.domain.session import OPEN_STATUSES
from csms.domain.timeutil import Clock
from csms.errors import Conflict, InvalidInput, NotFound


@dataclass(frozen=True)
class SessionNeeds:
    """A session's stored needs and what it still needs now [Wh]."""

    transaction_id: int
    station_id: str
    evse_id: int
    source: str
    status: str
    departure_at: datetime | None
    energy_requested_wh: float | None
    energy_needed_wh: float | None
    ev_max_power_w: float | None
    ev_min_power_w: float | None
    energy_transfer: str | None
    ev_schedule: dict[str, Any] | None
    received_at: datetime


class EvNeedsService:
    def __init__(self, uow: UnitOfWork, clock: Clock, events: EventBus) -> None:
        self._uow = uow
        self._clock = clock
        self._events = events

    async def notify_needs(
        self,
        station_id: str,
        evse_id: int,
        charging_needs: Mapping[str, Any],
        max_schedule_tuples: int | None,
    ) -> str:
        """K15/K16: store the EV's needs for the open session on this EVSE; returns the status to answer."""
        now = self._clock()
        needs = needs_from_ocpp(charging_needs, now)
        needs = EvNeeds(
            needs.energy_wh, needs.departure_at, needs.ev_max_power_w, needs.ev_min_power_w,
            needs.energy_transfer, max_schedule_tuples,
        )  # fmt: skip
        async with self._uow() as session:
            tx = await _open_transaction(session, station_id, evse_id)
            if tx is None or not await _at_site(session, station_id):
                return "Rejected"
            await _store(session, tx, needs, "NotifyEVChargingNeeds", "Accepted", dict(charging_needs), now)
        self._events.publish(NeedsChanged(now, station_id, tx.id))
        return "Accepted"

    async def notify_schedule(self, station_id: str, evse_id: int, schedule: Mapping[str, Any]) -> str:
        """K17: keep the EV's own schedule with the session's needs (``Rejected`` without stored needs)."""
        now = self._clock()
        async with self._uow() as session:
            tx = await _open_transaction(session, station_id, evse_id)
            row = await session.get(EvChargingNeeds, tx.id) if tx is not None else None
            if row is None:
                return "Rejected"
            row.ev_schedule = dict(schedule)
            row.ev_schedule_at = now
        return "Accepted"

    async def set_by_operator(
        self, transaction_id: int, departure_at: datetime | None, energy_wh: float | None
    ) -> SessionNeeds:
        """A session's departure time and energy from the operator (1.6 stations cannot send them)."""
        now = self._clock()
        if departure_at is not None and departure_at <= now:
            raise InvalidInput("departure_at must lie in the future", field="departure_at")
        needs = EvNeeds(energy_wh, departure_at)
        async with self._uow() as session:
            tx = await session.get(Transaction, transaction_id)
            if tx is None:
                raise NotFound(f"transaction {transaction_id} does not exist")
            if tx.status not in OPEN_STATUSES:
                raise Conflict(f"transaction {transaction_id} has ended")
            await _store(session, tx, needs, "operator", "Accepted", None, now)
        self._events.publish(NeedsChanged(now, tx.station_id, tx.id))
        return await self.get(transaction_id)

    async def get(self, transaction_id: int) -> SessionNeeds:
        async with self._uow.read() as session:
            row = await session.get(EvChargingNeeds, transaction_id)
            tx = await session.get(Transaction, transaction_id)
            if row is None or tx is None:
                raise NotFound(f"transaction {transaction_id} has no charging needs")
            return _public(row, tx.energy_wh)


async def _open_transaction(session: AsyncSession, station_id: str, evse_id: int) -> Transaction | None:
    rows = await session.scalars(
        select(Transaction)
        .where(
            Transaction.station_id == station_id,
            Transaction.evse_id == evse_id,
            Transaction.status.in_(OPEN_STATUSES),
        )
        .order_by(Transaction.id.desc())
        .limit(1)
    )
    return rows.first()


async def _at_site(session: AsyncSession, station_id: str) -> bool:
    return await session.get(SiteStation, station_id) is not None


async def _store(
    session: AsyncSession,
    tx: Transaction,
    needs: EvNeeds,
    source: str,
    status: str,
    raw: dict[str, Any] | None,
    now: datetime,
) -> None:
    row = await session.get(EvChargingNeeds, tx.id)
    if row is None:
        row = EvChargingNeeds(transaction_pk=tx.id)
        session.add(row)
    row.station_id, row.evse_id, row.source, row.status = tx.station_id, tx.evse_id, source, status
    row.departure_at, row.energy_requested_wh = needs.departure_at, needs.energy_wh
    row.energy_at_request_wh = tx.energy_wh or 0.0
    row.ev_max_power_w, row.ev_min_power_w = needs.ev_max_power_w, needs.ev_min_power_w
    row.energy_transfer, row.max_schedule_tuples = needs.energy_transfer, needs.max_schedule_tuples
    row.raw, row.received_at = raw, now


def _public(row: EvChargingNeeds, energy_wh: float | None) -> SessionNeeds:
    needed = None
    if row.energy_requested_wh is not None:
        needed = max(
            0.0, row.energy_requested_wh - max(0.0, (energy_wh or 0.0) - (row.energy_at_request_wh or 0))
        )
    return SessionNeeds(
        row.transaction_pk, row.station_id, row.evse_id, row.source, row.status, row.departure_at,
        row.energy_requested_wh, needed, row.ev_max_power_w, row.ev_min_power_w, row.energy_transfer,
        row.ev_schedule, row.received_at,
    )  # fmt: skip


async def session_needs(session: AsyncSession, transaction_pks: Sequence[int]) -> dict[int, SessionNeeds]:
    """The stored needs of these transactions, with what each still needs now."""
    if not transaction_pks:
        return {}
    rows = await session.execute(
        select(EvChargingNeeds, Transaction.energy_wh)
        .join(Transaction, Transaction.id == EvChargingNeeds.transaction_pk)
        .where(EvChargingNeeds.transaction_pk.in_(list(transaction_pks)))
    )
    return {row.transaction_pk: _public(row, energy) for row, energy in rows}
