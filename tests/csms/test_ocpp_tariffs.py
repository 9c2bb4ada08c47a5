"""Tariffs and costs (OCPP 2.0.1 block I, 1.6 sessions alike), over real sockets: tariffs as data managed by
REST, the final cost in the Ended answer, CostUpdated during a long session on an injected clock, the
tariff in the Authorize answer, and 1.6 sessions costed the same way."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from csms.config import Settings
from csms.db.models_tariffs import TransactionCost
from tests.csms.duplex import duplex
from tests.harness import Csms, Wire, make_settings, running_csms

BOOT = {"chargingStation": {"model": "AC22", "vendorName": "Star"}, "reason": "PowerUp"}
FLAT = {
    "name": "flat-1", "currency": "CNY", "prices_cny_per_kwh": {"all": 1.0},
    "rules": [{"period": "all", "start": "00:00", "end": "24:00"}], "service_fee_cny_per_kwh": 0.5,
}


def energy(wh: float, ts: str) -> list[dict[str, Any]]:
    return [{"timestamp": ts, "sampledValue": [{"value": wh, "measurand": "Energy.Active.Import.Register"}]}]


def event(kind: str, seq: int, ts: str, uid: str = "TX-1", **extra: Any) -> dict[str, Any]:
    payload = {"eventType": kind, "timestamp": ts, "triggerReason": "Authorized", "seqNo": seq,
               "transactionInfo": {"transactionId": uid}, "evse": {"id": 1, "connectorId": 1}}
    payload.update(extra)
    return payload


async def expect_call(ws: Any, action: str) -> tuple[str, dict[str, Any]]:
    """The next CALL the CSMS sends this station (frames of other kinds are skipped)."""
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if frame[0] == 2:
            assert frame[2] == action, frame
            return frame[1], frame[3]


async def answer(ws: Any, uid: str, payload: dict[str, Any]) -> None:
    await ws.send(json.dumps([3, uid, payload]))


@pytest.mark.ocpp("2.0.1", "I03")
async def test_the_stations_tariff_prices_the_session_and_the_ended_answer_carries_it(csms: Csms) -> None:
    await csms.station("CP-T")
    await csms.station("CP-D")
    r = await csms.api.post("/api/v1/tariffs", headers=csms.headers,
                            json={"name": "flat", "definition": FLAT, "station_ids": ["CP-T"]})
    assert r.status_code == 201, r.text
    tariff = r.json()
    assert tariff["station_ids"] == ["CP-T"] and tariff["is_default"] is False
    own = (await csms.api.get("/api/v1/stations/CP-T/tariff", headers=csms.headers)).json()
    assert (own["tariff_id"], own["source"]) == (tariff["id"], "station")
    other = (await csms.api.get("/api/v1/stations/CP-D/tariff", headers=csms.headers)).json()
    assert other["source"] in ("default", "builtin") and other["definition"]["name"] == "hunan_commercial_tou"

    async with csms.connect("CP-T", "ocpp2.0.1") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT)
        await wire.call("TransactionEvent", event("Started", 0, "2026-11-24T01:00:00Z",
                                                  meterValue=energy(1000, "2026-11-24T01:00:00Z")))
        updated = await wire.call("TransactionEvent", event("Updated", 1, "2026-11-24T01:30:00Z",
                                                            meterValue=energy(4000, "2026-11-24T01:30:00Z")))
        assert "totalCost" not in updated[2]  # only the Ended answer carries it
        tx = (await csms.api.get("/api/v1/transactions", headers=csms.headers)).json()["items"][0]
        running = (await csms.api.get(f"/api/v1/transactions/{tx['id']}/cost", headers=csms.headers)).json()
        assert (running["total_cost"], running["final"], running["tariff_name"]) == (4.5, False, "flat-1")
        ended = await wire.call("TransactionEvent", event("Ended", 2, "2026-11-24T02:00:00Z",
                                                          meterValue=energy(11000, "2026-11-24T02:00:00Z")))
        # 10 kWh at 1.00 + 0.50 service fee
        assert ended[2] == {"totalCost": 15.0}
    final = (await csms.api.get(f"/api/v1/transactions/{tx['id']}/cost", headers=csms.headers)).json()
    assert (final["total_cost"], final["energy_wh"], final["final"]) == (15.0, 10000.0, True)
    assert final["breakdown"]["service_fee"] == 5.0

    # Editing the tariff later never changes a session already costed (its tariff was pinned).
    changed = {**FLAT, "prices_cny_per_kwh": {"all": 9.0}}
    r = await csms.api.put(f"/api/v1/tariffs/{tariff['id']}", headers=csms.headers,
                           json={"name": "flat", "definition": changed, "station_ids": ["CP-T"]})
    assert r.status_code == 200
    again = (await csms.api.get(f"/api/v1/transactions/{tx['id']}/cost", headers=csms.headers)).json()
    assert again["total_cost"] == 15.0


async def test_a_sites_tariff_and_the_default_tariff_apply_in_that_order(csms: Csms) -> None:
    await csms.station("CP-S")
    r = await csms.api.post("/api/v1/sites", headers=csms.headers, json={"id": "S1", "grid_limit_kw": 100})
    assert r.status_code == 201, r.text
    r = await csms.api.put("/api/v1/sites/S1/stations/CP-S", headers=csms.headers, json={"max_power_w": 7000})
    assert r.status_code in (200, 201), r.text
    site_tariff = (await csms.api.post("/api/v1/tariffs", headers=csms.headers,
                                       json={"name": "site", "definition": FLAT, "site_ids": ["S1"]})).json()
    chosen = (await csms.api.get("/api/v1/stations/CP-S/tariff", headers=csms.headers)).json()
    assert (chosen["tariff_id"], chosen["source"]) == (site_tariff["id"], "site")
    body = {"name": "new-default", "definition": FLAT, "is_default": True}
    default = (await csms.api.post("/api/v1/tariffs", headers=csms.headers, json=body)).json()
    await csms.station("CP-X")
    chosen = (await csms.api.get("/api/v1/stations/CP-X/tariff", headers=csms.headers)).json()
    assert (chosen["tariff_id"], chosen["source"]) == (default["id"], "default")
    gone = await csms.api.delete(f"/api/v1/tariffs/{default['id']}", headers=csms.headers)
    assert gone.status_code == 204
    chosen = (await csms.api.get("/api/v1/stations/CP-X/tariff", headers=csms.headers)).json()
    assert chosen["source"] == "builtin"


HALF_DAY = {"period": "all", "start": "00:00", "end": "12:00"}
"""A rule that leaves noon to midnight unpriced."""


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"name": "bad", "definition": {**FLAT, "rules": [HALF_DAY]}}, 422, "definition"),
        ({"name": "bad", "definition": {**FLAT, "prices_cny_per_kwh": {"all": -1}}}, 422, "definition"),
        ({"name": "bad", "definition": FLAT, "station_ids": ["NOPE"]}, 422, "station_ids[0]"),
        ({"name": "bad", "definition": {**FLAT, "service_fee_cny_per_kwh": "x"}}, 422, "definition"),
    ],
)
async def test_bad_tariffs_get_a_4xx_naming_the_field_and_are_not_stored(
    csms: Csms, body: dict[str, Any], status: int, field: str
) -> None:
    r = await csms.api.post("/api/v1/tariffs", headers=csms.headers, json=body)
    assert (r.status_code, r.json().get("field")) == (status, field), r.text
    assert (await csms.api.get("/api/v1/tariffs", headers=csms.headers)).json() == []


async def test_tariff_names_are_unique_and_unknown_ids_are_404(csms: Csms) -> None:
    assert (await csms.api.post("/api/v1/tariffs", headers=csms.headers,
                                json={"name": "a", "definition": FLAT})).status_code == 201
    r = await csms.api.post("/api/v1/tariffs", headers=csms.headers, json={"name": "a", "definition": FLAT})
    assert r.status_code == 409
    assert (await csms.api.get("/api/v1/tariffs/999", headers=csms.headers)).status_code == 404
    assert (await csms.api.get("/api/v1/transactions/999/cost", headers=csms.headers)).status_code == 404


@pytest.mark.ocpp("2.0.1", "I01")
async def test_authorize_answers_with_the_drivers_tariff(csms: Csms) -> None:
    await csms.station("CP-A")
    await csms.runtime.services.tokens.create("CARD-A")
    await csms.api.post("/api/v1/tariffs", headers=csms.headers,
                        json={"name": "flat", "definition": FLAT, "station_ids": ["CP-A"]})
    async with csms.connect("CP-A", "ocpp2.0.1") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT)
        info = (await wire.call("Authorize", {"idToken": {"idToken": "CARD-A", "type": "ISO14443"}}))[2]
        assert info["idTokenInfo"]["status"] == "Accepted"
        assert info["idTokenInfo"]["personalMessage"] == {
            "format": "UTF8", "content": "flat-1: 1.0000-1.0000 CNY/kWh + 0.5000 CNY/kWh service"
        }
        unknown = (await wire.call("Authorize", {"idToken": {"idToken": "NOBODY", "type": "ISO14443"}}))[2]
        assert "personalMessage" not in unknown["idTokenInfo"]


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.mark.ocpp("2.0.1", "I02")
async def test_cost_updated_goes_to_the_station_every_interval_of_a_long_session(database_url: str) -> None:
    clock = FakeClock(datetime(2026, 11, 24, 1, 0, tzinfo=UTC))
    # Each round of the updater's loop is run by hand (its own wake-up is a check every 11 days here): the
    # test advances the injected clock instead of waiting on real seconds.
    settings: Settings = make_settings(database_url, cost_update_interval_s=600, cost_update_check_s=1e6)
    async with running_csms(settings, clock=clock) as csms:
        updater = csms.app.state.cost_updates
        await csms.station("CP-C")
        await csms.api.post("/api/v1/tariffs", headers=csms.headers,
                            json={"name": "flat", "definition": FLAT, "station_ids": ["CP-C"]})
        async with csms.connect("CP-C", "ocpp2.0.1") as ws:
            wire = Wire(ws)
            await wire.call("BootNotification", BOOT)
            await wire.call("TransactionEvent", event("Started", 0, "2026-11-24T01:00:00Z",
                                                      meterValue=energy(0, "2026-11-24T01:00:00Z")))
            await wire.call("TransactionEvent", event("Updated", 1, "2026-11-24T01:09:00Z",
                                                      meterValue=energy(2000, "2026-11-24T01:09:00Z")))
            clock.now += timedelta(seconds=601)  # the interval has passed: the loop sends the running cost
            round_ = asyncio.create_task(updater.run_once())
            uid, payload = await expect_call(ws, "CostUpdated")
            assert payload == {"totalCost": 3.0, "transactionId": "TX-1"}  # 2 kWh x 1.50
            await answer(ws, uid, {})
            assert await round_ == 1
            await wire.call("TransactionEvent", event("Updated", 2, "2026-11-24T01:19:00Z",
                                                      meterValue=energy(4000, "2026-11-24T01:19:00Z")))
            clock.now += timedelta(seconds=300)  # not yet another interval since the last update
            assert await updater.run_once() == 0
            tx = (await csms.api.get("/api/v1/transactions", headers=csms.headers)).json()["items"][0]
            cost = (await csms.api.get(f"/api/v1/transactions/{tx['id']}/cost", headers=csms.headers)).json()
            assert cost["cost_sent_at"] == "2026-11-24T01:10:01Z"
            clock.now += timedelta(seconds=301)
            round_ = asyncio.create_task(updater.run_once())
            uid, payload = await expect_call(ws, "CostUpdated")
            assert payload == {"totalCost": 6.0, "transactionId": "TX-1"}
            await answer(ws, uid, {})
            assert await round_ == 1


async def test_a_16_session_is_costed_the_same_way(csms: Csms) -> None:
    await csms.station("CP16")
    await csms.runtime.services.tokens.create("CARD-16")
    await csms.api.post("/api/v1/tariffs", headers=csms.headers,
                        json={"name": "flat", "definition": FLAT, "station_ids": ["CP16"]})
    async with csms.connect("CP16", "ocpp1.6") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"})
        start = await wire.call("StartTransaction", {"connectorId": 1, "idTag": "CARD-16", "meterStart": 500,
                                                     "timestamp": "2026-11-24T01:00:00Z"})
        tx_id = start[2]["transactionId"]
        await wire.call("MeterValues", {"connectorId": 1, "transactionId": tx_id, "meterValue": [
            {"timestamp": "2026-11-24T01:30:00Z", "sampledValue": [{"value": "2500"}]}]})
        running = (await csms.api.get(f"/api/v1/transactions/{tx_id}/cost", headers=csms.headers)).json()
        assert (running["total_cost"], running["final"]) == (3.0, False)
        await wire.call("StopTransaction", {"transactionId": tx_id, "meterStop": 4500,
                                            "timestamp": "2026-11-24T02:00:00Z"})
    final = (await csms.api.get(f"/api/v1/transactions/{tx_id}/cost", headers=csms.headers)).json()
    assert (final["total_cost"], final["energy_wh"], final["final"]) == (6.0, 4000.0, True)


async def test_a_refused_cost_update_is_sent_again_and_16_sessions_get_none(database_url: str) -> None:
    clock = FakeClock(datetime(2026, 11, 24, 1, 0, tzinfo=UTC))
    # The loop never wakes on its own here (a check every 11 days): each round is run_once, by hand.
    settings = make_settings(database_url, cost_update_interval_s=600, cost_update_check_s=1e6)
    async with running_csms(settings, clock=clock) as csms:
        updater = csms.app.state.cost_updates
        await csms.station("CP-R")
        await csms.station("CP-R16")
        await csms.runtime.services.tokens.create("CARD-R")
        async with csms.connect("CP-R", "ocpp2.0.1") as ws, csms.connect("CP-R16", "ocpp1.6") as ws16:
            wire, wire16 = Wire(ws), Wire(ws16)
            await wire.call("BootNotification", BOOT)
            await wire16.call("BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"})
            await wire16.call("StartTransaction", {"connectorId": 1, "idTag": "CARD-R", "meterStart": 0,
                                                   "timestamp": "2026-11-24T01:00:00Z"})
            await wire.call("TransactionEvent", event("Started", 0, "2026-11-24T01:00:00Z",
                                                      meterValue=energy(0, "2026-11-24T01:00:00Z")))
            assert await updater.run_once() == 0  # not due yet
            clock.now += timedelta(seconds=600)
            due = await csms.runtime.services.costs.due(["CP-R", "CP-R16"], 600)
            assert [station for _, station, _ in due] == ["CP-R"]  # 1.6 has no CostUpdated
            refused = asyncio.create_task(updater.run_once())
            uid, _ = await expect_call(ws, "CostUpdated")
            await ws.send(json.dumps([4, uid, "InternalError", "display broken", {}]))
            assert await refused == 0
            again = asyncio.create_task(updater.run_once())  # not marked sent: due at once
            uid, payload = await expect_call(ws, "CostUpdated")
            await answer(ws, uid, {})
            assert await again == 1 and payload == {"totalCost": 0.0, "transactionId": "TX-1"}
            assert await updater.run_once() == 0  # sent: the next is an interval away


async def test_a_16_sessions_final_cost_is_stored_as_it_stops_and_a_later_tariff_edit_changes_nothing(
    csms: Csms,
) -> None:
    await csms.station("CP16-F")
    await csms.runtime.services.tokens.create("CARD-F")
    body = {"name": "flat", "definition": FLAT, "station_ids": ["CP16-F"]}
    tariff = (await csms.api.post("/api/v1/tariffs", headers=csms.headers, json=body)).json()
    async with csms.connect("CP16-F", "ocpp1.6") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"})
        start = await wire.call("StartTransaction", {"connectorId": 1, "idTag": "CARD-F", "meterStart": 0,
                                                     "timestamp": "2026-11-24T01:00:00Z"})
        tx_id = start[2]["transactionId"]
        await wire.call("StopTransaction", {"transactionId": tx_id, "meterStop": 2000,
                                            "timestamp": "2026-11-24T02:00:00Z"})
    stored = None
    for _ in range(500):  # the SessionEnded subscriber stores it behind the StopTransaction answer
        async with csms.runtime.services.uow.read() as session:
            stored = await session.get(TransactionCost, tx_id)
        if stored is not None:
            break
        await asyncio.sleep(0.01)
    assert stored is not None and (stored.final, stored.total_cost) == (True, 3.0)
    await csms.api.put(f"/api/v1/tariffs/{tariff['id']}", headers=csms.headers, json={
        "name": "flat", "definition": {**FLAT, "service_fee_cny_per_kwh": 5.0}, "station_ids": ["CP16-F"]})
    cost = (await csms.api.get(f"/api/v1/transactions/{tx_id}/cost", headers=csms.headers)).json()
    assert (cost["total_cost"], cost["final"]) == (3.0, True)


TWO_PRICES = {
    "name": "tou-2", "currency": "CNY", "prices_cny_per_kwh": {"day": 1.2, "night": 0.4, "dusk": 1.2},
    "rules": [{"period": "night", "start": "00:00", "end": "08:00"},
              {"period": "day", "start": "08:00", "end": "18:00"},
              {"period": "dusk", "start": "18:00", "end": "24:00"}],
    "utc_offset_hours": 0,
}
"""Night 0.40 until 08:00 UTC, then 1.20 (day, and dusk at the same price)."""


@pytest.mark.ocpp("2.0.1", "I06")
async def test_a_new_price_in_force_is_told_in_the_next_transaction_event_answer(csms: Csms) -> None:
    await csms.station("CP-U")
    body = {"name": "tou", "definition": TWO_PRICES, "station_ids": ["CP-U"]}
    tariff = (await csms.api.post("/api/v1/tariffs", headers=csms.headers, json=body)).json()
    async with csms.connect("CP-U", "ocpp2.0.1") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT)
        started = await wire.call("TransactionEvent", event("Started", 0, "2026-11-24T07:30:00Z",
                                                            meterValue=energy(0, "2026-11-24T07:30:00Z")))
        assert started[2] == {}  # the driver read the tariff when authorised (I01): nothing new yet
        same = await wire.call("TransactionEvent", event("Updated", 1, "2026-11-24T07:50:00Z"))
        assert same[2] == {}
        # The operator edits the tariff: the session keeps the tariff pinned at its start, so nothing to tell.
        edited = {**TWO_PRICES, "prices_cny_per_kwh": {"day": 9.0, "night": 9.0, "dusk": 9.0}}
        r = await csms.api.put(f"/api/v1/tariffs/{tariff['id']}", headers=csms.headers,
                               json={"name": "tou", "definition": edited, "station_ids": ["CP-U"]})
        assert r.status_code == 200
        assert (await wire.call("TransactionEvent", event("Updated", 2, "2026-11-24T07:55:00Z")))[2] == {}
        # 08:00: the day price is in force; the next answer says so once (I06.FR.02)
        day = await wire.call("TransactionEvent", event("Updated", 3, "2026-11-24T08:05:00Z",
                                                        meterValue=energy(1000, "2026-11-24T08:05:00Z")))
        assert day[2] == {"updatedPersonalMessage": {
            "format": "UTF8", "content": "tou-2: now day 1.2000 CNY/kWh"}}
        assert (await wire.call("TransactionEvent", event("Updated", 4, "2026-11-24T09:00:00Z")))[2] == {}
        # 18:00: another period at the same price is nothing new; an event sent offline tells nothing
        dusk = event("Updated", 5, "2026-11-24T18:30:00Z")
        assert (await wire.call("TransactionEvent", dusk))[2] == {}
        queued = event("Updated", 6, "2026-11-25T01:00:00Z", offline=True)
        assert "updatedPersonalMessage" not in (await wire.call("TransactionEvent", queued))[2]
        ended = await wire.call("TransactionEvent", event("Ended", 7, "2026-11-25T02:00:00Z",
                                                          meterValue=energy(2000, "2026-11-25T02:00:00Z")))
        assert "updatedPersonalMessage" not in ended[2] and "totalCost" in ended[2]
    tx = (await csms.api.get("/api/v1/transactions", headers=csms.headers)).json()["items"][0]
    cost = (await csms.api.get(f"/api/v1/transactions/{tx['id']}/cost", headers=csms.headers)).json()
    assert cost["tariff_name"] == "tou-2" and cost["total_cost"] < 9.0 * 2  # the pinned prices, not the edit


@pytest.mark.ocpp("2.0.1", "I06")
async def test_a_session_whose_tariff_was_pinned_elsewhere_is_told_from_its_first_event(csms: Csms) -> None:
    await csms.station("CP-V")
    await csms.api.post("/api/v1/tariffs", headers=csms.headers,
                        json={"name": "tou", "definition": TWO_PRICES, "station_ids": ["CP-V"]})
    async with csms.connect("CP-V", "ocpp2.0.1") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT)
        # Queued offline: nothing told, nothing noted; the first live event notes the period in force.
        assert (await wire.call("TransactionEvent", event("Started", 0, "2026-11-24T07:00:00Z",
                                                          offline=True)))[2] == {}
        tx = (await csms.api.get("/api/v1/transactions", headers=csms.headers)).json()["items"][0]
        assert (await csms.api.get(f"/api/v1/transactions/{tx['id']}/cost", headers=csms.headers)).json()[
            "tariff_name"] == "tou-2"  # costed (and pinned) by the API, no period noted yet
        assert (await wire.call("TransactionEvent", event("Updated", 1, "2026-11-24T07:59:00Z")))[2] == {}
        moved = await wire.call("TransactionEvent", event("Updated", 2, "2026-11-24T08:00:00Z"))
        assert moved[2]["updatedPersonalMessage"]["content"] == "tou-2: now day 1.2000 CNY/kWh"


def set_variables_answer(refuse: str | None = None) -> Any:
    def answer_(p: dict[str, Any]) -> dict[str, Any]:
        return {"setVariableResult": [
            {"attributeStatus": "Rejected" if d["variable"]["name"] == refuse else "Accepted",
             "component": d["component"], "variable": d["variable"]}
            for d in p["setVariableData"]
        ]}  # fmt: skip

    return answer_


@pytest.mark.ocpp("2.0.1", "I04")
@pytest.mark.ocpp("2.0.1", "I05")
async def test_the_tariff_text_and_the_total_cost_fallback_are_published_to_the_stations(csms: Csms) -> None:
    for station in ("CP-P1", "CP-P2", "CP-P16", "CP-OTHER"):
        await csms.station(station)
    body = {"name": "flat", "definition": FLAT, "station_ids": ["CP-P1", "CP-P2", "CP-P16"]}
    tariff = (await csms.api.post("/api/v1/tariffs", headers=csms.headers, json=body)).json()
    answers = {"GetVariables": {"getVariableResult": []}, "SetVariables": set_variables_answer()}
    no_currency = {**answers, "SetVariables": set_variables_answer(refuse="Currency")}
    async with (
        csms.connect("CP-P1", "ocpp2.0.1") as ws1, duplex(ws1, answers) as st1,
        csms.connect("CP-P2", "ocpp2.0.1") as ws2, duplex(ws2, no_currency) as st2,
        csms.connect("CP-P16", "ocpp1.6") as ws16, duplex(ws16) as st16,
        csms.connect("CP-OTHER", "ocpp2.0.1") as wso, duplex(wso, answers) as sto,
    ):
        await st1.call("BootNotification", BOOT)
        await st2.call("BootNotification", BOOT)
        await st16.call("BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"})
        await sto.call("BootNotification", BOOT)
        r = await csms.api.post("/api/v1/stations/CP-P1/tariff/publish", headers=csms.headers,
                                json={"total_cost_message": "您的费用将以短信发送 / cost sent by SMS"})
        assert r.status_code == 200, r.text
        assert (r.json()["outcome"], r.json()["tariff_id"]) == ("Accepted", tariff["id"])
        component = {"name": "TariffCostCtrlr"}
        assert st1.sent("SetVariables") == [{"setVariableData": [
            {"component": component, "variable": {"name": "TariffFallbackMessage"},
             "attributeValue": "flat-1: 1.0000-1.0000 CNY/kWh + 0.5000 CNY/kWh service"},
            {"component": component, "variable": {"name": "Currency"}, "attributeValue": "CNY"},
            {"component": component, "variable": {"name": "TotalCostFallbackMessage"},
             "attributeValue": "您的费用将以短信发送 / cost sent by SMS"},
        ]}]  # fmt: skip

        # the operator changes the tariff's prices and publishes it: each 2.0.1 station under it gets them
        changed = {**FLAT, "prices_cny_per_kwh": {"all": 2.0}}
        await csms.api.put(f"/api/v1/tariffs/{tariff['id']}", headers=csms.headers,
                           json={**body, "definition": changed})
        r = await csms.api.post(f"/api/v1/tariffs/{tariff['id']}/publish", headers=csms.headers)
        assert r.status_code == 200, r.text
        # 1.6 has no such variables; CP-OTHER charges under another tariff
        outcomes = [(p["station_id"], p["outcome"]) for p in r.json()]
        assert outcomes == [("CP-P1", "Accepted"), ("CP-P2", "Rejected")]
        assert r.json()[1]["results"][1]["attributeStatus"] == "Rejected"
        assert st1.sent("SetVariables")[1]["setVariableData"][0]["attributeValue"].startswith(
            "flat-1: 2.0000-2.0000 CNY/kWh")
        assert len(st1.sent("SetVariables")[1]["setVariableData"]) == 2  # no total-cost message this time
        assert sto.sent("SetVariables") == [] and st16.received == []

        r = await csms.api.post("/api/v1/stations/CP-P16/tariff/publish", headers=csms.headers)
        assert r.status_code == 422
    r = await csms.api.post("/api/v1/stations/CP-P1/tariff/publish", headers=csms.headers)
    assert r.status_code == 409
    assert (await csms.api.post("/api/v1/tariffs/999/publish", headers=csms.headers)).status_code == 404
