"""Variable monitors per station (OCPP 2.0.1 block N): set, clear, report, base and level.

* **Set** (N04): SetVariableMonitoring goes out (split to the station's ItemsPerMessage, N18); every result
  Accepted is stored with the id the station gave it (an id already stored is replaced).
* **Clear** (N06): ClearVariableMonitoring (split the same way); the ids answered Accepted, or NotFound (the
  station has no such monitor), are removed. Rejected ones stay.
* **Report** (N02): GetMonitoringReport with a request id from the database; the first NotifyMonitoringReport
  of that request replaces what the CSMS had *within the request's scope* (its criteria and components,
  :func:`csms.domain.monitoring.in_scope`), later parts (``tbc``/``seqNo``) add to it; EmptyResultSet
  empties the scope. A report for a request the CSMS did not send only adds and updates.
* **Base** (N03) and **level** (N05): stored once Accepted. A new base changes which monitors are active in
  ways only the station knows (pre-configured ones come and go; HardWiredOnly drops the custom ones), so the
  CSMS asks a full report right after, unless told not to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from csms.db.models import Station
from csms.db.models_monitoring import MonitoringRequest, MonitoringSettings, VariableMonitor
from csms.db.uow import UnitOfWork
from csms.domain.monitoring import Monitor, accepted_monitors, cleared_ids, in_scope, reported_monitors
from csms.domain.timeutil import Clock
from csms.errors import CsmsError, NotFound
from csms.services.gateway import StationGateway
from csms.services.ids import IdService

M = VariableMonitor


@dataclass(frozen=True)
class MonitorsView:
    monitors: Sequence[VariableMonitor]
    settings: MonitoringSettings | None
    requests: Sequence[MonitoringRequest]


def _as_monitor(row: VariableMonitor) -> Monitor:
    return Monitor(
        row.monitor_id, row.component, row.component_instance, row.evse_id, row.connector_id, row.variable,
        row.variable_instance, row.type, row.value, row.severity, row.transaction,
    )  # fmt: skip


class MonitoringService:
    def __init__(self, uow: UnitOfWork, clock: Clock, gateway: StationGateway, ids: IdService) -> None:
        self._uow = uow
        self._clock = clock
        self._gw = gateway
        self._ids = ids

    async def _station(self, session: AsyncSession, station_id: str) -> None:
        if await session.get(Station, station_id) is None:
            raise NotFound(f"station {station_id!r} does not exist")

    async def _store(
        self, session: AsyncSession, station_id: str, monitors: list[Monitor], source: str,
        request_id: int | None,
    ) -> None:  # fmt: skip
        now = self._clock()
        for m in monitors:
            row = await session.get(M, (station_id, m.monitor_id))
            if row is None:
                row = M(station_id=station_id, monitor_id=m.monitor_id)
                session.add(row)
            row.component, row.component_instance = m.component, m.component_instance
            row.evse_id, row.connector_id = m.evse_id, m.connector_id
            row.variable, row.variable_instance = m.variable, m.variable_instance
            row.type, row.value, row.severity, row.transaction = m.type, m.value, m.severity, m.transaction
            row.source, row.request_id, row.updated_at = source, request_id, now

    # -- N04 / N06 -------------------------------------------------------------------------------------------
    async def set(self, station_id: str, monitors: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Send SetVariableMonitoring (``setMonitoringData`` as on the wire); the station's results."""
        _, answer = await self._gw.command(station_id, "set-variable-monitoring", {"monitors": monitors})
        results = list(answer.get("setMonitoringResult") or [])
        async with self._uow() as session:
            await self._store(session, station_id, accepted_monitors(monitors, results), "set", None)
        return results

    async def clear(self, station_id: str, ids: list[int]) -> list[dict[str, Any]]:
        """Send ClearVariableMonitoring; forget the monitors the station no longer has."""
        _, answer = await self._gw.command(station_id, "clear-variable-monitoring", {"ids": ids})
        results = list(answer.get("clearMonitoringResult") or [])
        gone = cleared_ids(results)
        if gone:
            async with self._uow() as session:
                await session.execute(delete(M).where(M.station_id == station_id, M.monitor_id.in_(gone)))
        return results

    # -- N02 -------------------------------------------------------------------------------------------------
    async def request_report(
        self, station_id: str, criteria: list[str] | None = None,
        component_variables: list[dict[str, Any]] | None = None,
    ) -> MonitoringRequest:  # fmt: skip
        """Send GetMonitoringReport; the request is stored before it goes out (parts may follow at once)."""
        async with self._uow() as session:
            await self._station(session, station_id)
        request_id = await self._ids.issue("get-monitoring-report", station_id)
        async with self._uow() as session:
            session.add(MonitoringRequest(
                request_id=request_id, station_id=station_id, criteria=criteria or None,
                component_variables=component_variables or None, status="Sent", reports=0,
                requested_at=self._clock(),
            ))  # fmt: skip
        params = {"request_id": request_id, "criteria": criteria, "component_variables": component_variables}
        try:
            _, answer = await self._gw.command(station_id, "get-monitoring-report", params)
        except CsmsError:  # not sent (or unanswered): nothing to keep
            async with self._uow() as session:
                await session.delete(await session.get_one(MonitoringRequest, request_id))
            raise
        status = str(answer.get("status", "Unknown"))
        async with self._uow() as session:
            row = await session.get_one(MonitoringRequest, request_id)
            row.status = status
            if status == "EmptyResultSet":  # the station has no monitor within the scope
                await self._drop_scope(session, row)
                row.completed_at = self._clock()
        async with self._uow.read() as session:
            return await session.get_one(MonitoringRequest, request_id)

    async def _drop_scope(self, session: AsyncSession, request: MonitoringRequest) -> None:
        rows = await session.scalars(select(M).where(M.station_id == request.station_id))
        for row in rows:
            if row.request_id != request.request_id and in_scope(
                _as_monitor(row), request.criteria, request.component_variables
            ):
                await session.delete(row)
        await session.flush()

    async def report(self, station_id: str, p: Mapping[str, Any]) -> None:
        """One NotifyMonitoringReport part."""
        request_id = int(p["requestId"])
        async with self._uow() as session:
            request = await session.get(MonitoringRequest, request_id)
            if request is not None and request.station_id != station_id:
                request = None
            if request is not None:
                if request.reports == 0:
                    await self._drop_scope(session, request)
                request.reports += 1
                if not p.get("tbc", False):
                    request.completed_at = self._clock()
            monitors = reported_monitors(p.get("monitor") or [])
            await self._store(session, station_id, monitors, "report", request_id)

    async def request(self, station_id: str, request_id: int) -> tuple[MonitoringRequest, list[M]]:
        """A GetMonitoringReport request and the monitors its report brought."""
        async with self._uow.read() as session:
            row = await session.get(MonitoringRequest, request_id)
            if row is None or row.station_id != station_id:
                raise NotFound(f"no monitoring report request {request_id} for station {station_id!r}")
            monitors = await session.scalars(
                select(M).where(M.station_id == station_id, M.request_id == request_id).order_by(M.monitor_id)
            )
            return row, list(monitors)

    # -- N03 / N05 -------------------------------------------------------------------------------------------
    async def set_base(
        self, station_id: str, base: str, *, report: bool = True
    ) -> tuple[str, MonitoringRequest | None]:
        """Send SetMonitoringBase; once Accepted, store it and (``report``) ask the monitors it leaves."""
        _, answer = await self._gw.command(station_id, "set-monitoring-base", {"base": base})
        status = str(answer.get("status", "Unknown"))
        if status != "Accepted":
            return status, None
        await self._settings(station_id, base=base, base_set_at=self._clock())
        return status, (await self.request_report(station_id) if report else None)

    async def set_level(self, station_id: str, severity: int) -> str:
        """Send SetMonitoringLevel; once Accepted, store it."""
        _, answer = await self._gw.command(station_id, "set-monitoring-level", {"severity": severity})
        status = str(answer.get("status", "Unknown"))
        if status == "Accepted":
            await self._settings(station_id, level=severity, level_set_at=self._clock())
        return status

    async def _settings(self, station_id: str, **values: Any) -> None:
        async with self._uow() as session:
            row = await session.get(MonitoringSettings, station_id)
            if row is None:
                session.add(MonitoringSettings(station_id=station_id, **values))
            else:
                for name, value in values.items():
                    setattr(row, name, value)

    async def view(self, station_id: str) -> MonitorsView:
        async with self._uow.read() as session:
            await self._station(session, station_id)
            monitors = await session.scalars(
                select(M).where(M.station_id == station_id).order_by(M.monitor_id)
            )
            requests = await session.scalars(
                select(MonitoringRequest).where(MonitoringRequest.station_id == station_id)
                .order_by(MonitoringRequest.request_id.desc()).limit(20)
            )  # fmt: skip
            settings = await session.get(MonitoringSettings, station_id)
            return MonitorsView(list(monitors), settings, list(requests))
