"""The websocket handshake: subprotocol negotiation, Basic auth, unknown stations, replaced connections."""

from __future__ import annotations

import logging

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from csms.config import Settings
from tests.harness import Csms, Wire, make_settings

BOOT16 = {"chargePointVendor": "V", "chargePointModel": "M"}


@pytest.mark.ocpp("1.6", "TC_088", "Security")
async def test_newest_common_version_is_chosen(csms: Csms) -> None:
    await csms.station("CP1")
    async with csms.connect("CP1", password="s3cret-pass", subprotocols=["ocpp1.6", "ocpp2.0.1"]) as ws:
        assert ws.subprotocol == "ocpp2.0.1"


async def test_the_short_path_works_too(csms: Csms) -> None:
    await csms.station("CP1", password=None)
    url = f"ws://127.0.0.1:{csms.runtime.ocpp.port}/CP1"
    async with connect(url, subprotocols=["ocpp1.6"]) as ws:
        assert (await Wire(ws).call("BootNotification", BOOT16))[2]["status"] == "Accepted"


@pytest.mark.ocpp("1.6", "TC_088", "Security")
async def test_no_common_subprotocol_is_refused_with_400_naming_the_station(
    csms: Csms, caplog: pytest.LogCaptureFixture
) -> None:
    await csms.station("CP1")
    with caplog.at_level(logging.WARNING, logger="csms.ocpp"), pytest.raises(InvalidStatus) as refused:
        async with csms.connect("CP1", subprotocols=["ocpp1.5"]):
            pass
    assert refused.value.response.status_code == 400
    assert any(
        "station=CP1" in r.getMessage() and "no_common_subprotocol" in r.getMessage() for r in caplog.records
    )


@pytest.mark.parametrize("password", [None, "wrong-password"])
@pytest.mark.ocpp("1.6", "TC_085", "Security")
async def test_wrong_or_missing_credentials_get_401(csms: Csms, password: str | None) -> None:
    await csms.station("CP1")
    with pytest.raises(InvalidStatus) as refused:
        async with csms.connect("CP1", password=password):
            pass
    assert refused.value.response.status_code == 401


@pytest.mark.ocpp("1.6", "TC_085", "Security")
async def test_unknown_station_is_rejected_by_default(csms: Csms) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with csms.connect("STRANGER"):
            pass
    assert refused.value.response.status_code == 401


@pytest.fixture
def csms_settings(request: pytest.FixtureRequest, database_url: str) -> Settings:
    policy = getattr(request, "param", "reject")
    return make_settings(database_url, unknown_station_policy=policy)


@pytest.mark.parametrize("csms_settings", ["pending"], indirect=True)
async def test_pending_policy_admits_unknown_stations_for_approval(csms: Csms) -> None:
    async with csms.connect("NEWCOMER", password="its-own-pass") as ws:
        boot = await Wire(ws).call("BootNotification", BOOT16)
        assert boot[2]["status"] == "Pending"
    listed = (await csms.api.get("/api/v1/stations", headers=csms.headers)).json()
    assert [(s["id"], s["registration_status"]) for s in listed] == [("NEWCOMER", "Pending")]
    # the password it first used is now its password
    with pytest.raises(InvalidStatus):
        async with csms.connect("NEWCOMER", password="another-pass"):
            pass


async def test_a_second_connection_replaces_the_first(csms: Csms) -> None:
    await csms.station("CP1")
    async with csms.connect("CP1") as first:
        await Wire(first).call("BootNotification", BOOT16)
        async with csms.connect("CP1") as second:
            with pytest.raises(ConnectionClosed) as closed:
                await first.recv()
            assert closed.value.rcvd.code == 1000
            assert (await Wire(second).call("Heartbeat", {}))[0] == 3
            assert csms.runtime.registry.online_ids() == {"CP1"}
    status = (await csms.api.get("/api/v1/stations/CP1", headers=csms.headers)).json()
    assert status["online"] is False
