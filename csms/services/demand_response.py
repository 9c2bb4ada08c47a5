"""Demand-response events of the load-management centre: create (baselines fixed), list, cancel, measure.

The rules are the domain's (:mod:`csms.domain.demand_response`); this service stores events, fixes each
site's baseline from its telemetry when the event is created (so the target cannot move afterwards), and
reads the measured grid import back for the centre. A created or cancelled event publishes
:class:`~csms.domain.events.DemandResponseChanged` once committed.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from csms.db.sites import DrEvent, DrEventSite, Site, SiteTelemetry
from csms.db.uow import UnitOfWork
from csms.domain.demand_response import (
    DemandResponseError,
    DemandResponseEvent,
    EventPerformance,
    PowerSample,
    baseline_kw,
    event_performance,
    split_group_target,
)
from csms.domain.events import DemandResponseChanged, EventBus
from csms.domain.timeutil import Clock
from csms.errors import Conflict, InvalidInput, NotFound
from csms.services.site_telemetry import telemetry_between

BASELINE_DAYS = 5


@dataclass(frozen=True)
class EventRequest:
    """What the centre asks for. Exactly one of ``target_import_kw`` (per site), ``target_import_kw_total``
    (a group total, split by baselines) and ``reduction_kw`` (from each site's baseline)."""

    site_ids: Sequence[str]
    start: datetime
    end: datetime
    target_import_kw: float | None = None
    target_import_kw_total: float | None = None
    reduction_kw: float | None = None
    baseline_kw_by_site: Mapping[str, float] = field(default_factory=dict)
    event_id: str | None = None
    note: str | None = None


def import_samples(rows: Sequence[SiteTelemetry]) -> list[PowerSample]:
    """Grid import [kW] from the site meter readings (samples without a meter reading are skipped)."""
    return [PowerSample(r.timestamp, r.grid_import_w / 1000) for r in rows if r.grid_import_w is not None]


def to_domain(event: DrEvent, sites: Sequence[DrEventSite]) -> DemandResponseEvent:
    return DemandResponseEvent(
        event_id=event.id,
        site_ids=frozenset(s.site_id for s in sites),
        start=event.start_at,
        end=event.end_at,
        target_import_kw=event.target_import_kw,
        reduction_kw=event.reduction_kw,
        baseline_kw_by_site={s.site_id: s.baseline_kw for s in sites if s.baseline_kw is not None},
        target_import_kw_by_site={
            s.site_id: s.target_import_kw for s in sites if s.target_import_kw is not None
        },
        cancelled=event.cancelled,
        cancelled_at=event.cancelled_at,
    )


class DemandResponseService:
    def __init__(self, uow: UnitOfWork, clock: Clock, events: EventBus) -> None:
        self._events = events
        self._uow = uow
        self._clock = clock

    async def create(self, req: EventRequest, created_by: str | None = None) -> DemandResponseEvent:
        goals = [req.target_import_kw, req.target_import_kw_total, req.reduction_kw]
        if sum(g is not None for g in goals) != 1:
            raise InvalidInput(
                "give exactly one of target_import_kw, target_import_kw_total and reduction_kw",
                field="target_import_kw",
            )
        site_ids = list(dict.fromkeys(req.site_ids))
        if not site_ids:
            raise InvalidInput("site_ids is empty", field="site_ids")
        event_id = req.event_id or f"DR-{uuid.uuid4().hex[:12]}"
        if req.end <= self._clock():
            # Nothing could be curtailed any more; its report would judge a past no one was asked about.
            raise InvalidInput(f"end: the event is entirely in the past ({req.end.isoformat()})", field="end")
        async with self._uow() as session:
            if await session.get(DrEvent, event_id) is not None:
                raise Conflict(f"event {event_id!r} already exists")
            known = set(await session.scalars(select(Site.id).where(Site.id.in_(site_ids))))
            missing = [s for s in site_ids if s not in known]
            if missing:
                raise InvalidInput(f"site_ids: unknown site(s) {missing}", field="site_ids")
            baselines: dict[str, float | None] = {s: req.baseline_kw_by_site.get(s) for s in site_ids}
            if req.reduction_kw is not None or req.target_import_kw_total is not None:
                for s in site_ids:
                    if baselines[s] is None:
                        baselines[s] = await self._baseline(session, s, req.start, req.end)
            else:  # a plain target: baselines are for the report only, so a missing one is no error
                for s in site_ids:
                    if baselines[s] is None:
                        try:
                            baselines[s] = await self._baseline(session, s, req.start, req.end)
                        except InvalidInput:
                            pass
            shares: dict[str, float] = {}
            if req.target_import_kw_total is not None:
                try:
                    shares = split_group_target(
                        req.target_import_kw_total, {s: b or 0.0 for s, b in baselines.items()}
                    )
                except DemandResponseError as exc:
                    raise InvalidInput(str(exc), field="target_import_kw_total") from None
            row = DrEvent(
                id=event_id,
                start_at=req.start,
                end_at=req.end,
                target_import_kw=req.target_import_kw,
                reduction_kw=req.reduction_kw,
                cancelled=False,
                note=req.note,
                created_by=created_by,
                created_at=self._clock(),
            )
            links = [
                DrEventSite(
                    event_id=event_id, site_id=s, baseline_kw=baselines[s], target_import_kw=shares.get(s)
                )
                for s in site_ids
            ]
            try:
                event = to_domain(row, links)
            except DemandResponseError as exc:
                field_name = (
                    "end" if "end" in str(exc) else "start" if "start" in str(exc) else "target_import_kw"
                )
                raise InvalidInput(str(exc), field=field_name) from None
            session.add(row)
            await session.flush()
            session.add_all(links)
        self._changed(event)  # an event already in force goes out now, not at the next period
        return event

    async def _baseline(self, session: AsyncSession, site_id: str, start: datetime, end: datetime) -> float:
        since = start - timedelta(days=BASELINE_DAYS + 1)
        rows = await telemetry_between(session, site_id, since, start)
        try:
            return baseline_kw(import_samples(rows), start, end, days=BASELINE_DAYS)
        except DemandResponseError as exc:
            raise InvalidInput(
                f"baseline_kw_by_site[{site_id!r}]: {exc}; give the baseline explicitly",
                field="baseline_kw_by_site",
            ) from None

    async def cancel(self, event_id: str) -> DemandResponseEvent:
        """Cancel from now on (the time is stored: the report covers the window actually in force).

        Cancelling a cancelled event changes nothing; an event that has ended is a record and stays as it was
        (:class:`Conflict`).
        """
        now = self._clock()
        async with self._uow() as session:
            row = await session.get(DrEvent, event_id)
            if row is None:
                raise NotFound(f"event {event_id!r} does not exist")
            links = await _links(session, [event_id])
            if row.cancelled:
                return to_domain(row, links[event_id])
            if row.end_at <= now:
                raise Conflict(f"event {event_id!r} ended at {row.end_at.isoformat()}: it stays as it was")
            row.cancelled, row.cancelled_at = True, now
            event = to_domain(row, links[event_id])
        self._changed(event)
        return event

    def _changed(self, event: DemandResponseEvent) -> None:
        sites = tuple(sorted(event.site_ids))
        self._events.publish(DemandResponseChanged(self._clock(), event.event_id, sites))

    async def get(self, event_id: str) -> tuple[DrEvent, DemandResponseEvent]:
        async with self._uow.read() as session:
            row = await session.get(DrEvent, event_id)
            if row is None:
                raise NotFound(f"event {event_id!r} does not exist")
            return row, to_domain(row, (await _links(session, [event_id]))[event_id])

    async def list(
        self,
        *,
        site_id: str | None = None,
        ending_after: datetime | None = None,
        include_cancelled: bool = True,
    ) -> list[tuple[DrEvent, DemandResponseEvent]]:
        async with self._uow.read() as session:
            query = select(DrEvent).order_by(DrEvent.start_at, DrEvent.id)
            if ending_after is not None:
                query = query.where(DrEvent.end_at > ending_after)
            if not include_cancelled:
                query = query.where(DrEvent.cancelled.is_(False))
            if site_id is not None:
                query = query.where(
                    DrEvent.id.in_(select(DrEventSite.event_id).where(DrEventSite.site_id == site_id))
                )
            rows = list(await session.scalars(query))
            links = await _links(session, [r.id for r in rows])
            return [(r, to_domain(r, links[r.id])) for r in rows]

    async def live_events(self, now: datetime) -> list[DemandResponseEvent]:
        """Events not cancelled and not yet over: what the energy manager plans with."""
        return [ev for _, ev in await self.list(ending_after=now, include_cancelled=False)]

    async def performance(self, event_id: str, *, tolerance_kw: float = 0.0) -> list[EventPerformance]:
        """Per site: baseline, target and measured import (time-weighted mean and max) so far."""
        now = self._clock()
        async with self._uow.read() as session:
            row = await session.get(DrEvent, event_id)
            if row is None:
                raise NotFound(f"event {event_id!r} does not exist")
            event = to_domain(row, (await _links(session, [event_id]))[event_id])
            out = []
            for site_id in sorted(event.site_ids):
                # One sample before the start holds into the event, as the time-weighted mean expects.
                rows = await telemetry_between(
                    session, site_id, event.start - timedelta(minutes=15), event.effective_end
                )
                out.append(
                    event_performance(event, site_id, import_samples(rows), now, tolerance_kw=tolerance_kw)
                )
            return out


async def _links(session: AsyncSession, event_ids: Sequence[str]) -> dict[str, list[DrEventSite]]:
    out: dict[str, list[DrEventSite]] = {e: [] for e in event_ids}
    if event_ids:
        rows = await session.scalars(
            select(DrEventSite).where(DrEventSite.event_id.in_(list(event_ids))).order_by(DrEventSite.site_id)
        )
        for r in rows:
            out[r.event_id].append(r)
    return out
