"""Integer ids the CSMS gives stations (2.0.1 ``remoteStartId``, ``requestId``, reservation ids).

Each is one row of ``issued_ids``, its autoincrement key the id: the database hands out every value once,
so ids never repeat across the nodes sharing it or across restarts (a process-wide counter restarted at 1 in
every process). The row also says what the id was for, for which station, from which node and when.
"""

from __future__ import annotations

from csms.db.models import IssuedId
from csms.db.uow import UnitOfWork
from csms.domain.timeutil import Clock


class IdService:
    def __init__(self, uow: UnitOfWork, clock: Clock, node_id: str) -> None:
        self._uow = uow
        self._clock = clock
        self._node_id = node_id

    async def issue(self, purpose: str, station_id: str | None = None) -> int:
        """A new id, never issued before by any node; ``purpose`` names what it is for (``remote-start``)."""
        row = IssuedId(purpose=purpose, station_id=station_id, node_id=self._node_id, issued_at=self._clock())
        async with self._uow() as session:
            session.add(row)
            await session.flush()
            return row.id
