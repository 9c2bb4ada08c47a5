"""The energy manager against a fake station gateway and an injected clock: what is sent, and when."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from csms.db.session import create_engine, create_session_factory
from csms.domain.energy import CurrentType
from csms.domain.timeutil import utcnow
from csms.errors import StationNotConnected, StationTimeout
from csms.services import Services, build_services
from csms.services.demand_response import EventRequest as DrRequest
from csms.services.energy_manager import EnergyManager
from csms.services.sites import Member, TelemetrySample
from csms.services.transactions import EventRequest, StartRequest
from tests.csms.conftest import make_settings

T0 = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # 15:00 in Changsha: a flat-price hour


class Conn:
    def __init__(self, version: str) -> None:
        self.ocpp_version = version
        self.boot_accepted = True


@dataclass
class Gateway:
    conns: dict[str, Conn] = field(default_factory=dict)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)
    silent: set[str] = field(default_factory=set)

    def is_online(self, station_id: str) -> bool:
        return station_id in self.conns

    def get(self, station_id: str) -> Conn:
        if station_id not in self.conns:
            raise StationNotConnected(station_id)
        return self.conns[station_id]

    async def call(
        self, station_id: str, action: str, payload: dict[str, Any], *, timeout_s: float | None = None
    ) -> dict:
        assert action == "SetChargingProfile"
        if station_id in self.silent:
            raise StationTimeout(f"{station_id} did not answer")
        self.calls.append((station_id, payload))
        return {"status": self.answers.get(station_id, "Accepted")}

    def take(self) -> list[tuple[str, str, float]]:
        """(station, purpose, first limit) of every call since the last take."""
        out = []
        for sid, p in self.calls:
            prof = p.get("csChargingProfiles") or p["chargingProfile"]
            sched = prof["chargingSchedule"]
            sched = sched[0] if isinstance(sched, list) else sched
            out.append((sid, prof["chargingProfilePurpose"], sched["chargingSchedulePeriod"][0]["limit"]))
        self.calls.clear()
        return out


@dataclass
class Env:
    services: Services
    manager: EnergyManager
    gw: Gateway
    now: list[datetime]

    def tick(self, seconds: float) -> None:
        self.now[0] += timedelta(seconds=seconds)

    async def telemetry(self, base_w: float, pv_w: float = 0.0) -> None:
        await self.services.sites.ingest("S", [TelemetrySample(self.now[0], pv_w, base_w)])


def _limits(alloc: Any) -> dict[str, float]:  # noqa: ANN401
    """Session limits [W] by station (one session per station here; ids differ between databases)."""
    return {s.station_id: s.limit_w for s in alloc.sessions}


@pytest.fixture
async def env(database_url: str) -> AsyncIterator[Env]:
    engine = create_engine(database_url)
    now = [T0]
    settings = make_settings(database_url)
    services = build_services(settings, create_session_factory(engine), lambda: now[0])
    gw = Gateway({"AC1": Conn("1.6"), "AC2": Conn("1.6"), "DC1": Conn("2.0.1")})
    manager = EnergyManager(
        settings, services.sites, services.demand_response, services.uow, gw, lambda: now[0]
    )
    for sid in gw.conns:
        await services.stations.register(sid, "s3cret-pass")
    await services.tokens.create("CARD")
    members = [
        Member("AC1", max_power_w=21_120),
        Member("AC2", max_power_w=21_120),
        Member("DC1", CurrentType.DC, max_power_w=60_000),
    ]
    await services.sites.create("S", {"grid_limit_kw": 100, "base_load_kw": 40}, members)
    for sid in ("AC1", "AC2"):
        await services.transactions.start(StartRequest(sid, 1, "CARD", 0.0, T0))
    await services.transactions.event(
        EventRequest("DC1", "Started", "uid-dc", 0, T0, "Authorized", 1, 1, "CARD")
    )
    yield Env(services, manager, gw, now)
    await engine.dispose()


async def test_first_cycle_sends_maximum_default_and_session_profiles(env: Env) -> None:
    await env.telemetry(base_w=30_000)
    await env.manager.run_cycle()
    sent = env.gw.take()
    # 70 kW for charging: AC minimums (3,960 W) first, AC then full at 32 A, the DC session takes the rest.
    # Safe default per station: (100 kW - 40 kW declared base load) / 3 = 20,000 W = 30.3 A at 660 V.
    assert sorted(sent) == sorted(
        [
            ("AC1", "ChargePointMaxProfile", 32.0),
            ("AC1", "TxDefaultProfile", 30.3),
            ("AC1", "TxProfile", 32.0),
            ("AC2", "ChargePointMaxProfile", 32.0),
            ("AC2", "TxDefaultProfile", 30.3),
            ("AC2", "TxProfile", 32.0),
            ("DC1", "ChargingStationMaxProfile", 60_000.0),
            ("DC1", "TxDefaultProfile", 20_000.0),
            ("DC1", "TxProfile", 27_760.0),
        ]
    )


async def test_session_profiles_name_the_transaction_and_fall_back_to_the_safe_default(env: Env) -> None:
    await env.telemetry(base_w=30_000)
    await env.manager.run_cycle()
    tx = {sid: p for sid, p in env.gw.calls if "TxProfile" in str(p)}
    ac = tx["AC1"]["csChargingProfiles"]
    assert (
        tx["AC1"]["connectorId"] == 1
        and isinstance(ac["transactionId"], int)
        and ac["chargingProfileId"] == 101
    )
    assert ac["chargingSchedule"]["chargingSchedulePeriod"] == [
        {"startPeriod": 0, "limit": 32.0, "numberPhases": 3},
        {"startPeriod": 900, "limit": 30.3, "numberPhases": 3},
    ]
    dc = tx["DC1"]["chargingProfile"]
    assert tx["DC1"]["evseId"] == 1 and dc["transactionId"] == "uid-dc" and dc["stackLevel"] == 1
    assert dc["chargingSchedule"][0]["chargingSchedulePeriod"] == [
        {"startPeriod": 0, "limit": 27_760.0},
        {"startPeriod": 900, "limit": 20_000.0},
    ]


async def test_changes_below_the_hysteresis_are_not_sent_and_larger_ones_are(env: Env) -> None:
    await env.telemetry(base_w=30_000)
    await env.manager.run_cycle()
    env.gw.take()
    env.tick(10)
    await env.telemetry(base_w=29_800)  # DC could rise to 27,960 W: +200 W < 500 W is not worth a message
    await env.manager.run_cycle()
    assert env.gw.take() == []
    env.tick(10)
    # DC down to 27,660 W: only -100 W, but the old limits would overrun the 69.9 kW for charging: sent.
    await env.telemetry(base_w=30_100)
    await env.manager.run_cycle()
    assert env.gw.take() == [("DC1", "TxProfile", 27_660.0)]
    env.tick(10)
    await env.telemetry(base_w=28_000)  # DC 29,760 W: +2,000 W > 5 % of 29,760 W
    await env.manager.run_cycle()
    assert env.gw.take() == [("DC1", "TxProfile", 29_760.0)]
    assert _limits(await env.manager.allocation("S"))["DC1"] == pytest.approx(29_760)


async def test_profiles_are_refreshed_before_their_fallback_and_resent_after_a_reconnect(env: Env) -> None:
    await env.telemetry(base_w=30_000)
    await env.manager.run_cycle()
    env.gw.take()
    env.tick(450)  # half the 900 s validity
    await env.telemetry(base_w=30_000)
    await env.manager.run_cycle()
    assert sorted(p for _, p, _ in env.gw.take()) == ["TxProfile"] * 3
    env.gw.conns["AC2"] = Conn(
        "1.6"
    )  # AC2 reconnected: a new connection gets its station-wide profiles again
    await env.manager.run_cycle()
    assert sorted(env.gw.take()) == [
        ("AC2", "ChargePointMaxProfile", 32.0),
        ("AC2", "TxDefaultProfile", 30.3),
    ]


async def test_rejected_or_unanswered_profiles_are_sent_again_next_cycle(env: Env) -> None:
    await env.telemetry(base_w=30_000)
    env.gw.answers["AC1"] = "Rejected"
    env.gw.silent.add("DC1")
    await env.manager.run_cycle()
    assert {s for s, _, _ in env.gw.take()} == {"AC1", "AC2"}
    stored = {(r.station_id, r.purpose): r.status for r in await env.services.sites.sent_profiles("S")}
    assert stored[("AC1", "TxProfile")] == "Rejected" and ("DC1", "TxProfile") not in stored
    del env.gw.answers["AC1"]
    env.gw.silent.clear()
    await env.manager.run_cycle()
    again = env.gw.take()
    assert {s for s, _, _ in again} == {"AC1", "DC1"} and len(again) == 6
    stored = {(r.station_id, r.purpose): r.status for r in await env.services.sites.sent_profiles("S")}
    assert len(stored) == 9 and set(stored.values()) == {"Accepted"}  # AC1's rejections were replaced


async def test_an_offline_station_is_planned_at_what_it_last_accepted(env: Env) -> None:
    await env.telemetry(base_w=30_000)
    await env.manager.run_cycle()
    env.gw.take()
    del env.gw.conns["AC1"]
    env.tick(5)
    await env.telemetry(base_w=60_000)  # 40 kW for charging
    await env.manager.run_cycle()
    limits = _limits(await env.manager.allocation("S"))
    # AC1 still draws its 21,120 W, unseen, and is served first; AC2 and DC1 share the rest.
    assert limits["AC1"] == pytest.approx(21_120)
    assert limits["AC2"] + limits["DC1"] == pytest.approx(40_000 - 21_120)
    assert {s for s, _, _ in env.gw.take()} == {"AC2", "DC1"}


async def test_a_demand_response_limit_lowers_every_limit_and_the_safe_default(env: Env) -> None:
    await env.telemetry(base_w=30_000)
    await env.manager.run_cycle()
    env.gw.take()
    req = DrRequest(["S"], T0, T0 + timedelta(hours=1), target_import_kw=60, baseline_kw_by_site={"S": 90})
    await env.services.demand_response.create(req)
    env.tick(1)
    await env.manager.run_cycle()
    # 60 - 30 = 30 kW: AC 3,960 + 7,360 W (17.1 A), DC 7,360 W; default (60 - 40) / 3 = 6,600 W (10.0 A)
    assert sorted(env.gw.take()) == [
        ("AC1", "TxDefaultProfile", 10.0),
        ("AC1", "TxProfile", 17.1),
        ("AC2", "TxDefaultProfile", 10.0),
        ("AC2", "TxProfile", 17.1),
        ("DC1", "TxDefaultProfile", 6_600.0),
        ("DC1", "TxProfile", 7_360.0),
    ]
    env.tick(3600)  # the event is over: back to normal limits
    await env.telemetry(base_w=30_000)
    await env.manager.run_cycle()
    assert ("DC1", "TxProfile", 27_760.0) in env.gw.take()


async def test_the_loop_survives_a_failed_cycle_and_wakes_at_the_event_start(
    env: Env, database_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(database_url, energy_period_s=30.0)  # only events and boundaries wake it
    s = env.services
    manager = EnergyManager(settings, s.sites, s.demand_response, s.uow, env.gw, utcnow)
    await s.sites.ingest("S", [TelemetrySample(utcnow(), 0.0, 30_000.0)])
    real, calls = s.sites.snapshots, []

    async def flaky(site_ids: Any = None) -> Any:  # noqa: ANN401
        calls.append(site_ids)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return await real(site_ids)

    monkeypatch.setattr(s.sites, "snapshots", flaky)
    start = utcnow() + timedelta(seconds=3)  # room for the failed cycle and its retry 1 s later
    await s.demand_response.create(DrRequest(["S"], start, start + timedelta(hours=1), target_import_kw=60))
    manager.start()
    try:
        # The first cycle fails; the retry a second later plans before the event.
        await asyncio.wait_for(manager.wait_for_cycles(1), 5)
        assert utcnow() < start, "the retry came too late to plan before the event"
        assert ("DC1", "TxProfile", 27_760.0) in env.gw.take()
        await asyncio.wait_for(manager.wait_for_cycles(2), 5)  # woken by the event start, not the period
        assert utcnow() >= start and ("DC1", "TxProfile", 7_360.0) in env.gw.take()
    finally:
        await manager.stop()
    assert "event=allocation_cycle_failed" in caplog.text and "database went away" in caplog.text


async def test_a_session_start_reported_by_station_runs_its_site_at_once(env: Env, database_url: str) -> None:
    s = env.services
    settings = make_settings(database_url, energy_period_s=30.0)  # only events wake it
    manager = EnergyManager(settings, s.sites, s.demand_response, s.uow, env.gw, utcnow)
    await s.sites.ingest("S", [TelemetrySample(utcnow(), 0.0, 30_000.0)])
    manager.start()
    try:
        await asyncio.wait_for(manager.wait_for_cycles(1), 5)
        env.gw.take()
        await s.transactions.start(StartRequest("AC1", 2, "CARD", 0.0, utcnow()))  # a second EVSE on AC1
        manager.station_changed("AC1")
        await asyncio.wait_for(manager.wait_for_cycles(2), 5)
        new = [(sid, p.get("connectorId")) for sid, p in env.gw.calls if "TxProfile" in str(p)]
        assert ("AC1", 2) in new
        manager.station_changed("UNKNOWN")  # at no site (every site's stations are mapped): nothing to run
        assert not manager._wake.is_set()
    finally:
        await manager.stop()


async def test_an_ocpp21_station_gets_the_same_profiles_as_a_201_one(env: Env) -> None:
    env.gw.conns["DC1"] = Conn("2.1")
    await env.telemetry(base_w=30_000)
    await env.manager.run_cycle()
    sent = [s for s in env.gw.take() if s[0] == "DC1"]
    assert sorted(sent) == [
        ("DC1", "ChargingStationMaxProfile", 60_000.0),
        ("DC1", "TxDefaultProfile", 20_000.0),
        ("DC1", "TxProfile", 27_760.0),
    ]
