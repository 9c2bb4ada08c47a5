"""The simulator against the real CSMS over TLS: a station with a client certificate and no password
(security profile 3) runs a full session, and one with the wrong certificate never gets in."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from charger_simulator.clock import ScaledClock
from charger_simulator.config import StationConfig
from charger_simulator.station import Station
from csms.config import Settings
from tests.harness import Csms, make_settings
from tests.pki import issue, make_ca


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    folder = tmp_path_factory.mktemp("pki")
    ca = make_ca()
    return {
        "ca": ca.write(folder, "ca"),
        "server": issue(ca, "csms.test", server=True).write(folder, "server"),
        "SEC-201": issue(ca, "SEC-201").write(folder, "SEC-201"),
        "SEC-OTHER": issue(ca, "SEC-OTHER").write(folder, "SEC-OTHER"),
    }


@pytest.fixture
def csms_settings(database_url: str, pki: dict[str, tuple[Path, Path]]) -> Settings:
    return make_settings(database_url, ocpp_tls_cert_file=str(pki["server"][0]),
                         ocpp_tls_key_file=str(pki["server"][1]), ocpp_tls_client_ca_file=str(pki["ca"][0]))


def _config(
    csms: Csms, pki: dict[str, tuple[Path, Path]], station_id: str, certificate: str
) -> StationConfig:
    url = csms.ocpp_url.replace("ws://", "wss://")
    cert, key = pki[certificate]
    return StationConfig(station_id, url=url, protocol="ocpp2.0.1", ca_file=str(pki["ca"][0]),
                         cert_file=str(cert), key_file=str(key), sample_interval_s=10, heartbeat_s=60)


async def test_a_profile_3_station_runs_a_session_with_its_certificate_alone(
    live_csms: Csms, pki: dict[str, tuple[Path, Path]]
) -> None:
    csms = live_csms
    await csms.runtime.services.stations.register("SEC-201", "a-password-it-never-sends")
    await csms.runtime.services.tokens.create("CARD-SEC")
    station = Station(_config(csms, pki, "SEC-201", "SEC-201"), clock=ScaledClock(60), tick_s=0.05)
    await station.start()
    try:
        await station.run_until_booted()
        await station.plug_in(1)
        assert await station.present_token("CARD-SEC", 1)
        await station.wait_for(lambda: station.model.connectors[1].energy_wh >= 1000)
        await station.unplug(1)

        async def completed() -> list[dict]:
            r = await csms.api.get(
                "/api/v1/transactions", params={"station_id": "SEC-201"}, headers=csms.headers
            )
            return [t for t in r.json()["items"] if t["status"] == "Completed"]

        for _ in range(200):
            if await completed():
                break
            await asyncio.sleep(0.05)
        [tx] = await completed()
        assert tx["id_token"] == "CARD-SEC" and tx["energy_wh"] >= 1000
    finally:
        await station.stop()


async def test_a_station_with_another_stations_certificate_never_boots(
    live_csms: Csms, pki: dict[str, tuple[Path, Path]]
) -> None:
    await live_csms.runtime.services.stations.register("SEC-201", "a-password-it-never-sends")
    station = Station(_config(live_csms, pki, "SEC-201", "SEC-OTHER"), clock=ScaledClock(60), tick_s=0.05)
    await station.start()
    try:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(station.run_until_booted(), 1.5)
        assert station.connect_failures >= 1  # refused at the handshake, retried with back-off
    finally:
        await station.stop()
