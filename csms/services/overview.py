"""The operator's overview of the network: stations online, offline and faulted, the power drawn now, the
sessions of the day, and the alerts services can tell (password guessing, message quotas)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from csms.db.models import Connector, Station, Transaction
from csms.db.uow import UnitOfWork
from csms.domain.session import SessionStatus
from csms.services.flexibility import session_powers
from csms.services.gateway import StationGateway


@dataclass(frozen=True, slots=True)
class NetworkNow:
    stations: int
    online: int
    faulted: int
    """Stations with at least one connector (or the station itself, EVSE 0) Faulted."""
    open_sessions: int
    metered_sessions: int
    """Open sessions with a power reading (the others add nothing to ``power_w``)."""
    power_w: float
    """The sum of each open session's latest metered active power [W]."""
    sessions_since: int
    """Sessions started since the ``since`` asked for (the operator's local midnight)."""

    @property
    def offline(self) -> int:
        return self.stations - self.online


class OverviewService:
    def __init__(self, uow: UnitOfWork, gateway: StationGateway) -> None:
        self._uow = uow
        self._gateway = gateway

    async def now(self, since: datetime) -> NetworkNow:
        online_ids = list(self._gateway.online_ids())
        open_states = [s.value for s in SessionStatus if s.is_open]
        async with self._uow.read() as session:
            total = await session.scalar(select(func.count()).select_from(Station)) or 0
            online = 0
            if online_ids:
                online = await session.scalar(
                    select(func.count()).select_from(Station).where(Station.id.in_(online_ids))
                ) or 0
            faulted = await session.scalar(
                select(func.count(func.distinct(Connector.station_id))).where(Connector.status == "Faulted")
            ) or 0
            open_pks = list(await session.scalars(
                select(Transaction.id)
                .where(Transaction.stopped_at.is_(None), Transaction.status.in_(open_states))
            ))
            powers = await session_powers(session, open_pks)
            today = await session.scalar(
                select(func.count()).select_from(Transaction).where(Transaction.started_at >= since)
            ) or 0
        return NetworkNow(
            stations=int(total), online=int(online), faulted=int(faulted), open_sessions=len(open_pks),
            metered_sessions=len(powers), power_w=sum(powers.values()), sessions_since=int(today),
        )
