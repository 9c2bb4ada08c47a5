"""Demand-response events that arrive from outside (the load-management centre's OpenADR VTN), applied to the
CSMS's own demand-response model, and the metered site load reported back.

The edge (:mod:`csms.openadr.ven`) hands each OpenADR event, read by :func:`csms.domain.openadr.read_event`,
to :meth:`ExternalDemandResponse.apply`: the intervals of the event's current modification become
demand-response events (the energy manager obeys them like those of the REST API), intervals of an earlier
modification are cancelled, and a cancelled event cancels them all. Ended intervals stay as they were (a
record). Whether the VEN opts in is the answer.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from csms.domain.openadr import ExternalEvent, site_targets
from csms.domain.timeutil import Clock
from csms.errors import Conflict, InvalidInput, NotFound
from csms.services.demand_response import DemandResponseService, EventRequest
from csms.services.sites import SiteService

log = logging.getLogger("csms.openadr")


class ExternalDemandResponse:
    """Applies external events to the sites ``resources`` (the site ids this VEN declared)."""

    def __init__(
        self, dr: DemandResponseService, sites: SiteService, clock: Clock, resources: Sequence[str]
    ) -> None:
        self._dr, self._sites, self._clock = dr, sites, clock
        self.resources = tuple(resources)

    async def apply(self, ev: ExternalEvent, source: str = "openadr") -> bool:
        """Bring the demand-response events made from ``ev`` in line with it; ``True``: opted in."""
        now = self._clock()
        live = [e for _, e in await self._dr.list(ending_after=now, include_cancelled=False)
                if e.event_id.startswith(ev.prefix)]
        sites = site_targets(ev, self.resources)
        wanted = {} if ev.cancelled else await self._requests(ev, sites, now)
        for old in live:
            if old.event_id not in wanted:
                await self._cancel(old.event_id)
        existing = {e.event_id for e in live}
        opted_in = bool(sites) or ev.cancelled
        for event_id, req in wanted.items():
            if event_id in existing:
                continue
            try:
                await self._dr.create(req, created_by=source)
            except Conflict:
                pass  # the same interval of the same modification, seen before
            except InvalidInput as exc:
                log.warning("event=openadr_interval_refused dr_event=%s reason=%s", event_id, exc)
                opted_in = False
        log.info("event=openadr_event_applied openadr_event=%s modification=%d sites=%s cancelled=%s "
                 "intervals=%d opted_in=%s", ev.event_id, ev.modification, ",".join(sites), ev.cancelled,
                 len(wanted), opted_in)
        return opted_in

    async def _requests(
        self, ev: ExternalEvent, sites: Sequence[str], now: datetime
    ) -> dict[str, EventRequest]:
        out: dict[str, EventRequest] = {}
        for interval in ev.intervals:
            if interval.end <= now or not sites:
                continue  # over already: nothing to curtail, nothing to judge
            note = f"OpenADR event {ev.event_id} (modification {ev.modification})"
            if interval.target_kw is not None:
                out[interval.dr_event_id] = EventRequest(
                    site_ids=sites, start=interval.start, end=interval.end,
                    target_import_kw=interval.target_kw, event_id=interval.dr_event_id, note=note,
                )
                continue
            assert interval.share is not None
            for site_id in sites:  # a share of each site's own limit: one event per site
                try:
                    site, _ = await self._sites.get(site_id)
                except NotFound:
                    continue
                event_id = f"{interval.dr_event_id}-{site_id}"
                out[event_id] = EventRequest(
                    site_ids=[site_id], start=interval.start, end=interval.end,
                    target_import_kw=round(site.grid_limit_kw * interval.share, 3), event_id=event_id,
                    note=note,
                )
        return out

    async def _cancel(self, event_id: str) -> None:
        try:
            await self._dr.cancel(event_id)
        except Conflict:
            pass  # ended meanwhile: it stays as it was

    async def metered_import_w(self, site_id: str) -> list[tuple[datetime, float]]:
        """The site's latest metered grid import [W] with its time (none if the meter has not reported)."""
        try:
            rows = await self._sites.telemetry(site_id, limit=20)
        except NotFound:
            return []
        for row in reversed(rows):
            if row.grid_import_w is not None:
                return [(row.timestamp, row.grid_import_w)]
        return []


__all__ = ["ExternalDemandResponse"]
