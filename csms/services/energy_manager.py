"""The site energy manager: runs the domain allocation on a period and on events, sends charging profiles.

One background task. It wakes every ``energy_period_s``, at every demand-response event start or end, and
when told that a site changed (telemetry, a new event); then for the sites concerned it reads a snapshot,
runs :func:`csms.domain.energy.allocate` and sends SetChargingProfile only where the domain's hysteresis
says so:

* **TxProfile** per session (1.6: connector + ``transactionId``; 2.0.1: EVSE + ``transactionId``) with its
  share, followed by a second period that falls back to the site's safe default after
  ``energy_profile_validity_s``: a station that loses the CSMS drops to a safe limit by itself, and the
  manager refreshes the profile well before that while it is connected.
* **TxDefaultProfile** (station-wide) at the safe default, and the station-wide maximum
  (1.6 ChargePointMaxProfile, 2.0.1 ChargingStationMaxProfile) at the station's rating, each time a station
  connects (after its boot is accepted) and whenever a demand-response limit changes the safe default.

Decreases go out before increases, and while a demand-response limit binds (or the old limits would
overrun the power for charging) every decrease is sent at once, whatever the hysteresis.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import weakref
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, tuple_

from csms.config import Settings
from csms.db.sites import SentChargingProfile
from csms.db.uow import UnitOfWork
from csms.domain.demand_response import (
    AreaFlexibility,
    active_limit,
    area_flexibility,
    next_event_boundary,
    site_flexibility,
)
from csms.domain.energy import (
    Allocation,
    PriorityClass,
    SessionDemand,
    SiteState,
    allocate,
)
from csms.domain.timeutil import Clock
from csms.errors import CsmsError, NotFound
from csms.services.demand_response import DemandResponseService
from csms.services.energy_profiles import (
    VERSIONS,
    Policy,
    ProfileMessage,
    Sent,
    SentKey,
    plan_profiles,
    safe_w,
)
from csms.services.gateway import StationGateway
from csms.services.sites import SiteService, SiteSnapshot
from csms.tasks import cancel_and_wait

log = logging.getLogger("csms.energy")

#: After a failed cycle, the next full cycle comes at most this soon [s].
RETRY_S = 1.0


class EnergyManager:
    """Allocates every site and keeps each station's charging profiles in step (see the module docstring).

    ``run_cycle`` is one cycle and can be called directly (tests, tools); ``start`` runs the loop that calls
    it on the period, on ``trigger``/``station_changed`` and at demand-response boundaries.
    """

    def __init__(
        self,
        settings: Settings,
        sites: SiteService,
        demand_response: DemandResponseService,
        uow: UnitOfWork,
        gateway: StationGateway,
        clock: Clock,
    ) -> None:
        self._s = settings
        self._sites = sites
        self._dr = demand_response
        self._uow = uow
        self._gw = gateway
        self._clock = clock
        self._latest: dict[str, Allocation] = {}
        self._sent: dict[SentKey, Sent] = {}
        self._conn_serials: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
        self._serials = itertools.count(1)
        self._policy = Policy(
            settings.energy_hysteresis_w, settings.energy_hysteresis_pct, settings.energy_profile_validity_s
        )
        self._dirty: set[str] = set()
        self._full_now = False
        self._station_site: dict[str, str] = {}
        self._mapped = False
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._next_boundary: datetime | None = None
        self.cycles = 0
        self._cycled = asyncio.Condition()

    # -- lifecycle -----------------------------------------------------------------------------------------
    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="energy-manager")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    def trigger(self, site_ids: Iterable[str]) -> None:
        """Run these sites' cycle now (telemetry arrived, an event was created or cancelled)."""
        self._dirty.update(site_ids)
        self._wake.set()

    def station_changed(self, station_id: str) -> None:
        """A session started or stopped, or a boot was accepted, at ``station_id``: run its site's cycle now.

        Stations at no site are ignored once a full cycle has mapped every site's stations (a station added
        to a site since then has had its site run by that change); before that, every site is run.
        """
        site_id = self._station_site.get(station_id)
        if site_id is not None:
            self._dirty.add(site_id)
        elif not self._mapped:
            self._full_now = True
        else:
            return
        self._wake.set()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_full = loop.time()
        while True:
            timeout = max(0.0, next_full - loop.time())
            if self._next_boundary is not None:
                # A little after the boundary, so that the event is in force (or over) when read.
                timeout = min(timeout, max(0.0, (self._next_boundary - self._clock()).total_seconds() + 0.01))
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except TimeoutError:
                pass
            self._wake.clear()
            full = (
                self._full_now
                or loop.time() >= next_full
                or (self._next_boundary is not None and self._clock() >= self._next_boundary)
            )
            self._full_now = False
            sites = None if full else sorted(self._dirty)
            self._dirty.clear()
            if full:
                next_full = loop.time() + self._s.energy_period_s
            try:
                await self.run_cycle(sites)
            except Exception:  # the top of this task: log the traceback, keep managing the sites
                log.exception("event=allocation_cycle_failed sites=%s", "all" if sites is None else sites)
                # Retry everything soon: the failed sites' changes (and the next DR boundary) are unknown.
                next_full = min(next_full, loop.time() + min(RETRY_S, self._s.energy_period_s))

    # -- one cycle -----------------------------------------------------------------------------------------
    async def run_cycle(
        self, site_ids: Sequence[str] | None = None, *, send: bool = True
    ) -> dict[str, Allocation]:
        """Allocate the sites (all when ``None``) and, with ``send``, send the profiles that changed."""
        now = self._clock()
        snaps = await self._sites.snapshots(site_ids)
        self._mapped = self._mapped or site_ids is None
        events = await self._dr.live_events(now)
        self._next_boundary = next_event_boundary(events, now)
        out: dict[str, Allocation] = {}
        messages: list[ProfileMessage] = []
        for snap in snaps:
            self._station_site.update((m.station_id, snap.spec.site_id) for m in snap.members)
            try:
                alloc = allocate(
                    snap.spec,
                    self._state(snap, now),
                    now,
                    snap.tariff,
                    events,
                    control_period_s=self._s.energy_control_period_s,
                    telemetry_max_age_s=self._s.energy_telemetry_max_age_s,
                )
            except ValueError:
                log.exception("site=%s event=allocation_failed", snap.spec.site_id)
                continue
            out[snap.spec.site_id] = alloc
            if send:
                self._latest[snap.spec.site_id] = alloc
                dr = active_limit(snap.spec.site_id, events, now)
                messages += plan_profiles(
                    snap, alloc, now, dr_limit_kw=dr.limit_kw if dr else None, sent=self._sent,
                    ready=self._ready(snap), policy=self._policy,
                )  # fmt: skip
        if messages:
            accepted = await self._send_all([m for m in messages if m.decrease])
            accepted += await self._send_all([m for m in messages if not m.decrease])
            await self._record(accepted)
        if send:
            async with self._cycled:
                self.cycles += 1
                self._cycled.notify_all()
        return out

    async def wait_for_cycles(self, n: int) -> None:
        """Wait until ``n`` sending cycles have completed (for tests and tools: an event, not a sleep)."""
        async with self._cycled:
            await self._cycled.wait_for(lambda: self.cycles >= n)

    def _state(self, snap: SiteSnapshot, now: datetime) -> SiteState:
        spec, t = snap.spec, snap.latest
        members = {m.station_id: m for m in snap.members}
        sessions = []
        for s in snap.sessions:
            m = members[s.station_id]
            if self._gw.is_online(s.station_id):
                low, high, prio = m.minimum_w(spec.voltage_v), m.max_power_w, m.priority
            else:
                # It charges on at whatever it was last told, unseen: reserve exactly that, first.
                sent = self._sent.get((s.station_id, s.evse_id, "TxProfile"))
                held = sent.limit_w if sent and sent.ref == s.session_id else safe_w(snap, m, None)
                low = high = held
                prio = PriorityClass.PUBLIC_SERVICE
            sessions.append(
                SessionDemand(
                    s.session_id,
                    s.station_id,
                    s.evse_id,
                    m.current_type,
                    low,
                    high,
                    s.started_at,
                    phases=m.phases,
                    priority=prio,
                )
            )
        if t is None:  # no telemetry yet: no PV, no battery, the building at its declared maximum
            return SiteState(now, 0.0, spec.base_load_kw * 1000, None, tuple(sessions))
        return SiteState(t.timestamp, t.pv_power_w, t.base_load_w, t.battery_soc_pct, tuple(sessions))

    def _ready(self, snap: SiteSnapshot) -> dict[str, tuple[str, str]]:
        """Stations of the site that may be sent to now: ``station -> (ocpp version, connection ref)``."""
        ready = {}
        for m in snap.members:
            if not self._gw.is_online(m.station_id):
                continue
            try:
                conn = self._gw.get(m.station_id)
            except CsmsError:  # online on another CSMS node: that node's manager sends its profiles
                continue
            if getattr(conn, "boot_accepted", False) and conn.ocpp_version in VERSIONS:
                # A new connection (a reboot, perhaps) gets its station-wide profiles again. A serial, not
                # id(conn): a closed connection's address may be reused by the next one.
                serial = self._conn_serials.setdefault(conn, next(self._serials))
                ready[m.station_id] = (conn.ocpp_version, f"conn:{serial}")
        return ready

    async def _send_all(self, messages: Sequence[ProfileMessage]) -> list[tuple[ProfileMessage, str]]:
        """Send per station in order, stations concurrently; return every answered message with its status."""
        by_station: dict[str, list[ProfileMessage]] = defaultdict(list)
        for m in messages:
            by_station[m.station_id].append(m)
        results = await asyncio.gather(
            *(self._send_station(ms) for ms in by_station.values()), return_exceptions=True
        )
        answered: list[tuple[ProfileMessage, str]] = []
        for ms, r in zip(by_station.values(), results, strict=True):
            if isinstance(r, BaseException):
                log.error("station=%s event=charging_profile_send_failed", ms[0].station_id, exc_info=r)
            else:
                answered += r
        return answered

    async def _send_station(self, messages: Sequence[ProfileMessage]) -> list[tuple[ProfileMessage, str]]:
        answered = []
        for m in messages:
            try:
                result = await self._gw.call(
                    m.station_id, "SetChargingProfile", m.payload, timeout_s=self._s.energy_call_timeout_s
                )
            except CsmsError as exc:  # not connected, timed out, CALLERROR, payload refused: try next cycle
                log.warning(
                    "station=%s event=charging_profile_not_sent purpose=%s evse=%s error=%s",
                    m.station_id,
                    m.purpose,
                    m.evse_id,
                    exc,
                )
                continue
            status = str(result.get("status", "Unknown"))
            log.info(
                "station=%s event=charging_profile site=%s purpose=%s evse=%s limit=%s%s status=%s",
                m.station_id,
                m.site_id,
                m.purpose,
                m.evse_id,
                m.limit_value,
                m.unit,
                status,
            )
            if status == "Accepted":
                self._sent[m.key] = Sent(m.limit_w, self._clock(), m.ref)
            answered.append((m, status))
        return answered

    async def _record(self, answered: Sequence[tuple[ProfileMessage, str]]) -> None:
        """Replace the stored rows of the answered (station, EVSE, purpose) keys in one transaction."""
        if not answered:
            return
        now = self._clock()
        last = {m.key: (m, status) for m, status in answered}  # the later answer for a key wins
        table = SentChargingProfile.__table__
        keys = tuple_(table.c.station_id, table.c.evse_id, table.c.purpose)
        async with self._uow() as session:
            items = list(last.items())
            for i in range(0, len(items), _CHUNK):  # bound the statement size on every backend
                chunk = items[i : i + _CHUNK]
                await session.execute(delete(table).where(keys.in_([k for k, _ in chunk])))
                await session.execute(insert(table), [_row(m, status, now) for _, (m, status) in chunk])

    # -- reads for the API -----------------------------------------------------------------------------------
    async def allocation(self, site_id: str) -> Allocation:
        """The site's latest allocation, or one planned now (nothing sent) if it has none yet."""
        if site_id in self._latest:
            return self._latest[site_id]
        planned = await self.run_cycle([site_id], send=False)
        if site_id not in planned:
            raise NotFound(f"site {site_id!r} does not exist")
        return planned[site_id]

    async def flexibility(self, site_ids: Sequence[str]) -> AreaFlexibility:
        """The virtual-power-plant view: power the sites could shed now [W], per site and in total."""
        missing = [s for s in site_ids if s not in self._latest]
        planned = await self.run_cycle(missing, send=False) if missing else {}
        allocs = [self._latest.get(s) or planned.get(s) for s in site_ids]
        return area_flexibility(site_flexibility(a) for a in allocs if a is not None)


_CHUNK = 500


def _row(m: ProfileMessage, status: str, now: datetime) -> dict[str, Any]:
    return {
        "station_id": m.station_id, "evse_id": m.evse_id, "purpose": m.purpose, "site_id": m.site_id,
        "profile_id": m.profile_id, "transaction_ref": m.ref[:36], "limit_w": m.limit_w,
        "limit_value": m.limit_value, "rate_unit": m.unit, "status": status, "sent_at": now,
    }  # fmt: skip


__all__ = ["EnergyManager", "StationGateway"]
