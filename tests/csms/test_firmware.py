"""Firmware (block L) over real sockets: an update campaign across 2.0.1 and 1.6 stations with each
station's answer and reported statuses (L01/L02; 1.6 TC_044), and publishing on a local controller
(L03/L04)."""

from __future__ import annotations

from contextlib import AsyncExitStack

import pytest

from tests.csms.duplex import duplex
from tests.harness import Csms

BOOT201 = {"chargingStation": {"model": "AC22", "vendorName": "Star"}, "reason": "PowerUp"}
BOOT16 = {"chargePointVendor": "V", "chargePointModel": "M"}
CERT = "-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n"
MD5 = "9e107d9d372bb6826bd81d3542a419d6"


@pytest.mark.ocpp("2.0.1", "L01")
@pytest.mark.ocpp("2.0.1", "L02")
@pytest.mark.ocpp("1.6", "TC_044_1", "FirmwareManagement")
@pytest.mark.ocpp("1.6", "TC_044_3", "FirmwareManagement")
async def test_a_campaign_tracks_every_station_by_request_id(csms: Csms) -> None:
    h = csms.headers
    for sid in ("A201", "B16", "C201", "D201"):
        await csms.station(sid)
    async with AsyncExitStack() as stack:
        ws_a = await stack.enter_async_context(csms.connect("A201", "ocpp2.0.1"))
        a = await stack.enter_async_context(duplex(ws_a, {"UpdateFirmware": {"status": "Accepted"}}))
        ws_b = await stack.enter_async_context(csms.connect("B16", "ocpp1.6"))
        b = await stack.enter_async_context(duplex(ws_b))
        ws_d = await stack.enter_async_context(csms.connect("D201", "ocpp2.0.1"))
        d = await stack.enter_async_context(
            duplex(ws_d, {"UpdateFirmware": {"status": "InvalidCertificate"}})
        )
        await a.call("BootNotification", BOOT201)
        await b.call("BootNotification", BOOT16)
        await d.call("BootNotification", BOOT201)

        signed = {
            "location": "https://fw.example.cn/ac22-2.1.bin", "retrieve_at": "2026-11-24T01:00:00Z",
            "install_at": "2026-11-24T02:00:00+00:00", "signing_certificate": CERT, "signature": "c2lnbg==",
            "retries": 2, "retry_interval_s": 60,
        }  # fmt: skip
        r = await csms.api.post(
            "/api/v1/firmware/campaigns",
            json={"station_ids": ["A201", "C201", "D201", "B16"], **signed},
            headers=h,
        )
        assert r.status_code == 201, r.text
        campaign = r.json()
        rows = {s["station_id"]: s for s in campaign["stations"]}
        assert {k: (v["answer"], v["outcome"]) for k, v in rows.items()} == {
            "A201": ("Accepted", "in_progress"),
            "B16": ("Invalid", "refused"),  # plain 1.6 UpdateFirmware cannot carry a signature
            "C201": ("NotConnected", "refused"),
            "D201": ("InvalidCertificate", "refused"),
        }
        assert len({v["request_id"] for v in rows.values()}) == 4
        assert a.sent("UpdateFirmware") == [{
            "requestId": rows["A201"]["request_id"], "retries": 2, "retryInterval": 60,
            "firmware": {"location": signed["location"], "retrieveDateTime": "2026-11-24T01:00:00.000Z",
                         "installDateTime": "2026-11-24T02:00:00.000Z", "signingCertificate": CERT,
                         "signature": "c2lnbg=="},
        }]  # fmt: skip
        assert b.sent("UpdateFirmware") == []
        for status in ("Downloading", "Downloaded", "SignatureVerified", "Installing", "Installed"):
            answer = await a.call(
                "FirmwareStatusNotification", {"status": status, "requestId": rows["A201"]["request_id"]}
            )
            assert answer[0] == 3 and answer[2] == {}
        # another request id (an update started elsewhere) changes nothing here; a bad status is refused
        assert (await a.call("FirmwareStatusNotification", {"status": "Downloading", "requestId": 424242}))[
            0
        ] == 3
        bad = await a.call("FirmwareStatusNotification", {"status": "Exploded", "requestId": 1})
        assert bad[0] == 4 and bad[2] in ("PropertyConstraintViolation", "FormatViolation")

        # 1.6: an unsigned campaign; its statuses carry no request id and go to the station's latest campaign
        plain = {"location": "ftp://fw.example.cn/b.bin", "retrieve_at": "2026-11-24T01:00:00Z"}
        r = await csms.api.post(
            "/api/v1/firmware/campaigns", json={"station_ids": ["B16"], **plain}, headers=h
        )
        second = r.json()
        assert second["stations"][0]["answer"] == "Accepted"
        assert b.sent("UpdateFirmware") == [
            {"location": plain["location"], "retrieveDate": "2026-11-24T01:00:00.000Z"}
        ]
        for status in ("Downloading", "Downloaded", "Installing", "InstallationFailed"):
            assert (await b.call("FirmwareStatusNotification", {"status": status}))[0] == 3

    first = (await csms.api.get(f"/api/v1/firmware/campaigns/{campaign['id']}", headers=h)).json()
    a_row = next(s for s in first["stations"] if s["station_id"] == "A201")
    assert (a_row["status"], a_row["outcome"]) == ("Installed", "installed")
    assert [x["status"] for x in a_row["history"]] == [
        "Downloading",
        "Downloaded",
        "SignatureVerified",
        "Installing",
        "Installed",
    ]
    assert first["summary"] == {"pending": 0, "refused": 3, "in_progress": 0, "installed": 1, "failed": 0}
    assert first["signing_certificate"] == CERT
    b_row = (await csms.api.get(f"/api/v1/firmware/campaigns/{second['id']}", headers=h)).json()["stations"][
        0
    ]
    assert (b_row["status"], b_row["outcome"], len(b_row["history"])) == ("InstallationFailed", "failed", 4)
    listed = (await csms.api.get("/api/v1/firmware/campaigns", headers=h)).json()
    assert [c["id"] for c in listed] == [second["id"], campaign["id"]]
    kept = (await csms.api.get("/api/v1/stations/B16/messages", headers=h)).json()
    assert [m["payload"]["status"] for m in kept if m["action"] == "FirmwareStatusNotification"][
        -1
    ] == "InstallationFailed"


async def test_bad_campaigns_are_refused_by_field(csms: Csms) -> None:
    h, url = csms.headers, "/api/v1/firmware/campaigns"
    await csms.station("A")
    ok = {"location": "https://x/y.bin", "retrieve_at": "2026-11-24T01:00:00Z"}
    r = await csms.api.post(url, json={"station_ids": ["A", "NOPE"], **ok}, headers=h)
    assert r.status_code == 404
    r = await csms.api.post(url, json={"station_ids": ["A", "A"], **ok}, headers=h)
    assert (r.status_code, r.json()["field"]) == (422, "station_ids")
    r = await csms.api.post(url, json={"station_ids": [], **ok}, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "station_ids"]
    r = await csms.api.post(
        url, json={"station_ids": ["A"], "location": "x", "retrieve_at": "2026-11-24T01:00"}, headers=h
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "retrieve_at"]
    assert (await csms.api.get(url, headers=h)).json() == []
    assert (await csms.api.get(f"{url}/1", headers=h)).status_code == 404


@pytest.mark.ocpp("2.0.1", "L03")
@pytest.mark.ocpp("2.0.1", "L04")
async def test_a_local_controller_publishes_and_unpublishes_firmware(csms: Csms) -> None:
    h, url = csms.headers, "/api/v1/stations/LC/firmware"
    await csms.station("LC")
    await csms.station("OLD")
    answers = {"PublishFirmware": {"status": "Accepted"}, "UnpublishFirmware": {"status": "Unpublished"}}
    async with csms.connect("LC", "ocpp2.0.1") as ws, duplex(ws, answers) as st:
        await st.call("BootNotification", BOOT201)
        body = {"location": "https://fw/x.bin", "checksum": MD5.upper()}
        r = await csms.api.post(f"{url}/publications", json=body, headers=h)
        assert r.status_code == 201 and r.json()["answer"] == "Accepted"
        rid = r.json()["request_id"]
        assert st.sent("PublishFirmware") == [
            {"location": "https://fw/x.bin", "checksum": MD5, "requestId": rid}
        ]
        locations = ["http://192.168.1.2/x.bin", "ftp://192.168.1.2/x.bin"]
        for p in (
            {"status": "Downloading", "requestId": rid},
            {"status": "ChecksumVerified", "requestId": rid},
            {"status": "Published", "requestId": rid, "location": locations},
        ):
            assert (await st.call("PublishFirmwareStatusNotification", p))[0] == 3
        bad = await st.call("PublishFirmwareStatusNotification", {"status": "Shipped", "requestId": rid})
        assert bad[0] == 4
        pub = (await csms.api.get(f"{url}/publications", headers=h)).json()[0]
        assert (pub["status"], pub["locations"], len(pub["history"])) == ("Published", locations, 3)
        r = await csms.api.post(f"{url}/unpublish", json={"checksum": MD5}, headers=h)
        assert r.json() == {"status": "Unpublished"} and st.sent("UnpublishFirmware") == [{"checksum": MD5}]
        assert (await csms.api.get(f"{url}/publications", headers=h)).json()[0]["unpublished_at"] is not None
        r = await csms.api.post(f"{url}/publications", json=body | {"checksum": "xyz"}, headers=h)
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "checksum"]
    async with csms.connect("OLD", "ocpp1.6") as ws, duplex(ws) as st:
        await st.call("BootNotification", BOOT16)
        r = await csms.api.post("/api/v1/stations/OLD/firmware/publications", json=body, headers=h)
        assert (r.status_code, r.json()["field"]) == (422, "command")  # no PublishFirmware in 1.6
        assert (await csms.api.get("/api/v1/stations/OLD/firmware/publications", headers=h)).json() == []
