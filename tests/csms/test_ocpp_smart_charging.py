"""OCPP 2.0.1 smart-charging reports (K09, K29) and external limits (K12, K13) over real sockets: stored,
reconciled with what the CSMS sent, visible in the API, and a bound the site energy manager respects."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from csms.config import Settings
from tests.csms.duplex import duplex
from tests.harness import OPEN_LOOP, Csms, make_settings

BOOT = {"chargingStation": {"model": "DC60", "vendorName": "Star"}, "reason": "PowerUp"}
NOW = datetime(2026, 11, 24, tzinfo=UTC)


@pytest.fixture
def csms_settings(database_url: str) -> Settings:
    return make_settings(database_url, energy_period_s=600.0, **OPEN_LOOP)


def profile(pid: int, purpose: str, limit: float, unit: str = "W", stack: int = 0) -> dict:
    return {
        "id": pid, "stackLevel": stack, "chargingProfilePurpose": purpose, "chargingProfileKind": "Absolute",
        "chargingSchedule": [{"id": pid, "chargingRateUnit": unit, "startSchedule": "2026-11-24T00:00:00Z",
                              "chargingSchedulePeriod": [{"startPeriod": 0, "limit": limit}]}],
    }  # fmt: skip


def sent_row(evse: int, purpose: str, pid: int, value: float, unit: str) -> dict:
    return {
        "station_id": "CP", "evse_id": evse, "purpose": purpose, "site_id": "S", "profile_id": pid,
        "transaction_ref": "conn:1", "limit_w": value, "limit_value": value, "rate_unit": unit,
        "status": "Accepted", "sent_at": NOW,
    }  # fmt: skip


@pytest.mark.ocpp("2.0.1", "K09")
@pytest.mark.ocpp("2.0.1", "K29")
async def test_reports_are_collected_by_request_and_reconciled_with_what_was_sent(csms: Csms) -> None:
    h, url = csms.headers, "/api/v1/stations/CP/charging-profiles"
    await csms.station("CP")
    await csms.runtime.services.sites.record_sent_profiles([
        sent_row(0, "ChargingStationMaxProfile", 100, 60_000, "W"),
        sent_row(0, "TxDefaultProfile", 101, 16, "A"),
        sent_row(0, "TxDefaultProfile", 102, 16, "A") | {"evse_id": 2},  # accepted, never reported
    ])  # fmt: skip
    answers = {"GetChargingProfiles": {"status": "Accepted"}, "ClearChargingProfile": {"status": "Accepted"}}
    async with csms.connect("CP", "ocpp2.0.1") as ws, duplex(ws, answers) as st:
        await st.call("BootNotification", BOOT)
        assert (await csms.api.get(url, headers=h)).json()["reported"] is False
        r = await csms.api.post(f"{url}/reports", json={}, headers=h)
        assert r.status_code == 202 and r.json()["status"] == "Accepted"
        rid = r.json()["request_id"]
        assert st.sent("GetChargingProfiles") == [{"requestId": rid, "chargingProfile": {}}]
        for evse, source, profiles, tbc in [
            (0, "CSO", [profile(100, "ChargingStationMaxProfile", 60_000)], True),
            (0, "CSO", [profile(101, "TxDefaultProfile", 10, "A")], True),  # not the 16 A accepted
            (1, "CSO", [profile(555, "TxDefaultProfile", 32, "A", stack=3)], True),  # set by hand
            (1, "SO", [profile(900, "ChargingStationExternalConstraints", 7_000)], False),
        ]:
            report = {"requestId": rid, "chargingLimitSource": source, "evseId": evse,
                      "chargingProfile": profiles, "tbc": tbc}  # fmt: skip
            assert await st.call("ReportChargingProfiles", report) == [3, st.last_id, {}]
        view = (await csms.api.get(url, headers=h)).json()
        assert view["reported"] is True
        assert [(p["evse_id"], p["profile_id"], p["source"]) for p in view["installed"]] == [
            (0, 100, "CSO"),
            (0, 101, "CSO"),
            (1, 555, "CSO"),
            (1, 900, "SO"),
        ]
        assert {(m["kind"], m["evse_id"], m["profile_id"]) for m in view["mismatches"]} == {
            ("differs", 0, 101),
            ("unknown", 1, 555),
            ("missing", 2, 102),
        }
        assert len(view["sent"]) == 3
        req = view["requests"][0]
        assert (req["request_id"], req["reports"], req["completed_at"] is not None) == (rid, 4, True)
        one = (await csms.api.get(f"{url}/reports/{rid}", headers=h)).json()
        assert len(one["profiles"]) == 4

        # A second request for EVSE 1 only, answered NoProfiles: EVSE 1 has nothing left; EVSE 0 is kept.
        st.answers["GetChargingProfiles"] = {"status": "NoProfiles"}
        r = await csms.api.post(f"{url}/reports", json={"evse_id": 1, "sources": ["CSO", "SO"]}, headers=h)
        assert r.json()["status"] == "NoProfiles" and r.json()["completed_at"] is not None
        assert st.sent("GetChargingProfiles")[-1]["chargingProfile"] == {"chargingLimitSource": ["CSO", "SO"]}
        view = (await csms.api.get(url, headers=h)).json()
        assert [p["profile_id"] for p in view["installed"]] == [100, 101]

        # ClearChargingProfile: sent by id, and the cleared profile is no longer installed.
        r = await csms.api.post(f"{url}/clear", json={"profile_id": 101}, headers=h)
        assert r.json() == {"status": "Accepted"}
        assert st.sent("ClearChargingProfile") == [{"chargingProfileId": 101}]
        view = (await csms.api.get(url, headers=h)).json()
        assert [p["profile_id"] for p in view["installed"]] == [100]
        assert (await csms.api.get(f"{url}/reports/999999", headers=h)).status_code == 404


@pytest.mark.ocpp("2.0.1", "K29")
async def test_bad_reports_get_a_callerror_and_are_not_stored(csms: Csms) -> None:
    await csms.station("CP")
    async with csms.connect("CP", "ocpp2.0.1") as ws, duplex(ws) as st:
        await st.call("BootNotification", BOOT)
        missing = await st.call("ReportChargingProfiles", {"requestId": 1, "chargingLimitSource": "CSO",
                                                           "evseId": 0})  # fmt: skip
        assert missing[0] == 4 and missing[2] == "OccurrenceConstraintViolation"
        wrong = await st.call("ReportChargingProfiles", {
            "requestId": 1, "chargingLimitSource": "Grid", "evseId": 0,
            "chargingProfile": [profile(1, "TxDefaultProfile", 16, "A")],
        })  # fmt: skip
        assert wrong[0] == 4 and wrong[2] in ("PropertyConstraintViolation", "FormatViolation")
    view = (await csms.api.get("/api/v1/stations/CP/charging-profiles", headers=csms.headers)).json()
    assert view["installed"] == []
    r = await csms.api.post("/api/v1/stations/CP/charging-profiles/reports", json={"purpose": "Nope"},
                            headers=csms.headers)  # fmt: skip
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "purpose"]


@pytest.mark.ocpp("2.0.1", "K12")
@pytest.mark.ocpp("2.0.1", "K13")
async def test_external_limits_are_stored_until_cleared_and_bad_ones_refused(csms: Csms) -> None:
    url = "/api/v1/stations/CP/charging-limits"
    await csms.station("CP")
    async with csms.connect("CP", "ocpp2.0.1") as ws, duplex(ws) as st:
        await st.call("BootNotification", BOOT)
        schedule = {
            "id": 1,
            "chargingRateUnit": "A",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16}],
        }
        ok = await st.call("NotifyChargingLimit", {
            "evseId": 1, "chargingLimit": {"chargingLimitSource": "SO", "isGridCritical": True},
            "chargingSchedule": [schedule],
        })  # fmt: skip
        assert ok[0] == 3 and ok[2] == {}
        await st.call("NotifyChargingLimit", {"chargingLimit": {"chargingLimitSource": "EMS"}})
        limits = (await csms.api.get(url, headers=csms.headers)).json()
        assert [(x["evse_id"], x["source"], x["is_grid_critical"]) for x in limits] == [
            (0, "EMS", None),
            (1, "SO", True),
        ]
        assert limits[1]["schedules"] == [schedule]
        bad = dict(schedule, chargingSchedulePeriod=[{"startPeriod": 0, "limit": -5}])
        refused = await st.call(
            "NotifyChargingLimit",
            {"evseId": 2, "chargingLimit": {"chargingLimitSource": "SO"}, "chargingSchedule": [bad]},
        )
        assert refused[0] == 4 and refused[2] == "PropertyConstraintViolation"
        no_source = await st.call("ClearedChargingLimit", {"evseId": 1})
        assert no_source[0] == 4 and no_source[2] == "OccurrenceConstraintViolation"
        assert (await st.call("ClearedChargingLimit", {"chargingLimitSource": "SO", "evseId": 1}))[0] == 3
        limits = (await csms.api.get(url, headers=csms.headers)).json()
        assert [(x["evse_id"], x["source"]) for x in limits] == [(0, "EMS")]


@pytest.mark.ocpp("2.0.1", "K12")
async def test_the_energy_manager_keeps_a_session_under_the_external_limit(csms: Csms) -> None:
    await csms.station("CP")
    await csms.runtime.services.tokens.create("CARD")
    member = {"station_id": "CP", "current_type": "DC", "max_power_w": 60_000}
    site = {"id": "S", "grid_limit_kw": 100, "base_load_kw": 10, "stations": [member]}
    assert (await csms.api.post("/api/v1/sites", json=site, headers=csms.headers)).status_code == 201
    energy = csms.runtime.services.energy

    def tx_limits(st) -> list[float]:
        return [
            p["chargingProfile"]["chargingSchedule"][0]["chargingSchedulePeriod"][0]["limit"]
            for p in st.sent("SetChargingProfile")
            if p["chargingProfile"]["chargingProfilePurpose"] == "TxProfile"
        ]

    async def last_tx_limit_becomes(st, limit_w: float) -> None:
        """The manager's own cycles (run by the station's messages; the period is 600 s) send it."""
        while not (tx_limits(st) and tx_limits(st)[-1] == limit_w):
            await asyncio.wait_for(energy.wait_for_cycles(energy.cycles + 1), 5)

    async with (
        csms.connect("CP", "ocpp2.0.1") as ws,
        duplex(ws, {"SetChargingProfile": {"status": "Accepted"}}) as st,
    ):
        await st.call("BootNotification", BOOT)
        started = {
            "eventType": "Started", "timestamp": "2026-11-24T00:00:00Z", "triggerReason": "Authorized",
            "seqNo": 0, "transactionInfo": {"transactionId": "TX-1"}, "evse": {"id": 1, "connectorId": 1},
            "idToken": {"idToken": "CARD", "type": "ISO14443"},
        }  # fmt: skip
        assert (await st.call("TransactionEvent", started))[0] == 3
        await last_tx_limit_becomes(st, 60_000)  # the station's rating: the grid has room
        w = {
            "id": 1,
            "chargingRateUnit": "W",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 20_000}],
        }
        limit = {"chargingLimit": {"chargingLimitSource": "SO"}, "chargingSchedule": [w]}
        await st.call("NotifyChargingLimit", limit)
        await last_tx_limit_becomes(st, 20_000)
        await st.call("ClearedChargingLimit", {"chargingLimitSource": "SO"})
        await last_tx_limit_becomes(st, 60_000)


async def test_a_report_request_a_station_cannot_get_is_refused_and_not_kept(csms: Csms) -> None:
    h, url = csms.headers, "/api/v1/stations/V16/charging-profiles"
    await csms.station("V16")
    assert (await csms.api.post(f"{url}/reports", json={}, headers=h)).status_code == 409  # not connected
    assert (
        await csms.api.post("/api/v1/stations/NOPE/charging-profiles/reports", json={}, headers=h)
    ).status_code == 404
    async with (
        csms.connect("V16", "ocpp1.6") as ws,
        duplex(ws, {"ClearChargingProfile": {"status": "Accepted"}}) as st,
    ):
        await st.call("BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"})
        r = await csms.api.post(f"{url}/reports", json={}, headers=h)
        assert (r.status_code, r.json()["field"]) == (422, "command")  # 1.6 has no GetChargingProfiles
        r = await csms.api.post(
            f"{url}/clear", json={"evse_id": 1, "purpose": "ChargingStationMaxProfile"}, headers=h
        )
        assert r.json() == {"status": "Accepted"}
        assert st.sent("ClearChargingProfile") == [
            {"connectorId": 1, "chargingProfilePurpose": "ChargePointMaxProfile"}
        ]
    assert (await csms.api.get(url, headers=h)).json()["requests"] == []


@pytest.mark.ocpp("2.0.1", "K09")
async def test_a_filtered_request_replaces_only_what_it_asked_for(csms: Csms) -> None:
    h, url = csms.headers, "/api/v1/stations/CP/charging-profiles"
    await csms.station("CP")
    async with (
        csms.connect("CP", "ocpp2.0.1") as ws,
        duplex(ws, {"GetChargingProfiles": {"status": "Accepted"}}) as st,
    ):
        await st.call("BootNotification", BOOT)

        async def report(rid: int, *profiles: dict) -> None:
            body = {
                "requestId": rid,
                "chargingLimitSource": "CSO",
                "evseId": 0,
                "chargingProfile": list(profiles),
            }
            assert (await st.call("ReportChargingProfiles", body))[0] == 3

        rid = (await csms.api.post(f"{url}/reports", json={}, headers=h)).json()["request_id"]
        await report(
            rid, profile(1, "ChargingStationMaxProfile", 60_000), profile(2, "TxDefaultProfile", 16, "A")
        )
        # only TxDefaultProfiles asked for: the station maximum stays, the old default gives way
        r = await csms.api.post(f"{url}/reports", json={"purpose": "TxDefaultProfile"}, headers=h)
        assert st.sent("GetChargingProfiles")[-1]["chargingProfile"] == {
            "chargingProfilePurpose": "TxDefaultProfile"
        }
        await report(r.json()["request_id"], profile(3, "TxDefaultProfile", 20, "A"))
        installed = (await csms.api.get(url, headers=h)).json()["installed"]
        assert [(p["profile_id"], p["request_id"]) for p in installed] == [
            (1, rid),
            (3, r.json()["request_id"]),
        ]
