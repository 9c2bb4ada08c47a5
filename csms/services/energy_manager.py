"""The site energy manager: runs the domain allocation on a period and on events, sends charging profiles.

One background task. It wakes every ``energy_period_s``, at every demand-response event start or end, and
on the domain events it subscribes to: telemetry received, a site or a demand-response event changed (those
sites), a station connected or accepted at boot, a session started or ended (that station's site). Then for
the sites concerned it reads a snapshot, runs :func:`csms.domain.energy.allocate` and sends the charging
profiles :func:`csms.domain.energy.planning.plan_profiles` calls for (version-neutral values; the station's
OCPP version module spells them as SetChargingProfile, through ``gateway.command``):

* **TxProfile** per session (1.6: connector + ``transactionId``; 2.0.1: EVSE + ``transactionId``) with its
  share, followed by a second period that falls back to the site's safe default after
  ``energy_profile_validity_s``: a station that loses the CSMS drops to a safe limit by itself, and the
  manager refreshes the profile well before that while it is connected.
* **TxDefaultProfile** (station-wide) at the safe default, and the station-wide maximum
  (1.6 ChargePointMaxProfile, 2.0.1 ChargingStationMaxProfile) at the station's rating, each time a station
  connects (after its boot is accepted) and whenever a demand-response limit changes the safe default.

Decreases go out before increases, and while a demand-response limit binds (or the old limits would
overrun the power for charging) every decrease is sent at once, whatever the hysteresis.

The loop is closed on the site meter (:mod:`csms.domain.energy.control`): each site's
:class:`~csms.domain.energy.control.ImportController` integrates the metered import's error against the aim
(the limit less a safety margin), PV is planned at its recent minimum and the base load at its recent maximum,
AC stations are planned at the voltage their meters report, and a sample over the limit runs the site at once
with the whole excess taken off (the fast path).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Collection, Iterable, Sequence
from datetime import datetime, timedelta

from csms.config import Settings
from csms.domain.demand_response import (
    AreaFlexibility,
    active_limit,
    area_flexibility,
    next_event_boundary,
    site_flexibility,
)
from csms.domain.energy import Allocation, allocate
from csms.domain.energy.control import ControlPolicy, ImportController, aim_w
from csms.domain.energy.dispatch import BatteryCommand, battery_command
from csms.domain.energy.external_limits import ExternalLimit, caps_w
from csms.domain.energy.needs import NeedsChanged, mark_planned, shift_by_plan
from csms.domain.energy.planning import Policy, ProfileMessage, plan_profiles
from csms.domain.energy.state import site_state
from csms.domain.events import (
    ChargingLimitChanged,
    DemandResponseChanged,
    EventBus,
    SessionEnded,
    SessionStarted,
    SiteChanged,
    StationBooted,
    StationConnected,
    TelemetryReceived,
)
from csms.domain.timeutil import Clock
from csms.errors import NotFound
from csms.services.demand_response import DemandResponseService
from csms.services.energy_sending import ProfileSender
from csms.services.gateway import StationGateway
from csms.services.leases import SingleNode, SiteLeases
from csms.services.sites import SiteService
from csms.tasks import cancel_and_wait

log = logging.getLogger("csms.energy")

#: After a failed cycle, the next full cycle comes at most this soon [s].
RETRY_S = 1.0

#: How long after a demand-response boundary the cycle runs [s], so the event is in force (or over) when read.
BOUNDARY_LAG_S = 0.01

#: Without an injected ``sleep_until`` the loop re-reads its clock at least this often while it waits [s].
POLL_S = 0.02

SleepUntil = Callable[[datetime], Awaitable[None]]
"""Returns once the clock reads at least the given time (tests inject one driven by their fake clock)."""

ExternalLimits = Callable[[], Awaitable[Collection[ExternalLimit]]]
"""The external charging limits stations reported (K12), read once per cycle."""


class EnergyManager:
    """Allocates every site and keeps each station's charging profiles in step (see the module docstring).

    ``run_cycle`` is one cycle and can be called directly (tests, tools); ``start`` subscribes to ``events``
    and runs the loop that calls it on the period, on those events and at demand-response boundaries. Time
    is the injected ``clock``'s and every wait goes through the injected ``sleep_until``: with a fake pair a
    test drives the loop without real seconds passing.
    """

    def __init__(
        self,
        settings: Settings,
        sites: SiteService,
        demand_response: DemandResponseService,
        gateway: StationGateway,
        clock: Clock,
        *,
        events: EventBus | None = None,
        sleep_until: SleepUntil | None = None,
        leases: SiteLeases | None = None,
        external_limits: ExternalLimits | None = None,
    ) -> None:
        self._s = settings
        self._leases: SiteLeases = leases or SingleNode()
        self._external_limits = external_limits
        self._events = events
        self._sleep_until = sleep_until or self._real_sleep_until
        self._unsubscribe: list[Callable[[], None]] = []
        self._sites = sites
        self._dr = demand_response
        self._gw = gateway
        self._clock = clock
        self._latest: dict[str, Allocation] = {}
        self._commands: dict[str, BatteryCommand] = {}
        self._sender = ProfileSender(sites, gateway, clock, settings.energy_call_timeout_s)
        self._policy = Policy(
            settings.energy_hysteresis_w, settings.energy_hysteresis_pct, settings.energy_profile_validity_s
        )
        self._control_policy = ControlPolicy(
            margin_pct=settings.energy_margin_pct,
            margin_w=settings.energy_margin_w,
            window_s=settings.energy_feedback_window_s,
            pv_window_s=settings.energy_pv_window_s,
            pv_reserve_pct=settings.energy_pv_reserve_pct,
        )
        self._control: dict[str, ImportController] = {}
        self._dirty: set[str] = set()
        self._full_now = False
        self._station_site: dict[str, str] = {}
        self._mapped = False
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._next_boundary: datetime | None = None
        self.cycles = 0
        self.site_cycles: Counter[str] = Counter()
        """Sending cycles run per site by this node (with several nodes: only for the sites it held)."""
        self.tokens: dict[str, int] = {}
        """The lease token of this node's latest cycle per site."""
        self._cycled = asyncio.Condition()

    # -- lifecycle -----------------------------------------------------------------------------------------
    def start(self) -> None:
        if self._events is not None:
            bus, on_station = self._events, self._on_station
            self._unsubscribe = [
                bus.subscribe(TelemetryReceived, self._on_telemetry),
                bus.subscribe(SiteChanged, lambda e: self.trigger([e.site_id])),
                bus.subscribe(DemandResponseChanged, lambda e: self.trigger(e.site_ids)),
                bus.subscribe(StationConnected, on_station),
                bus.subscribe(StationBooted, on_station),
                bus.subscribe(SessionStarted, on_station),
                bus.subscribe(SessionEnded, on_station),
                bus.subscribe(ChargingLimitChanged, lambda e: self.station_changed(e.station_id)),
                bus.subscribe(NeedsChanged, lambda e: self.station_changed(e.station_id)),
            ]
        self._task = asyncio.create_task(self._run(), name="energy-manager")

    async def stop(self, *, release: bool = True) -> None:
        """Stop; ``release=False`` leaves this node's site leases to expire, as a node that dies would."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        await cancel_and_wait(self._task)
        self._task = None
        await self._leases.stop(release=release)

    def _on_kick(self, sites: tuple[str, ...], stations: tuple[str, ...]) -> None:
        """Another node saw these changes (its events stay on that node): run the sites if held here."""
        if sites:
            self.trigger(sites, forward=False)
        for station_id in stations:
            self.station_changed(station_id, forward=False)

    def _on_station(self, event: StationConnected | StationBooted | SessionStarted | SessionEnded) -> None:
        # A boot that is not accepted leaves the station unready: nothing to send it.
        if not isinstance(event, StationBooted) or event.registration_status == "Accepted":
            self.station_changed(event.station_id)

    def _on_telemetry(self, event: TelemetryReceived) -> None:
        last = self._latest.get(event.site_id)
        if last is not None and event.max_grid_import_w is not None:
            if event.max_grid_import_w > last.import_limit_w:
                # The fast path: this site's cycle runs next, with the excess taken off its plan.
                log.warning(
                    "site=%s event=import_over_limit metered_w=%.0f limit_w=%.0f",
                    event.site_id, event.max_grid_import_w, last.import_limit_w,
                )  # fmt: skip
        self.trigger([event.site_id])

    def trigger(self, site_ids: Iterable[str], *, forward: bool = True) -> None:
        """Run these sites' cycle soon (telemetry arrived, the site or a demand-response event changed);
        ``forward``: tell the other nodes too (the site's lease may be held elsewhere)."""
        site_ids = tuple(site_ids)
        self._dirty.update(site_ids)
        self._wake.set()
        if forward:
            self._leases.kick(sites=site_ids)

    def station_changed(self, station_id: str, *, forward: bool = True) -> None:
        """A session started or stopped, or a boot was accepted, at ``station_id``: run its site's cycle now.

        Stations at no site are ignored once a full cycle has mapped every site's stations (a station added
        to a site since then has had its site run by that change); before that, every site is run.
        """
        if forward:
            self._leases.kick(stations=(station_id,))
        site_id = self._station_site.get(station_id)
        if site_id is not None:
            self._dirty.add(site_id)
        elif not self._mapped:
            self._full_now = True
        else:
            return
        self._wake.set()

    async def _run(self) -> None:
        await self._leases.start(self._on_kick)
        # With several nodes, a full cycle also renews this node's leases and takes over free ones.
        period_s = min(self._s.energy_period_s, self._leases.renew_s or self._s.energy_period_s)
        next_full = self._clock()
        while True:
            now = self._clock()
            # At most a period: a clock set back cannot hold the loop longer than that.
            timeout = min(period_s, max(0.0, (next_full - now).total_seconds()))
            if self._next_boundary is not None:
                timeout = min(timeout, max(0.0, (self._next_boundary - now).total_seconds() + BOUNDARY_LAG_S))
            await self._wait(now + timedelta(seconds=timeout))
            self._wake.clear()
            now = self._clock()
            full = (
                self._full_now
                or now >= next_full
                or (self._next_boundary is not None and now >= self._next_boundary)
            )
            self._full_now = False
            sites = None if full else sorted(self._dirty)
            self._dirty.clear()
            if sites == []:  # woken a hair before a deadline: nothing to run yet
                continue
            if full:
                next_full = now + timedelta(seconds=period_s)
            try:
                await self.run_cycle(sites)
            except Exception:  # the top of this task: log the traceback, keep managing the sites
                log.exception("event=allocation_cycle_failed sites=%s", "all" if sites is None else sites)
                # Retry everything soon: the failed sites' changes (and the next DR boundary) are unknown.
                retry = self._clock() + timedelta(seconds=min(RETRY_S, period_s))
                next_full = min(next_full, retry)
                self._next_boundary = None  # one already past would wake the loop at once, again and again

    async def _wait(self, deadline: datetime) -> None:
        """Until woken or the clock reads ``deadline`` (by the injected ``sleep_until``)."""
        if self._wake.is_set():
            return
        woken = asyncio.ensure_future(self._wake.wait())
        slept = asyncio.ensure_future(self._sleep_until(deadline))
        try:
            await asyncio.wait((woken, slept), return_when=asyncio.FIRST_COMPLETED)
        finally:
            woken.cancel()
            slept.cancel()

    async def _real_sleep_until(self, deadline: datetime) -> None:
        # In short slices, re-reading the clock: it may be a simulated one running faster than real time
        # (a CSMS on the site simulator's clock), when a plain sleep of the difference would be far too long.
        while (left := (deadline - self._clock()).total_seconds()) > 0:  # noqa: ASYNC110 - polls a clock
            await asyncio.sleep(min(left, POLL_S))

    # -- one cycle -----------------------------------------------------------------------------------------
    async def run_cycle(
        self, site_ids: Sequence[str] | None = None, *, send: bool = True
    ) -> dict[str, Allocation]:
        """Allocate the sites (all when ``None``) and, with ``send``, send the profiles that changed."""
        now = self._clock()
        snaps = await self._sites.snapshots(site_ids, recent_s=self._s.energy_pv_window_s)
        self._mapped = self._mapped or site_ids is None
        held: dict[str, int] = {}
        if send:  # only the sites whose lease this node holds (every site with one node)
            for snap in snaps:
                self._station_site.update((m.station_id, snap.spec.site_id) for m in snap.members)
            held = await self._leases.hold([snap.spec.site_id for snap in snaps])
            snaps = [snap for snap in snaps if snap.spec.site_id in held]
        events = await self._dr.live_events(now)
        self._next_boundary = next_event_boundary(events, now)
        limits = await self._external_limits() if self._external_limits is not None else ()
        out: dict[str, Allocation] = {}
        messages: list[ProfileMessage] = []
        for snap in snaps:
            electrical = {m.station_id: (m.volts(snap.spec.voltage_v), m.phases) for m in snap.members}
            self._station_site.update((m.station_id, snap.spec.site_id) for m in snap.members)
            control = self._control.setdefault(snap.spec.site_id, ImportController(self._control_policy))
            control.feed(snap.spec.site_id, snap.recent, snap.spec.connection_limit_kw * 1000, events)
            try:
                state = site_state(
                    snap, now, is_online=self._gw.is_online, sent=self._sender.sent,
                    control_policy=self._control_policy, caps_w=caps_w(limits, now, electrical),
                )  # fmt: skip
                # Sessions with needs: their energy by departure, shifted out of peaks and DR windows.
                state, plans = shift_by_plan(
                    state, snap.spec, now, snap.tariff, events,
                    aim_w=lambda limit_w: aim_w(limit_w, self._control_policy),
                )  # fmt: skip
                alloc = allocate(
                    snap.spec,
                    state,
                    now,
                    snap.tariff,
                    events,
                    control_period_s=self._s.energy_control_period_s,
                    telemetry_max_age_s=self._s.energy_telemetry_max_age_s,
                    margin_pct=self._control_policy.margin_pct,
                    margin_w=self._control_policy.margin_w,
                    correction_w=control.correction_w,
                )
                alloc = mark_planned(alloc, plans)
            except ValueError:
                log.exception("site=%s event=allocation_failed", snap.spec.site_id)
                continue
            out[snap.spec.site_id] = alloc
            if send:
                self._latest[snap.spec.site_id] = alloc
                if snap.spec.battery_power_kw > 0 and snap.spec.battery_capacity_kwh > 0:
                    self._commands[snap.spec.site_id] = battery_command(
                        snap.spec, alloc.battery_setpoint_w, alloc.grid_import_w + alloc.battery_setpoint_w,
                        alloc.planned_limit_w or alloc.import_limit_w, now,
                        self._s.energy_battery_command_validity_s, alloc.import_limit_w,
                    )  # fmt: skip
                dr = active_limit(snap.spec.site_id, events, now)
                messages += plan_profiles(
                    snap, alloc, now, dr_limit_kw=dr.limit_kw if dr else None, sent=self._sender.sent,
                    ready=self._sender.ready(snap), policy=self._policy,
                )  # fmt: skip
        if messages and self._leases.fenced:
            messages = await self._fenced(messages, held)
        await self._sender.send(messages)
        if send:
            self.site_cycles.update(out.keys())
            self.tokens.update((site_id, held[site_id]) for site_id in out)
            async with self._cycled:
                self.cycles += 1
                self._cycled.notify_all()
        return out

    async def _fenced(self, messages: list[ProfileMessage], held: dict[str, int]) -> list[ProfileMessage]:
        """The messages of the sites whose token the database still accepts (a node that stalled past its
        lease while another took the site over sends nothing)."""
        allowed = set()
        for site_id in sorted({m.site_id for m in messages}):
            if await self._sites.fence(site_id, held[site_id]):
                allowed.add(site_id)
            else:
                log.warning("site=%s event=cycle_fenced_off token=%d", site_id, held[site_id])
        return [m for m in messages if m.site_id in allowed]

    async def wait_for_cycles(self, n: int) -> None:
        """Wait until ``n`` sending cycles have completed (for tests and tools: an event, not a sleep)."""
        async with self._cycled:
            await self._cycled.wait_for(lambda: self.cycles >= n)

    # -- the sites' control port --------------------------------------------------------------------------
    def battery_command(self, site_id: str) -> BatteryCommand | None:
        """The battery set-point the latest cycle commanded the site to (``None``: no battery, no cycle yet,
        or the command has lapsed: the site runs its battery locally)."""
        command = self._commands.get(site_id)
        if command is None or command.valid_until <= self._clock():
            return None
        return command

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
        """The virtual-power-plant view: power the sites could shed now [W], per site and in total.

        Planned now (nothing sent) rather than read from the last cycle, which may predate the telemetry or
        event just received.
        """
        planned = await self.run_cycle(site_ids, send=False) if site_ids else {}
        return area_flexibility(site_flexibility(planned[s]) for s in site_ids if s in planned)


__all__ = ["EnergyManager", "SleepUntil", "StationGateway"]
