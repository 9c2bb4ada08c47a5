"""Local authorization lists (2.0.1 block D, 1.6 LocalAuthListManagement) over real sockets: Full and
Differential updates from the API, split over the station's limits, the stored list following only accepted
updates, GetLocalListVersion compared with it, VersionMismatch advising a Full resend."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from csms.config import Settings
from tests.csms.duplex import duplex
from tests.harness import Csms, running_csms

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
BOOT201 = {"chargingStation": {"model": "AC22", "vendorName": "Star"}, "reason": "PowerUp"}
BOOT16 = {"chargePointVendor": "V", "chargePointModel": "M"}


@pytest.fixture
async def csms(csms_settings: Settings) -> AsyncIterator[Csms]:
    async with running_csms(csms_settings, lambda: T0) as running:
        yield running


def get_variables(values: dict[str, str]) -> Any:
    """A 2.0.1 station's GetVariables answer: ``values`` by variable name for LocalAuthListCtrlr."""

    def answer(p: dict[str, Any]) -> dict[str, Any]:
        results = []
        for q in p["getVariableData"]:
            ours = q["component"]["name"] == "LocalAuthListCtrlr"
            value = values.get(q["variable"]["name"]) if ours else None
            result = {"component": q["component"], "variable": q["variable"],
                      "attributeStatus": "Accepted" if value else "UnknownVariable"}  # fmt: skip
            if value:
                result["attributeValue"] = value
            results.append(result)
        return {"getVariableResult": results}

    return answer


async def send(csms: Csms, station: str, status: int = 200, **body: Any) -> dict[str, Any]:
    r = await csms.api.post(f"/api/v1/stations/{station}/local-list", json=body, headers=csms.headers)
    assert r.status_code == status, r.text
    return r.json()


async def ask_version(csms: Csms, station: str) -> dict[str, Any]:
    r = await csms.api.post(f"/api/v1/stations/{station}/local-list/version", headers=csms.headers)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.ocpp("2.0.1", "D01")
@pytest.mark.ocpp("2.0.1", "D02")
async def test_v201_full_split_differential_failed_and_version_mismatch(csms: Csms) -> None:
    h, tokens = csms.headers, csms.runtime.services.tokens
    await csms.station("CP2")
    await tokens.create("A")
    await tokens.create("B", group_id_token="FLEET", expiry_date=datetime(2027, 1, 1, tzinfo=UTC))
    await tokens.create("C", status="Blocked", type="eMAID")
    station_version = {"n": 0}
    answers: dict[str, Any] = {
        "GetVariables": get_variables({"ItemsPerMessage": "2", "BytesPerMessage": "4000"}),
        "SendLocalList": {"status": "Accepted"},
        "GetLocalListVersion": lambda p: {"versionNumber": station_version["n"]},
    }
    async with csms.connect("CP2", "ocpp2.0.1") as ws, duplex(ws, answers) as st:
        await st.call("BootNotification", BOOT201)
        # D01: a Full list of every id token, two per message: Full first, the rest Differential
        got = await send(csms, "CP2", update_type="Full")
        assert st.sent("SendLocalList") == [
            {"versionNumber": 1, "updateType": "Full", "localAuthorizationList": [
                {"idToken": {"idToken": "A", "type": "ISO14443"}, "idTokenInfo": {"status": "Accepted"}},
                {"idToken": {"idToken": "B", "type": "ISO14443"}, "idTokenInfo": {
                    "status": "Accepted", "cacheExpiryDateTime": "2027-01-01T00:00:00.000Z",
                    "groupIdToken": {"idToken": "FLEET", "type": "Central"}}},
            ]},
            {"versionNumber": 2, "updateType": "Differential", "localAuthorizationList": [
                {"idToken": {"idToken": "C", "type": "eMAID"}, "idTokenInfo": {"status": "Blocked"}},
            ]},
        ]  # fmt: skip
        assert (got["version"], got["last_status"], [e["id_token"] for e in got["entries"]]) == (
            2, "Accepted", ["A", "B", "C"],
        )  # fmt: skip
        assert [p["update_type"] for p in got["last_parts"]] == ["Full", "Differential"]
        assert got["in_sync"] is None  # never asked

        # D02: the station's version matches
        station_version["n"] = 2
        got = await ask_version(csms, "CP2")
        assert (got["station_version"], got["in_sync"], got["full_resend_advised"]) == (2, True, False)

        # a token blocked through the API: the list is stale until a Differential update sends it
        r = await csms.api.patch("/api/v1/id-tokens/A", json={"status": "Blocked"}, headers=h)
        assert r.status_code == 200, r.text
        await tokens.delete("C")
        got = (await csms.api.get("/api/v1/stations/CP2/local-list", headers=h)).json()
        assert got["stale"] == ["A", "C"]
        got = await send(csms, "CP2", update_type="Differential")
        assert st.sent("SendLocalList")[-1] == {
            "versionNumber": 3, "updateType": "Differential", "localAuthorizationList": [
                {"idToken": {"idToken": "A", "type": "ISO14443"}, "idTokenInfo": {"status": "Blocked"}},
                {"idToken": {"idToken": "C", "type": "eMAID"}},  # removed
            ]}  # fmt: skip
        assert (got["version"], got["stale"], [e["id_token"] for e in got["entries"]]) == (3, [], ["A", "B"])
        assert await send(csms, "CP2", 409, update_type="Differential")  # nothing changed

        # Failed: the stored list stays as it was
        answers["SendLocalList"] = {"status": "Failed"}
        got = await send(csms, "CP2", update_type="Full", id_tokens=["B"])
        assert (got["version"], got["last_status"], got["last_sent_version"], len(got["entries"])) == (
            3, "Failed", 4, 2,
        )  # fmt: skip

        # VersionMismatch: the CSMS asks the version at once and advises a Full resend
        answers["SendLocalList"] = {"status": "VersionMismatch"}
        station_version["n"] = 9
        await tokens.create("D")
        got = await send(csms, "CP2", update_type="Differential", id_tokens=["D"])
        assert st.received[-1] == ("GetLocalListVersion", {})
        assert (got["version"], got["station_version"], got["in_sync"], got["full_resend_advised"]) == (
            3, 9, False, True,
        )  # fmt: skip
        answers["SendLocalList"] = {"status": "Accepted"}
        got = await send(csms, "CP2", update_type="Full", group_id_token="FLEET")
        assert st.sent("SendLocalList")[-1]["versionNumber"] == 10  # above the station's own
        assert (got["version"], got["full_resend_advised"], [e["id_token"] for e in got["entries"]]) == (
            10, False, ["B"],
        )  # fmt: skip
        r = await send(csms, "CP2", 422, update_type="Full", id_tokens=["NOPE"])
        assert r["field"] == "id_tokens"


@pytest.mark.ocpp("1.6", "TC_042_2", "LocalAuthListManagement")
@pytest.mark.ocpp("1.6", "TC_043_4", "LocalAuthListManagement")
@pytest.mark.ocpp("1.6", "TC_043_5", "LocalAuthListManagement")
async def test_v16_full_differential_empty_and_limits(csms: Csms) -> None:
    h, tokens = csms.headers, csms.runtime.services.tokens
    await csms.station("CP1")
    await tokens.create("A", group_id_token="PARENT")
    await tokens.create("B")
    station_version = {"n": 0}
    answers: dict[str, Any] = {
        "GetConfiguration": {"configurationKey": [
            {"key": "SendLocalListMaxLength", "readonly": True, "value": "1"},
            {"key": "LocalAuthListMaxLength", "readonly": True, "value": "3"},
        ]},
        "SendLocalList": {"status": "Accepted"},
        "GetLocalListVersion": lambda p: {"listVersion": station_version["n"]},
    }  # fmt: skip
    async with csms.connect("CP1", "ocpp1.6") as ws, duplex(ws, answers) as st:
        await st.call("BootNotification", BOOT16)
        # TC_043_4: Full, every entry with an idTagInfo; one entry per message (SendLocalListMaxLength)
        got = await send(csms, "CP1", update_type="Full")
        keys = ["SendLocalListMaxLength", "LocalAuthListMaxLength"]
        assert st.sent("GetConfiguration")[-1] == {"key": keys}
        assert st.sent("SendLocalList") == [
            {"listVersion": 1, "updateType": "Full", "localAuthorizationList": [
                {"idTag": "A", "idTagInfo": {"status": "Accepted", "parentIdTag": "PARENT"}}]},
            {"listVersion": 2, "updateType": "Differential", "localAuthorizationList": [
                {"idTag": "B", "idTagInfo": {"status": "Accepted"}}]},
        ]  # fmt: skip
        assert got["version"] == 2

        # TC_043_5: Differential for one id token not on the list, with a version above the held one
        await tokens.create("C")
        station_version["n"] = 2
        assert (await ask_version(csms, "CP1"))["in_sync"] is True
        got = await send(csms, "CP1", update_type="Differential", id_tokens=["C"])
        assert st.sent("SendLocalList")[-1] == {"listVersion": 3, "updateType": "Differential",
            "localAuthorizationList": [{"idTag": "C", "idTagInfo": {"status": "Accepted"}}]}  # fmt: skip
        assert [e["id_token"] for e in got["entries"]] == ["A", "B", "C"]

        # more entries than LocalAuthListMaxLength: refused before anything is sent
        await tokens.create("D")
        sent = len(st.sent("SendLocalList"))
        r = await send(csms, "CP1", 422, update_type="Full")
        assert r["field"] == "id_tokens" and len(st.sent("SendLocalList")) == sent

        # TC_042_2: an empty Full list (no localAuthorizationList); the station then answers version 0
        got = await send(csms, "CP1", update_type="Full", group_id_token="NOBODY")
        assert st.sent("SendLocalList")[-1] == {"listVersion": 4, "updateType": "Full"}
        station_version["n"] = 0
        got = await ask_version(csms, "CP1")
        assert (got["version"], got["entries"], got["station_version"], got["in_sync"]) == (4, [], 0, True)

        # NotSupported: stored as the answer, the list unchanged
        answers["SendLocalList"] = {"status": "NotSupported"}
        got = await send(csms, "CP1", update_type="Full", id_tokens=["A"])
        assert (got["version"], got["last_status"], got["entries"]) == (4, "NotSupported", [])

    listed = (await csms.api.get("/api/v1/stations/CP1/local-list", headers=h)).json()
    assert listed["version"] == 4
    assert (await csms.api.get("/api/v1/stations/NOPE/local-list", headers=h)).status_code == 404
    r = await csms.api.post("/api/v1/stations/CP1/local-list", json={"update_type": "Full"}, headers=h)
    assert r.status_code == 409  # offline


@pytest.mark.ocpp("2.0.1", "D01")
async def test_v201_limits_from_the_stations_report_split_by_bytes(csms: Csms) -> None:
    await csms.station("CP3")
    for n in range(4):
        await csms.runtime.services.tokens.create(
            f"TOKEN-{n}", group_id_token="FLEET", expiry_date=datetime(2027, 1, 1, tzinfo=UTC)
        )
    report = {"requestId": 1, "generatedAt": T0.isoformat(), "seqNo": 0, "reportData": [
        {"component": {"name": "LocalAuthListCtrlr"}, "variable": {"name": name},
         "variableAttribute": [{"type": "Actual", "value": value}]}
        for name, value in (("ItemsPerMessage", "50"), ("BytesPerMessage", "400"))
    ]}  # fmt: skip
    accept = {"SendLocalList": {"status": "Accepted"}}
    async with csms.connect("CP3", "ocpp2.0.1") as ws, duplex(ws, accept) as st:
        await st.call("BootNotification", BOOT201)
        assert (await st.call("NotifyReport", report))[0] == 3
        got = await send(csms, "CP3", update_type="Full")
        sent = st.sent("SendLocalList")
        assert st.sent("GetVariables") == []  # known from the report: not asked
        assert len(sent) > 1 and all(len(json.dumps(p, separators=(",", ":"))) <= 400 for p in sent)
        assert [p["versionNumber"] for p in sent] == list(range(1, len(sent) + 1))
        assert [p["updateType"] for p in sent] == ["Full"] + ["Differential"] * (len(sent) - 1)
        ids = [i["idToken"]["idToken"] for p in sent for i in p["localAuthorizationList"]]
        assert ids == [f"TOKEN-{n}" for n in range(4)]
        assert (got["version"], len(got["entries"])) == (len(sent), 4)
