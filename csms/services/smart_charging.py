"""Smart-charging reports and external limits (OCPP 2.0.1 K09, K29-K36, K12, K13).

* **Reports**: :meth:`SmartChargingService.request_report` sends GetChargingProfiles with a request id from
  the database; the station's ReportChargingProfiles for that id (:meth:`report`) replace what the station
  had reported before *within the request's scope* (its EVSE, purpose, stack level, ids and sources), so
  the stored set is what the station has installed. :meth:`view` sets it beside what the energy manager
  had accepted (``sent_charging_profiles``) and lists every mismatch (:mod:`csms.domain.energy.reconcile`).
* **External limits**: NotifyChargingLimit stores the limit per station, EVSE (0: the station) and source
  until ClearedChargingLimit; each change publishes :class:`~csms.domain.events.ChargingLimitChanged`, and
  the site energy manager reads :meth:`external_limits` every cycle as upper bounds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, select, update

from csms.db.models import Station, Transaction
from csms.db.models_smart_charging import (
    ChargingProfileRequest,
    ExternalChargingLimit,
    InstalledChargingProfile,
)
from csms.db.sites import SentChargingProfile
from csms.db.uow import UnitOfWork
from csms.domain.energy.external_limits import ExternalLimit, schedule_from_wire
from csms.domain.energy.reconcile import (
    InstalledRecord,
    Mismatch,
    SentRecord,
    installed_from_wire,
    reconcile,
)
from csms.domain.events import ChargingLimitChanged, EventBus
from csms.domain.session import SessionStatus
from csms.domain.timeutil import Clock
from csms.errors import CsmsError, NotFound
from csms.services.gateway import StationGateway
from csms.services.ids import IdService

T = InstalledChargingProfile


@dataclass(frozen=True)
class ProfilesView:
    """A station's charging profiles: installed (as reported), sent (as accepted) and where they disagree."""

    installed: Sequence[InstalledChargingProfile]
    sent: Sequence[SentChargingProfile]
    mismatches: list[Mismatch]
    requests: Sequence[ChargingProfileRequest]
    reported: bool
    """Whether the station has ever reported (without a report nothing can be reconciled)."""


def _scope(station_id: str, evse_id: int | None, criteria: Mapping[str, Any]) -> list[ColumnElement[bool]]:
    """Which stored profiles a GetChargingProfiles with these criteria reports (and so replaces)."""
    where: list[ColumnElement[bool]] = [T.station_id == station_id]
    if evse_id is not None:
        where.append(T.evse_id == evse_id)
    if criteria.get("chargingProfilePurpose"):
        where.append(T.purpose == criteria["chargingProfilePurpose"])
    if criteria.get("stackLevel") is not None:
        where.append(T.stack_level == criteria["stackLevel"])
    if criteria.get("chargingProfileId"):
        where.append(T.profile_id.in_(criteria["chargingProfileId"]))
    if criteria.get("chargingLimitSource"):
        where.append(T.source.in_(criteria["chargingLimitSource"]))
    return where


class SmartChargingService:
    def __init__(
        self, uow: UnitOfWork, clock: Clock, events: EventBus, gateway: StationGateway, ids: IdService
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._events = events
        self._gw = gateway
        self._ids = ids

    async def _station(self, session: Any, station_id: str) -> None:
        if await session.get(Station, station_id) is None:
            raise NotFound(f"station {station_id!r} does not exist")

    # -- GetChargingProfiles / ReportChargingProfiles --------------------------------------------------------
    async def request_report(
        self, station_id: str, evse_id: int | None, criteria: dict[str, Any]
    ) -> ChargingProfileRequest:
        """Send GetChargingProfiles; the request is stored before it goes out (reports may follow at once)."""
        async with self._uow() as session:
            await self._station(session, station_id)
        request_id = await self._ids.issue("get-charging-profiles", station_id)
        row = ChargingProfileRequest(
            request_id=request_id, station_id=station_id, evse_id=evse_id, criteria=criteria, status="Sent",
            reports=0, requested_at=self._clock(),
        )  # fmt: skip
        async with self._uow() as session:
            session.add(row)
        params = {"request_id": request_id, "evse_id": evse_id, "criteria": criteria}
        try:
            _, answer = await self._gw.command(station_id, "get-charging-profiles", params)
        except CsmsError:  # not sent (or unanswered): nothing to keep
            async with self._uow() as session:
                await session.delete(await session.get_one(ChargingProfileRequest, request_id))
            raise
        status = str(answer.get("status", "Unknown"))
        async with self._uow() as session:
            values: dict[str, Any] = {"status": status}
            if status == "NoProfiles":  # nothing installed within the scope
                await session.execute(delete(T).where(*_scope(station_id, evse_id, criteria)))
                values["completed_at"] = self._clock()
            await session.execute(
                update(ChargingProfileRequest)
                .where(ChargingProfileRequest.request_id == request_id)
                .values(**values)
            )
            return await session.get_one(ChargingProfileRequest, request_id)

    async def report(self, station_id: str, p: Mapping[str, Any]) -> None:
        """One ReportChargingProfiles: the first of a request replaces the request's scope; each profile is
        stored by (EVSE, profile id). A report for a request the CSMS did not store replaces what the station
        had reported for the same EVSE and source."""
        now, request_id, evse_id, source = (
            self._clock(),
            p["requestId"],
            p["evseId"],
            p["chargingLimitSource"],
        )
        async with self._uow() as session:
            request = await session.get(ChargingProfileRequest, request_id)
            if request is not None and request.station_id != station_id:
                request = None
            if request is None:
                scope = [T.station_id == station_id, T.evse_id == evse_id, T.source == source]
                await session.execute(delete(T).where(*scope, T.request_id != request_id))
            else:
                if request.reports == 0:
                    scope = _scope(station_id, request.evse_id, request.criteria)
                    await session.execute(delete(T).where(*scope, T.request_id != request_id))
                request.reports += 1
                if not p.get("tbc", False):
                    request.completed_at = now
            for profile in p["chargingProfile"]:
                await session.execute(delete(T).where(
                    T.station_id == station_id, T.evse_id == evse_id, T.profile_id == profile["id"]
                ))  # fmt: skip
                session.add(T(
                    station_id=station_id, evse_id=evse_id, profile_id=profile["id"], source=source,
                    purpose=profile["chargingProfilePurpose"], stack_level=profile["stackLevel"],
                    request_id=request_id, profile=dict(profile), reported_at=now,
                ))  # fmt: skip
                await session.flush()

    async def request(self, station_id: str, request_id: int) -> tuple[ChargingProfileRequest, list[T]]:
        """A GetChargingProfiles request and the profiles its reports brought."""
        async with self._uow.read() as session:
            row = await session.get(ChargingProfileRequest, request_id)
            if row is None or row.station_id != station_id:
                raise NotFound(f"no charging-profile request {request_id} for station {station_id!r}")
            profiles = await session.scalars(
                select(T).where(T.station_id == station_id, T.request_id == request_id)
                .order_by(T.evse_id, T.profile_id)
            )  # fmt: skip
            return row, list(profiles)

    async def view(self, station_id: str) -> ProfilesView:
        async with self._uow.read() as session:
            await self._station(session, station_id)
            installed = list(await session.scalars(
                select(T).where(T.station_id == station_id).order_by(T.evse_id, T.profile_id)
            ))  # fmt: skip
            sent = list(await session.scalars(
                select(SentChargingProfile).where(SentChargingProfile.station_id == station_id)
                .order_by(SentChargingProfile.evse_id, SentChargingProfile.purpose)
            ))  # fmt: skip
            requests = list(await session.scalars(
                select(ChargingProfileRequest).where(ChargingProfileRequest.station_id == station_id)
                .order_by(ChargingProfileRequest.request_id.desc()).limit(20)
            ))  # fmt: skip
            active = {
                str(pk) for pk in await session.scalars(
                    select(Transaction.id).where(
                        Transaction.station_id == station_id, Transaction.status != SessionStatus.ENDED.value
                    )
                )
            }  # fmt: skip
        reported = bool(installed) or any(r.completed_at is not None for r in requests)
        mismatches = reconcile(
            [SentRecord(s.evse_id, s.purpose, s.profile_id, s.limit_value, s.rate_unit, s.status,
                        s.transaction_ref) for s in sent],
            [_installed(i) for i in installed],
            active,
        ) if reported else []  # fmt: skip
        return ProfilesView(installed, sent, mismatches, requests, reported)

    async def clear(self, station_id: str, params: dict[str, Any]) -> str:
        """Send ClearChargingProfile; once Accepted, forget the matching reported profiles."""
        _, answer = await self._gw.command(station_id, "clear-charging-profile", params)
        status = str(answer.get("status", "Unknown"))
        if status == "Accepted":
            where = _scope(station_id, params.get("evse_id"), {
                "chargingProfilePurpose": params.get("purpose"), "stackLevel": params.get("stack_level"),
                "chargingProfileId": [params["profile_id"]] if params.get("profile_id") is not None else None,
            })  # fmt: skip
            async with self._uow() as session:
                await session.execute(delete(T).where(*where))
        return status

    # -- NotifyChargingLimit / ClearedChargingLimit ----------------------------------------------------------
    async def notify_limit(self, station_id: str, p: Mapping[str, Any]) -> None:
        limit, schedules = p["chargingLimit"], p.get("chargingSchedule")
        for s in schedules or ():
            schedule_from_wire(s)  # refuse what the allocator could not read, before storing it
        key = {
            "station_id": station_id,
            "evse_id": p.get("evseId") or 0,
            "source": limit["chargingLimitSource"],
        }
        async with self._uow() as session:
            row = await session.get(ExternalChargingLimit, key)
            if row is None:
                row = ExternalChargingLimit(**key)
                session.add(row)
            row.is_grid_critical = limit.get("isGridCritical")
            row.schedules = list(schedules) if schedules else None
            row.received_at = self._clock()
        self._events.publish(ChargingLimitChanged(self._clock(), station_id))

    async def cleared_limit(self, station_id: str, source: str, evse_id: int | None) -> None:
        """The limit of ``source`` ends: on that EVSE, or (no EVSE) everywhere on the station."""
        where = [ExternalChargingLimit.station_id == station_id, ExternalChargingLimit.source == source]
        if evse_id:
            where.append(ExternalChargingLimit.evse_id == evse_id)
        async with self._uow() as session:
            await session.execute(delete(ExternalChargingLimit).where(and_(*where)))
        self._events.publish(ChargingLimitChanged(self._clock(), station_id))

    async def limits(self, station_id: str | None = None) -> list[ExternalChargingLimit]:
        query = select(ExternalChargingLimit)
        if station_id is not None:
            query = query.where(ExternalChargingLimit.station_id == station_id)
        order = (
            ExternalChargingLimit.station_id,
            ExternalChargingLimit.evse_id,
            ExternalChargingLimit.source,
        )
        async with self._uow.read() as session:
            return list(await session.scalars(query.order_by(*order)))

    async def external_limits(self) -> list[ExternalLimit]:
        """Every stored external limit as the allocator reads it."""
        return [
            ExternalLimit(
                r.station_id, r.evse_id, r.source,
                tuple(schedule_from_wire(s) for s in r.schedules or ()), r.received_at,
            )
            for r in await self.limits()
        ]  # fmt: skip


def _installed(row: InstalledChargingProfile) -> InstalledRecord:
    return installed_from_wire(row.evse_id, row.source, row.profile)
