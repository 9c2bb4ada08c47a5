"""碳普惠 session records (issue 17) from real OCPP sessions, with the signed meter values the stations sent.

A 1.6 station sends OCMF strings as ``format: "SignedData"`` sampled values (MeterValues and the
StopTransaction's transactionData), a 2.0.1 station ``signedMeterValue`` objects in its TransactionEvents. The
records carry them verbatim beside the session's times, station, site, energy, green share, the factor with
its source and year, and the methodology; the CSV export is formula-safe.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from csms.domain.carbon_records import METHODOLOGY_VERSION
from tests.harness import Csms, Wire, make_settings, running_csms

T0 = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # 10:00 in Changsha
OCMF_BEGIN = (
    'OCMF|{"FV":"1.0","GI":"XJ METER","GS":"XJ-0001","PG":"T1","MV":"XJ","IS":true,'
    '"RD":[{"TM":"2026-06-01T10:00:00,000+0800 S","TX":"B","RV":0.0,"RI":"1-b:1.8.0","RU":"kWh","ST":"G"}]}'
    '|{"SA":"ECDSA-secp256r1-SHA256","SD":"3045022100AB"}'
)
OCMF_END = OCMF_BEGIN.replace('"TX":"B","RV":0.0', '"TX":"E","RV":10.0').replace("10:00:00", "11:00:00")


def _iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


@pytest.fixture
async def csms(database_url: str) -> AsyncIterator[Csms]:
    async with running_csms(make_settings(database_url, energy_manager_enabled=False)) as running:
        yield running


async def _session_16(csms: Csms) -> None:
    async with csms.connect("CP16", "ocpp1.6") as ws:
        w = Wire(ws)
        assert (await w.call("BootNotification", {"chargePointVendor": "X", "chargePointModel": "Y"}))[2][
            "status"
        ] == "Accepted"
        start = {"connectorId": 1, "idTag": "=HYPERLINK(1)", "meterStart": 0, "timestamp": _iso(T0)}
        tx = (await w.call("StartTransaction", start))[2]["transactionId"]
        values = [
            {"timestamp": _iso(T0), "sampledValue": [
                {"value": OCMF_BEGIN, "format": "SignedData", "context": "Transaction.Begin"},
            ]},
            {"timestamp": _iso(T0 + timedelta(minutes=30)), "sampledValue": [
                {"value": "5000", "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
            ]},
        ]  # fmt: skip
        assert (await w.call("MeterValues", {"connectorId": 1, "transactionId": tx, "meterValue": values}))[
            0
        ] == 3
        end = [{"timestamp": _iso(T0 + timedelta(hours=1)), "sampledValue": [
            {"value": OCMF_END, "format": "SignedData", "context": "Transaction.End"},
        ]}]  # fmt: skip
        stop = {"transactionId": tx, "meterStop": 10_000, "timestamp": _iso(T0 + timedelta(hours=1)),
                "transactionData": end}  # fmt: skip
        assert (await w.call("StopTransaction", stop))[0] == 3


async def _session_201(csms: Csms) -> None:
    signed = {"signedMeterData": "TUVURVI=", "signingMethod": "ECDSA-secp256r1-SHA256",
              "encodingMethod": "DLMS Message", "publicKey": "MFkwEwYH"}  # fmt: skip
    async with csms.connect("CP201", "ocpp2.0.1") as ws:
        w = Wire(ws)
        boot = {"chargingStation": {"vendorName": "X", "model": "Y"}, "reason": "PowerUp"}
        assert (await w.call("BootNotification", boot))[2]["status"] == "Accepted"
        for seq, (kind, at, wh, ctx) in enumerate((
            ("Started", T0, 0, "Transaction.Begin"),
            ("Ended", T0 + timedelta(minutes=30), 4_000, "Transaction.End"),
        )):  # fmt: skip
            event = {
                "eventType": kind, "timestamp": _iso(at), "triggerReason": "Authorized", "seqNo": seq,
                "transactionInfo": {"transactionId": "TX-201"}, "evse": {"id": 1, "connectorId": 1},
                "idToken": {"idToken": "CARD-201", "type": "ISO14443"},
                "meterValue": [{"timestamp": _iso(at), "sampledValue": [
                    {"value": wh, "context": ctx, "signedMeterValue": signed},
                ]}],
            }  # fmt: skip
            assert (await w.call("TransactionEvent", event))[0] == 3


@pytest.mark.ocpp("2.0.1", "J02")
async def test_records_carry_provenance_methodology_and_the_signed_meter_values(csms: Csms) -> None:
    s = csms.runtime.services
    for sid in ("CP16", "CP201"):
        await csms.station(sid)
    for tok in ("=HYPERLINK(1)", "CARD-201"):
        await s.tokens.create(tok)
    site = {"id": "S1", "grid_limit_kw": 100, "pv_kwp": 40,
            "stations": [{"station_id": "CP16"}, {"station_id": "CP201", "current_type": "DC"}]}  # fmt: skip
    assert (await csms.api.post("/api/v1/sites", json=site, headers=csms.headers)).status_code == 201
    rows = [
        {"timestamp": _iso(T0 + timedelta(minutes=m)), "pv_power_w": 30_000, "base_load_w": 20_000}
        for m in (0, 15, 30, 45, 60)
    ]
    assert (await csms.api.post("/api/v1/sites/S1/telemetry", json=rows, headers=csms.headers)).is_success
    await _session_16(csms)
    await _session_201(csms)

    q = {"from": "2026-06-01T00:00:00Z", "to": "2026-06-02T00:00:00Z"}
    r = await csms.api.get("/api/v1/carbon/records", params=q, headers=csms.headers)
    assert r.status_code == 200, r.text
    a, b = json.loads(r.text)
    assert (a["station_id"], a["site_id"], a["evse_id"]) == ("CP16", "S1", 1)
    assert (a["started_at"], a["ended_at"]) == ("2026-06-01T02:00:00Z", "2026-06-01T03:00:00Z")
    assert a["energy_wh"] == 10_000 and 0 < a["green_share_pct"] < 100
    assert (a["factor_key"], a["factor_year"], a["factor_kg_co2_per_kwh"]) == (
        "CN_NATIONAL_2023",
        2023,
        0.5306,
    )
    assert "生态环境部" in a["factor_source"] and a["factor_url"].startswith("https://www.mee.gov.cn/")
    assert a["methodology_version"] == METHODOLOGY_VERSION and "T/CSAE 235-2021" in a["methodology_name"]
    begin, end = a["signed_meter_values"]
    assert (begin["format"], begin["context"], begin["signed_meter_data"]) == (
        "OCMF", "Transaction.Begin", OCMF_BEGIN,
    )  # fmt: skip
    assert (end["context"], end["signed_meter_data"]) == ("Transaction.End", OCMF_END)
    assert (b["station_id"], b["energy_wh"], b["ended_at"]) == ("CP201", 4_000, "2026-06-01T02:30:00Z")
    assert [v["signing_method"] for v in b["signed_meter_values"]] == ["ECDSA-secp256r1-SHA256"] * 2
    assert b["signed_meter_values"][0]["public_key"] == "MFkwEwYH"
    assert b["signed_meter_values"][0]["format"] == "DLMS Message"

    r = await csms.api.get("/api/v1/carbon/records", params={**q, "format": "csv"}, headers=csms.headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows_csv = list(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert [row["session_id"] for row in rows_csv] == [a["session_id"], b["session_id"]]
    first = rows_csv[0]
    assert first["id_token"] == "'=HYPERLINK(1)"  # formula-safe: a spreadsheet shows it, never runs it
    assert (first["signed_start_signed_meter_data"], first["signed_end_signed_meter_data"]) == (
        OCMF_BEGIN,
        OCMF_END,
    )
    assert first["signed_values_count"] == "2" and first["methodology_version"] == METHODOLOGY_VERSION
    assert rows_csv[1]["signed_start_encoding_method"] == "DLMS Message"
    # Bad queries name the field.
    r = await csms.api.get(
        "/api/v1/carbon/records", params={"from": "2026-06-01T00:00:00"}, headers=csms.headers
    )
    assert r.status_code == 422
