"""The site energy manager: runs the domain allocation on a period and on events, sends charging profiles.

One background task. It wakes every ``energy_period_s``, at every demand-response event start or end, and
when told that a site changed (telemetry, a new event); then for the sites concerned it reads a snapshot,
runs :func:`csms.domain.energy.allocate` and sends SetChargingProfile only where the domain's hysteresis says so:

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
import logging
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from csms.config import Settings
from csms.db.sites import SentChargingProfile
from csms.domain.demand_response import (
    AreaFlexibility,
    DemandResponseEvent,
    active_limit,
    area_flexibility,
    next_event_boundary,
    site_flexibility,
)
from csms.domain.energy import (
    Allocation,
    CurrentType,
    PriorityClass,
    SessionDemand,
    SiteState,
    allocate,
    needs_update,
    profile_v16,
    profile_v201,
    safe_default_limit_w,
    session_limit_rate,
)
from csms.errors import CsmsError, NotFound
from csms.services.demand_response import DemandResponseService
from csms.services.sites import Member, SiteService, SiteSnapshot
from csms.services.uow import Clock, UnitOfWork

log = logging.getLogger("csms.energy")


class StationGateway(Protocol):
    """What the manager needs of the connection registry (kept abstract: services never import the edge)."""

    def is_online(self, station_id: str) -> bool: ...
    def get(self, station_id: str) -> Any: ...  # a connection with .ocpp_version and .boot_accepted
    async def call(
        self, station_id: str, action: str, payload: dict[str, Any], *, timeout_s: float | None = None
    ) -> dict[str, Any]: ...


@dataclass(frozen=True)
class _Version:
    """How one OCPP version names the profiles the manager sends (versions are data)."""

    build: Callable[..., dict[str, Any]]
    scope_kw: str
    max_purpose: str
    tx_ref: Callable[[int, str | None], int | str | None]


_VERSIONS = {
    "1.6": _Version(profile_v16, "connector_id", "ChargePointMaxProfile", lambda tx_id, uid: tx_id),
    "2.0.1": _Version(profile_v201, "evse_id", "ChargingStationMaxProfile", lambda tx_id, uid: uid),
}
PROFILE_ID_MAX, PROFILE_ID_DEFAULT, PROFILE_ID_TX_BASE = 1, 2, 100


@dataclass(frozen=True)
class Sent:
    """A profile a station accepted: its limit [W], when, and for what (transaction ref or connection)."""

    limit_w: float
    sent_at: datetime
    ref: str


@dataclass(frozen=True)
class ProfileMessage:
    site_id: str
    station_id: str
    evse_id: int
    purpose: str
    profile_id: int
    ref: str
    limit_w: float
    limit_value: float
    unit: str
    payload: dict[str, Any]
    decrease: bool


def rate(current_type: CurrentType, phases: int, limit_w: float, voltage_v: float) -> tuple[float, str, int | None]:
    """``(limit, unit, phases)``: A per phase for AC (rounded down to 0.1 A), W for DC."""
    if current_type is CurrentType.AC:
        return math.floor(limit_w / (voltage_v * phases) * 10) / 10, "A", phases
    return limit_w, "W", None


def _with_fallback(payload: dict[str, Any], after_s: int, limit: float, phases: int | None) -> dict[str, Any]:
    """Append a period from ``after_s`` at ``limit`` to the payload's one schedule (either version)."""
    profile = payload.get("csChargingProfiles") or payload["chargingProfile"]
    schedule = profile["chargingSchedule"]
    schedule = schedule[0] if isinstance(schedule, list) else schedule
    period: dict[str, Any] = {"startPeriod": after_s, "limit": math.floor(max(0.0, limit) * 10 + 1e-9) / 10}
    if phases is not None:
        period["numberPhases"] = phases
    schedule["chargingSchedulePeriod"].append(period)
    return payload


class EnergyManager:
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
        self._sent: dict[tuple[str, int, str], Sent] = {}
        self._dirty: set[str] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._next_boundary: datetime | None = None
        self.cycles = 0

    # -- lifecycle -----------------------------------------------------------------------------------------
    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="energy-manager")

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass
        self._task = None

    def trigger(self, site_ids: Iterable[str]) -> None:
        """Run these sites' cycle now (telemetry arrived, an event was created or cancelled)."""
        self._dirty.update(site_ids)
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
            full = loop.time() >= next_full or (
                self._next_boundary is not None and self._clock() >= self._next_boundary
            )
            sites = None if full else sorted(self._dirty)
            self._dirty.clear()
            if full:
                next_full = loop.time() + self._s.energy_period_s
            try:
                await self.run_cycle(sites)
            except Exception:  # the top of this task: log the traceback, keep managing the sites
                log.exception("event=allocation_cycle_failed sites=%s", "all" if sites is None else sites)

    # -- one cycle -----------------------------------------------------------------------------------------
    async def run_cycle(self, site_ids: Sequence[str] | None = None, *, send: bool = True) -> dict[str, Allocation]:
        """Allocate the sites (all when ``None``) and, with ``send``, send the profiles that changed."""
        now = self._clock()
        snaps = await self._sites.snapshots(site_ids)
        events = await self._dr.live_events(now)
        self._next_boundary = next_event_boundary(events, now)
        out: dict[str, Allocation] = {}
        messages: list[ProfileMessage] = []
        for snap in snaps:
            try:
                alloc = allocate(
                    snap.spec, self._state(snap, now), now, snap.tariff, events,
                    control_period_s=self._s.energy_control_period_s,
                    telemetry_max_age_s=self._s.energy_telemetry_max_age_s,
                )
            except ValueError:
                log.exception("site=%s event=allocation_failed", snap.spec.site_id)
                continue
            out[snap.spec.site_id] = alloc
            if send:
                self._latest[snap.spec.site_id] = alloc
                messages += self._messages(snap, alloc, events, now)
        if messages:
            accepted = await self._send_all([m for m in messages if m.decrease])
            accepted += await self._send_all([m for m in messages if not m.decrease])
            await self._record(accepted)
        self.cycles += send
        return out

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
                held = sent.limit_w if sent and sent.ref == s.session_id else self._safe_w(snap, m, None)
                low = high = held
                prio = PriorityClass.PUBLIC_SERVICE
            sessions.append(
                SessionDemand(
                    s.session_id, s.station_id, s.evse_id, m.current_type, low, high, s.started_at,
                    phases=m.phases, priority=prio,
                )
            )
        if t is None:  # no telemetry yet: no PV, no battery, the building at its declared maximum
            return SiteState(now, 0.0, spec.base_load_kw * 1000, None, tuple(sessions))
        return SiteState(t.timestamp, t.pv_power_w, t.base_load_w, t.battery_soc_pct, tuple(sessions))

    def _safe_w(self, snap: SiteSnapshot, m: Member, dr_limit_kw: float | None) -> float:
        return safe_default_limit_w(
            snap.spec, max(1, len(snap.members)), station_max_w=m.max_power_w, dr_limit_kw=dr_limit_kw
        )

    def _messages(
        self, snap: SiteSnapshot, alloc: Allocation, events: Sequence[DemandResponseEvent], now: datetime
    ) -> list[ProfileMessage]:
        spec, site_id = snap.spec, snap.spec.site_id
        dr = active_limit(site_id, events, now)
        members = {m.station_id: m for m in snap.members}
        out: list[ProfileMessage] = []
        hyst = {"hysteresis_w": self._s.energy_hysteresis_w, "hysteresis_pct": self._s.energy_hysteresis_pct}

        def message(station: str, evse: int, purpose: str, pid: int, ref: str, limit_w: float, rate_: tuple,
                    payload: dict[str, Any]) -> ProfileMessage:
            old = self._sent.get((station, evse, purpose))
            decrease = old is not None and old.ref == ref and limit_w < old.limit_w
            return ProfileMessage(site_id, station, evse, purpose, pid, ref, limit_w, rate_[0], rate_[1], payload, decrease)

        ready: dict[str, _Version] = {}
        for m in snap.members:
            if not self._gw.is_online(m.station_id):
                continue
            try:
                conn = self._gw.get(m.station_id)
            except CsmsError:  # online on another CSMS node: that node's manager sends its profiles
                continue
            if not getattr(conn, "boot_accepted", False) or conn.ocpp_version not in _VERSIONS:
                continue
            v = ready[m.station_id] = _VERSIONS[conn.ocpp_version]
            ref = f"conn:{id(conn)}"  # a new connection (a reboot, perhaps) gets its defaults again
            safe = self._safe_w(snap, m, dr.limit_kw if dr else None)
            for purpose, pid, limit_w in (("TxDefaultProfile", PROFILE_ID_DEFAULT, safe), (v.max_purpose, PROFILE_ID_MAX, m.max_power_w)):
                old = self._sent.get((m.station_id, 0, purpose))
                if old is not None and old.ref == ref and not needs_update(old.limit_w, limit_w, **hyst, decrease_always=True):
                    continue
                r = rate(m.current_type, m.phases, limit_w, spec.voltage_v)
                payload = v.build(purpose, r[0], r[1], profile_id=pid, start=now, number_phases=r[2], **{v.scope_kw: 0})
                out.append(message(m.station_id, 0, purpose, pid, ref, limit_w, r, payload))

        # Hysteresis may hold back a decrease only while the old limits still fit the power for charging.
        olds = [self._sent.get((s.station_id, s.evse_id, "TxProfile")) for s in alloc.sessions]
        worst = sum(max(o.limit_w, s.limit_w) if o and o.ref == s.session_id else s.limit_w for o, s in zip(olds, alloc.sessions, strict=True))
        decrease_always = alloc.binding_limit == "demand_response" or worst > alloc.available_for_charging_w + 1.0
        refresh_s = self._s.energy_profile_validity_s / 2
        by_id = {s.session_id: s for s in snap.sessions}
        for lim, old in zip(alloc.sessions, olds, strict=True):
            v = ready.get(lim.station_id)
            tx_ref = v.tx_ref(by_id[lim.session_id].transaction_id, by_id[lim.session_id].uid) if v else None
            if v is None or tx_ref is None or lim.evse_id <= 0:
                continue
            known = old if old is not None and old.ref == lim.session_id else None
            due = known is not None and (now - known.sent_at).total_seconds() >= refresh_s
            if not due and not needs_update(known.limit_w if known else None, lim.limit_w, **hyst, decrease_always=decrease_always):
                continue
            m = members[lim.station_id]
            value, unit, phases = session_limit_rate(lim)
            pid = PROFILE_ID_TX_BASE + lim.evse_id
            payload = v.build(
                "TxProfile", value, unit, profile_id=pid, start=now, transaction_id=tx_ref, number_phases=phases,
                **{v.scope_kw: lim.evse_id},
            )
            fallback = rate(m.current_type, m.phases, self._safe_w(snap, m, dr.limit_kw if dr else None), spec.voltage_v)
            _with_fallback(payload, self._s.energy_profile_validity_s, fallback[0], fallback[2])
            out.append(message(lim.station_id, lim.evse_id, "TxProfile", pid, lim.session_id, lim.limit_w, (value, unit), payload))
        return out

    async def _send_all(self, messages: Sequence[ProfileMessage]) -> list[tuple[ProfileMessage, str]]:
        """Send per station in order, stations concurrently; return every answered message with its status."""
        by_station: dict[str, list[ProfileMessage]] = defaultdict(list)
        for m in messages:
            by_station[m.station_id].append(m)
        results = await asyncio.gather(*(self._send_station(ms) for ms in by_station.values()), return_exceptions=True)
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
                    m.station_id, m.purpose, m.evse_id, exc,
                )
                continue
            status = str(result.get("status", "Unknown"))
            log.info(
                "station=%s event=charging_profile site=%s purpose=%s evse=%s limit=%s%s status=%s",
                m.station_id, m.site_id, m.purpose, m.evse_id, m.limit_value, m.unit, status,
            )
            if status == "Accepted":
                self._sent[(m.station_id, m.evse_id, m.purpose)] = Sent(m.limit_w, self._clock(), m.ref)
            answered.append((m, status))
        return answered

    async def _record(self, answered: Sequence[tuple[ProfileMessage, str]]) -> None:
        if not answered:
            return
        now = self._clock()
        async with self._uow() as session:
            for m, status in answered:
                await _upsert(session, m, status, now)

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

    def sent(self, station_id: str) -> dict[tuple[int, str], Sent]:
        return {(e, p): s for (st, e, p), s in self._sent.items() if st == station_id}


async def _upsert(session: AsyncSession, m: ProfileMessage, status: str, now: datetime) -> None:
    row = await session.get(SentChargingProfile, (m.station_id, m.evse_id, m.purpose))
    if row is None:
        row = SentChargingProfile(station_id=m.station_id, evse_id=m.evse_id, purpose=m.purpose)
        session.add(row)
    row.site_id, row.profile_id, row.transaction_ref = m.site_id, m.profile_id, m.ref[:36]
    row.limit_w, row.limit_value, row.rate_unit, row.status, row.sent_at = m.limit_w, m.limit_value, m.unit, status, now


__all__ = ["EnergyManager", "ProfileMessage", "Sent", "StationGateway", "rate"]
