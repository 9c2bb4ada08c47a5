"""Run a 光储充 site: chargers as real OCPP stations, PV/battery/load simulated, telemetry reported.

The chargers are :class:`Station` objects on a shared accelerated clock, so the power they draw
is whatever the CSMS's charging profiles allow. Every ``step_s`` simulated seconds the site takes
their total power, dispatches the battery and reports the balance.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from charger_simulator.clock import ScaledClock
from charger_simulator.config import StationConfig
from charger_simulator.site.config import SiteConfig
from charger_simulator.site.energy import Battery, Command, SiteSample, balance, base_load_w
from charger_simulator.site.pv import (
    CloudNoise,
    CloudPassages,
    clear_sky_ghi_w_m2,
    pv_power_w,
    solar_elevation_deg,
)
from charger_simulator.site.telemetry import TelemetrySink
from charger_simulator.station import Station


@dataclass
class SiteTotals:
    """Energy over the run [kWh] and what it means for the site."""

    pv_kwh: float = 0.0
    base_load_kwh: float = 0.0
    chargers_kwh: float = 0.0
    grid_import_kwh: float = 0.0
    grid_export_kwh: float = 0.0
    battery_discharge_kwh: float = 0.0
    battery_charge_kwh: float = 0.0
    steps_over_grid_limit: int = 0
    samples: list[SiteSample] = field(default_factory=list, repr=False)

    def add(self, s: SiteSample, dt_s: float) -> None:
        h = dt_s / 3600 / 1000
        self.pv_kwh += s.pv_power_w * h
        self.base_load_kwh += s.base_load_w * h
        self.chargers_kwh += s.chargers_power_w * h
        self.grid_import_kwh += max(0.0, s.grid_import_w) * h
        self.grid_export_kwh += max(0.0, -s.grid_import_w) * h
        self.battery_discharge_kwh += max(0.0, s.battery_power_w) * h
        self.battery_charge_kwh += max(0.0, -s.battery_power_w) * h
        self.steps_over_grid_limit += s.over_grid_limit
        self.samples.append(s)

    @property
    def self_consumption_pct(self) -> float:
        """Share of PV energy used on site rather than exported [%]."""
        return 100.0 * (1 - self.grid_export_kwh / self.pv_kwh) if self.pv_kwh > 0 else 0.0


class Site:
    """A site run; ``await Site(cfg).run(on_sample)`` returns the totals."""

    def __init__(self, cfg: SiteConfig, transport=None, clock: ScaledClock | None = None) -> None:
        self.cfg = cfg
        self.transport = transport
        # A clock may be given so that a CSMS under test runs on the same simulated time
        # (csms_clock: simulated).
        self.clock = clock or ScaledClock(cfg.time_factor, start=cfg.start)
        self.rng = random.Random(cfg.seed)
        self.clouds = CloudNoise(cfg.seed, cfg.cloudiness)
        self.passages = CloudPassages(
            cfg.seed, cfg.cloudiness, mean_gap_s=cfg.cloud_mean_gap_s,
            mean_duration_s=cfg.cloud_mean_duration_s, edge_s=cfg.cloud_edge_s,
        )  # fmt: skip
        self.battery = Battery(
            cfg.battery_kwh,
            cfg.battery_kw,
            cfg.battery_soc_min_pct,
            cfg.battery_soc_max_pct,
            cfg.battery_initial_soc_pct,
        )
        # A CSMS on the real clock stamps profiles in real time: the stations map them onto the site's clock.
        factor = cfg.time_factor if cfg.csms_clock == "wall" and cfg.time_factor != 1 else None
        self.stations = [
            Station(
                StationConfig(
                    station_id=f"{g.id_prefix}{i:02d}",
                    url=cfg.url,
                    protocol=g.protocol,
                    dc=g.dc,
                    max_power_w=g.max_power_kw * 1000,
                    phases=g.phases,
                    model="SIM-DC" if g.dc else "SIM-AC",
                    serial_number=f"{cfg.site_id}-{g.id_prefix}{i:02d}",
                    password=cfg.password,
                    sample_interval_s=max(60.0, cfg.step_s),
                    heartbeat_s=300,
                ),
                clock=self.clock,
                rng=random.Random(cfg.seed * 100 + n),
                tick_s=min(10.0, cfg.step_s),
                csms_time_factor=factor,
            )
            for n, (g, i) in enumerate(
                ((g, i) for g in cfg.charger_groups() for i in range(1, g.count + 1)), start=1
            )
        ]
        self.totals = SiteTotals()
        self.command: Command | None = None
        """The battery set-point the CSMS last commanded (its answer to our telemetry); ``None``: local."""
        self._arrivals: dict[str, asyncio.Task] = {}

    def sample(self, dt_s: float, now: datetime | None = None) -> SiteSample:
        """The balance at ``now`` (default: the clock), the chargers' power as they draw it now."""
        now = now or self.clock.now()
        cfg = self.cfg
        ghi = clear_sky_ghi_w_m2(solar_elevation_deg(now, cfg.latitude, cfg.longitude))
        if cfg.clouds == "passages":
            clearness = self.passages.at((now - cfg.start).total_seconds())
        else:
            clearness = self.clouds.next()
        pv_w = pv_power_w(cfg.pv_kwp, ghi, clearness, cfg.pv_performance_ratio)
        local_h = (now.hour + now.minute / 60 + cfg.utc_offset_h) % 24
        load_w = base_load_w(local_h, cfg.base_load_kw, self.rng.gauss(0, 0.05))
        chargers_w = sum(c.power_w for s in self.stations for c in s.model.connectors.values())
        limit_w = cfg.grid_limit_kw * 1000
        return balance(now, pv_w, load_w, chargers_w, self.battery, limit_w, dt_s, self.command)

    async def _ev_arrivals(self, station: Station) -> None:
        """Poisson arrivals per charger; each EV charges its energy need, then leaves."""
        cfg, rng = self.cfg, station.rng
        rate_per_s = cfg.sessions_per_charger_per_day / 86_400
        c = station.model.connectors[1]
        first = cfg.occupied_at_start
        while True:
            if first:  # a busy hour: the EVs arrive in the first seconds (once the station has booted)
                await station.wait_for(lambda: station.online, self.clock.to_real_s(600) + 10)
                await station.clock.sleep(rng.uniform(1, 10))
                first = False
            else:
                await station.clock.sleep(rng.expovariate(rate_per_s) if rate_per_s > 0 else 10**9)
            need_wh = rng.uniform(*cfg.session_energy_kwh) * 1000
            await station.plug_in(1, soc_pct=rng.uniform(10, 50))
            await station.present_token(rng.choice(cfg.id_tags), 1)
            start_wh = c.energy_wh
            try:
                await station.wait_for(
                    lambda s=start_wh, n=need_wh: c.transaction is None or c.energy_wh - s >= n,
                    self.clock.to_real_s(6 * 3600) + 5,
                )
            except TimeoutError:
                pass
            await station.unplug(1)

    async def _close(self, station: Station) -> None:
        """End the run like the end of a day: EVs leave, the stops are delivered, then disconnect."""
        self._arrivals[station.config.station_id].cancel()
        for cid, c in station.model.connectors.items():
            if c.plugged:
                await station.unplug(cid)
        try:
            await station.wait_for(lambda: not station.outbox or not station.online, timeout_s=5)
        except TimeoutError:
            pass
        await station.stop()

    async def run(self, on_sample: Callable[[SiteSample, SiteTotals], None] | None = None) -> SiteTotals:
        cfg = self.cfg
        for st in self.stations:
            await st.start()
            self._arrivals[st.config.station_id] = st.spawn(self._ev_arrivals(st))
        async with TelemetrySink(
            cfg.site_id, cfg.log_path, cfg.api_url, cfg.api_token, self.transport
        ) as sink:
            self.sink = sink
            try:
                steps = round(cfg.duration_h * 3600 / cfg.step_s)
                for k in range(1, steps + 1):
                    # Sleep to the k-th step's instant, not k sleeps of step_s: no drift.
                    target = cfg.start + timedelta(seconds=k * cfg.step_s)
                    await self.clock.sleep((target - self.clock.now()).total_seconds())
                    for st in self.stations:
                        st.tick()
                    # Stamped when the meter is read, not when it was due: a busy event loop can read it late,
                    # and the chargers' power is what it is at the reading.
                    s = self.sample(cfg.step_s, max(target, self.clock.now()))
                    self.totals.add(s, cfg.step_s)
                    answer = await sink.send(s.telemetry())
                    if self.cfg.battery_control == "csms" and answer is not None:
                        self.command = Command.of(answer)
                    if on_sample:
                        on_sample(s, self.totals)
            finally:
                await asyncio.gather(*(self._close(st) for st in self.stations), return_exceptions=True)
        return self.totals
