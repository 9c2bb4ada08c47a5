"""Fleet mode: thousands of stations in one process, as a load generator for the CSMS.

Each member is a full :class:`Station` with schema validation off (the CSMS validates; the
client's job is to generate load cheaply), a coarse ticker, a staggered start and its own
``random.Random`` derived from the fleet seed. A driver per station picks activities from a
weighted message mix. Round-trip times of every call the stations make are collected.

Use it from Python (``await run_fleet(FleetConfig(url=..., count=5000))``) or from the CLI
(``charger-sim fleet --count 5000 --processes 2``).
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from ocpp.exceptions import OCPPError
from websockets.exceptions import ConnectionClosed

from charger_simulator.clock import ScaledClock
from charger_simulator.config import StationConfig
from charger_simulator.station import Station

DEFAULT_MIX = {"session": 0.3, "heartbeat": 0.3, "status": 0.2, "authorize": 0.2}


@dataclass
class FleetConfig:
    """A fleet run.

    Parameters
    ----------
    url : str
        CSMS base URL (the station id is appended).
    count : int
        Stations in this process.
    protocol : str
        ``ocpp1.6``, ``ocpp2.0.1`` or ``mixed`` (alternating).
    ramp_s : float
        Stations start evenly spread over this many seconds (staggered start).
    duration_s : float
        How long to run after the ramp [s].
    activity_interval_s : float
        Mean seconds between two activities of one station (exponential gaps).
    mix : dict
        Weights of activities: session, heartbeat, status, authorize.
    id_prefix, start_index
        Station ids are ``f"{id_prefix}{index:05d}"``; processes use disjoint index ranges.
    password : str or None
        Basic-auth password shared by the fleet (security profile 1).
    id_tags : list of str
        Tokens presented in sessions and authorizations.
    """

    url: str = "ws://127.0.0.1:9000/ocpp"
    count: int = 100
    protocol: str = "ocpp1.6"
    ramp_s: float = 10.0
    duration_s: float = 30.0
    activity_interval_s: float = 10.0
    mix: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_MIX))
    seed: int = 1
    id_prefix: str = "SIM"
    start_index: int = 0
    password: str | None = None
    id_tags: list[str] = field(default_factory=lambda: [f"TAG-{i:04d}" for i in range(1, 11)])
    heartbeat_s: float = 60.0
    sample_interval_s: float = 30.0
    session_s: tuple[float, float] = (20.0, 120.0)

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValueError(f"count: must be at least 1, got {self.count}")
        unknown = set(self.mix) - set(DEFAULT_MIX)
        if unknown:
            raise ValueError(
                f"mix: unknown activities {', '.join(sorted(unknown))} (known: {', '.join(DEFAULT_MIX)})"
            )
        if self.protocol not in ("ocpp1.6", "ocpp2.0.1", "mixed"):
            raise ValueError(f"protocol: {self.protocol!r} is not ocpp1.6, ocpp2.0.1 or mixed")


@dataclass
class FleetReport:
    """What a fleet run measured. Round trips are in milliseconds."""

    stations: int
    connected: int
    booted: int
    connect_failures: int
    frames_out: int
    frames_in: int
    calls: int
    call_errors: int
    elapsed_s: float
    messages_per_s: float
    rtt_p50_ms: float
    rtt_p99_ms: float
    rtt_max_ms: float
    steady_messages_per_s: float = 0.0
    steady_rtt_p50_ms: float = 0.0
    steady_rtt_p99_ms: float = 0.0
    rtt_sample_ms: list[float] = field(default_factory=list, repr=False)

    def as_dict(self, with_sample: bool = False) -> dict:
        d = asdict(self)
        if not with_sample:
            d.pop("rtt_sample_ms")
        return d


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by nearest rank; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100.0 * len(ordered))))
    return ordered[rank - 1]


class _Counters:
    def __init__(self) -> None:
        self.frames_out = 0
        self.frames_in = 0
        self.call_errors = 0
        self.rtt_s: list[float] = []

    def on_frame(self, direction: str, _raw: str) -> None:
        if direction == "out":
            self.frames_out += 1
        else:
            self.frames_in += 1


def build_station(cfg: FleetConfig, index: int, counters: _Counters) -> Station:
    """The ``index``-th station of the fleet, with its own seeded randomness."""
    number = cfg.start_index + index
    rng = random.Random(cfg.seed * 1_000_003 + number)
    protocol = cfg.protocol if cfg.protocol != "mixed" else ("ocpp1.6", "ocpp2.0.1")[number % 2]
    dc = rng.random() < 0.3
    config = StationConfig(
        station_id=f"{cfg.id_prefix}{number:05d}",
        url=cfg.url,
        protocol=protocol,
        connectors=2 if dc else 1,
        dc=dc,
        max_power_w=120_000.0 if dc else 7_000.0,
        phases=1 if not dc else 3,
        model="SIM-DC120" if dc else "SIM-AC7",
        serial_number=f"SN{number:08d}",
        password=cfg.password,
        heartbeat_s=cfg.heartbeat_s,
        sample_interval_s=cfg.sample_interval_s,
        validate_schemas=False,
        backoff_base_s=2.0,
        backoff_max_s=60.0,
        ev_start_soc_pct=rng.uniform(10, 60),
    )
    station = Station(config, clock=ScaledClock(1.0), rng=rng, tick_s=max(5.0, cfg.sample_interval_s / 2))
    station.on_frame = counters.on_frame
    station.rtt_s = counters.rtt_s
    return station


async def _activity(station: Station, cfg: FleetConfig, counters: _Counters, name: str) -> None:
    rng = station.rng
    cp = station.cp
    if not station.online or cp is None:
        return
    if name == "heartbeat":
        await cp.heartbeat()
    elif name == "status":
        await cp.send_status(rng.choice(list(station.model.connectors)))
    elif name == "authorize":
        await cp.authorize(rng.choice(cfg.id_tags))
    elif name == "session":
        free = [cid for cid, c in station.model.connectors.items() if not c.plugged]
        if not free:
            return
        cid = rng.choice(free)
        tag = rng.choice(cfg.id_tags)
        await station.plug_in(cid)
        await station.present_token(tag, cid)
        station.spawn(_end_session(station, cid, rng.uniform(*cfg.session_s)))


async def _end_session(station: Station, connector_id: int, after_s: float) -> None:
    await station.clock.sleep(after_s)
    await station.unplug(connector_id)


async def _drive(
    station: Station, cfg: FleetConfig, counters: _Counters, start_delay_s: float, stop_at: float
):
    rng = station.rng
    await asyncio.sleep(start_delay_s)
    await station.start()
    names, weights = zip(*cfg.mix.items(), strict=True)
    while time.monotonic() < stop_at:
        await asyncio.sleep(rng.expovariate(1.0 / cfg.activity_interval_s))
        if time.monotonic() >= stop_at:
            break
        try:
            await _activity(station, cfg, counters, rng.choices(names, weights)[0])
        except (OCPPError, TimeoutError, ConnectionClosed):
            counters.call_errors += 1


async def run_fleet(
    cfg: FleetConfig, progress: Callable[[dict], None] | None = None, progress_every_s: float = 1.0
) -> FleetReport:
    """Run the fleet for ``ramp_s + duration_s`` seconds and report what it measured.

    ``progress`` is called about every ``progress_every_s`` seconds with live counters.
    """
    counters = _Counters()
    stations = [build_station(cfg, i, counters) for i in range(cfg.count)]
    t0 = time.monotonic()
    stop_at = t0 + cfg.ramp_s + cfg.duration_s
    spread = random.Random(cfg.seed)
    drivers = [
        asyncio.create_task(
            _drive(s, cfg, counters, cfg.ramp_s * i / cfg.count + spread.uniform(0, 0.05), stop_at)
        )
        for i, s in enumerate(stations)
    ]
    steady_from = None  # (time, frames, rtt index) when the ramp ended: the steady-state window starts
    try:
        while time.monotonic() < stop_at:
            await asyncio.sleep(min(progress_every_s, max(0.0, stop_at - time.monotonic())))
            if steady_from is None and time.monotonic() >= t0 + cfg.ramp_s:
                steady_from = (
                    time.monotonic(),
                    counters.frames_in + counters.frames_out,
                    len(counters.rtt_s),
                )
            if progress:
                progress(_live(stations, counters, time.monotonic() - t0))
        elapsed_s = time.monotonic() - t0
        report = _report(stations, counters, elapsed_s)
        if steady_from is not None:
            t_s, frames0, i0 = steady_from
            steady = [r * 1000 for r in counters.rtt_s[i0:]]
            window_s = time.monotonic() - t_s
            frames = counters.frames_in + counters.frames_out - frames0
            report.steady_messages_per_s = round(frames / window_s, 1) if window_s > 0 else 0.0
            report.steady_rtt_p50_ms = round(percentile(steady, 50), 2)
            report.steady_rtt_p99_ms = round(percentile(steady, 99), 2)
    finally:
        for d in drivers:
            d.cancel()
        await asyncio.gather(*drivers, return_exceptions=True)
        await asyncio.gather(*(s.stop() for s in stations), return_exceptions=True)
    return report


def _live(stations: list[Station], counters: _Counters, elapsed_s: float) -> dict:
    frames = counters.frames_in + counters.frames_out
    return {
        "elapsed_s": round(elapsed_s, 1),
        "connected": sum(1 for s in stations if s.cp is not None),
        "booted": sum(1 for s in stations if s.online),
        "frames": frames,
        "messages_per_s": round(frames / elapsed_s, 1) if elapsed_s > 0 else 0.0,
        "rtt_p50_ms": round(percentile(counters.rtt_s[-5000:], 50) * 1000, 2),
        "rtt_p99_ms": round(percentile(counters.rtt_s[-5000:], 99) * 1000, 2),
    }


def _report(stations: list[Station], counters: _Counters, elapsed_s: float) -> FleetReport:
    rtt_ms = [r * 1000 for r in counters.rtt_s]
    frames = counters.frames_in + counters.frames_out
    sample = rtt_ms if len(rtt_ms) <= 20_000 else random.Random(0).sample(rtt_ms, 20_000)
    return FleetReport(
        stations=len(stations),
        connected=sum(1 for s in stations if s.cp is not None),
        booted=sum(1 for s in stations if s.online),
        connect_failures=sum(s.connect_failures for s in stations),
        frames_out=counters.frames_out,
        frames_in=counters.frames_in,
        calls=len(rtt_ms),
        call_errors=counters.call_errors,
        elapsed_s=round(elapsed_s, 2),
        messages_per_s=round(frames / elapsed_s, 1) if elapsed_s > 0 else 0.0,
        rtt_p50_ms=round(percentile(rtt_ms, 50), 2),
        rtt_p99_ms=round(percentile(rtt_ms, 99), 2),
        rtt_max_ms=round(max(rtt_ms, default=0.0), 2),
        rtt_sample_ms=sample,
    )


def merge_reports(reports: list[FleetReport]) -> FleetReport:
    """Combine the reports of several processes (percentiles from the pooled samples)."""
    pooled = [r for rep in reports for r in rep.rtt_sample_ms]
    elapsed_s = max(r.elapsed_s for r in reports)
    frames = sum(r.frames_in + r.frames_out for r in reports)
    return FleetReport(
        stations=sum(r.stations for r in reports),
        connected=sum(r.connected for r in reports),
        booted=sum(r.booted for r in reports),
        connect_failures=sum(r.connect_failures for r in reports),
        frames_out=sum(r.frames_out for r in reports),
        frames_in=sum(r.frames_in for r in reports),
        calls=sum(r.calls for r in reports),
        call_errors=sum(r.call_errors for r in reports),
        elapsed_s=elapsed_s,
        messages_per_s=round(frames / elapsed_s, 1) if elapsed_s > 0 else 0.0,
        rtt_p50_ms=round(percentile(pooled, 50), 2),
        rtt_p99_ms=round(percentile(pooled, 99), 2),
        rtt_max_ms=max(r.rtt_max_ms for r in reports),
        steady_messages_per_s=round(sum(r.steady_messages_per_s for r in reports), 1),
        # Percentiles do not add up: the worst process's steady-state figures are reported.
        steady_rtt_p50_ms=max(r.steady_rtt_p50_ms for r in reports),
        steady_rtt_p99_ms=max(r.steady_rtt_p99_ms for r in reports),
        rtt_sample_ms=pooled,
    )


def _run_in_process(cfg: FleetConfig) -> FleetReport:
    return asyncio.run(run_fleet(cfg))


def run_fleet_processes(cfg: FleetConfig, processes: int) -> FleetReport:
    """Split the fleet over ``processes`` OS processes (disjoint station ids) and merge the reports."""
    from concurrent.futures import ProcessPoolExecutor
    from dataclasses import replace

    if processes <= 1:
        return _run_in_process(cfg)
    share, extra = divmod(cfg.count, processes)
    parts, start = [], cfg.start_index
    for p in range(processes):
        n = share + (1 if p < extra else 0)
        if n:
            parts.append(replace(cfg, count=n, start_index=start, seed=cfg.seed + p))
        start += n
    with ProcessPoolExecutor(max_workers=len(parts)) as pool:
        return merge_reports(list(pool.map(_run_in_process, parts)))
