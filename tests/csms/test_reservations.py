"""Reservations (block H) on both OCPP versions over real sockets: reserve from the API, the station's
answers, cancel, expiry by the injected clock, ReservationStatusUpdate (2.0.1), and a transaction using
the reservation (1.6 StartTransaction, 2.0.1 TransactionEvent)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from csms.config import Settings
from tests.csms.duplex import duplex
from tests.harness import Csms, running_csms

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
BOOT201 = {"chargingStation": {"model": "AC22", "vendorName": "Star"}, "reason": "PowerUp"}
BOOT16 = {"chargePointVendor": "V", "chargePointModel": "M"}


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def csms(csms_settings: Settings, clock: Clock) -> AsyncIterator[Csms]:
    async with running_csms(csms_settings, clock) as running:
        yield running


def at(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


async def reserve(csms: Csms, station: str, **body: object) -> dict:
    r = await csms.api.post(
        "/api/v1/reservations",
        json={"station_id": station, "id_token": "CARD", "expires_at": at(30), **body},
        headers=csms.headers,
    )
    assert r.status_code == 201, r.text
    return r.json()


@pytest.mark.ocpp("2.0.1", "H01")
@pytest.mark.ocpp("2.0.1", "H02")
@pytest.mark.ocpp("2.0.1", "H03")
@pytest.mark.ocpp("2.0.1", "H04")
async def test_v201_reserve_cancel_update_and_use(csms: Csms) -> None:
    h = csms.headers
    await csms.station("CP2")
    await csms.runtime.services.tokens.create("CARD")
    answers = {"ReserveNow": {"status": "Accepted"}, "CancelReservation": {"status": "Accepted"}}
    async with csms.connect("CP2", "ocpp2.0.1") as ws, duplex(ws, answers) as st:
        await st.call("BootNotification", BOOT201)
        first = await reserve(csms, "CP2", evse_id=1, connector_type="cType2", group_id_token="FLEET")
        assert (first["status"], first["station_answer"], first["ocpp_version"]) == (
            "Active",
            "Accepted",
            "2.0.1",
        )
        assert st.sent("ReserveNow") == [{
            "id": first["id"], "expiryDateTime": "2026-11-24T08:30:00.000Z",
            "idToken": {"idToken": "CARD", "type": "ISO14443"}, "evseId": 1, "connectorType": "cType2",
            "groupIdToken": {"idToken": "FLEET", "type": "Central"},
        }]  # fmt: skip

        # H02: cancelled once the station accepts; a reservation cannot end twice
        r = await csms.api.post(f"/api/v1/reservations/{first['id']}/cancel", headers=h)
        assert r.status_code == 200 and r.json()["status"] == "Cancelled"
        assert st.sent("CancelReservation") == [{"reservationId": first["id"]}]
        assert (
            await csms.api.post(f"/api/v1/reservations/{first['id']}/cancel", headers=h)
        ).status_code == 409

        # refused by the station: stored with its answer
        st.answers["ReserveNow"] = {"status": "Occupied"}
        refused = await reserve(csms, "CP2", evse_id=1)
        assert (refused["status"], refused["station_answer"]) == ("Refused", "Occupied")
        st.answers["ReserveNow"] = {"status": "Accepted"}

        # H04: the station removes it (ReservationStatusUpdate); unknown ids are answered and change nothing
        removed = await reserve(csms, "CP2")
        update = {"reservationId": removed["id"], "reservationUpdateStatus": "Removed"}
        assert await st.call("ReservationStatusUpdate", update) == [3, st.last_id, {}]
        assert (await st.call("ReservationStatusUpdate", update | {"reservationId": 999_999}))[0] == 3
        bad = await st.call("ReservationStatusUpdate", update | {"reservationUpdateStatus": "Gone"})
        assert bad[0] == 4 and bad[2] in ("PropertyConstraintViolation", "FormatViolation")
        got = (await csms.api.get(f"/api/v1/reservations/{removed['id']}", headers=h)).json()
        assert (got["status"], got["ended_at"]) == ("Removed", "2026-11-24T08:00:00Z")

        # H03: a transaction started on the reservation uses it
        used = await reserve(csms, "CP2", evse_id=1)
        started = {
            "eventType": "Started", "timestamp": at(5), "triggerReason": "Authorized", "seqNo": 0,
            "transactionInfo": {"transactionId": "TX-R"}, "evse": {"id": 1, "connectorId": 1},
            "idToken": {"idToken": "CARD", "type": "ISO14443"}, "reservationId": used["id"],
        }  # fmt: skip
        assert (await st.call("TransactionEvent", started))[0] == 3
        tx = (await csms.api.get("/api/v1/transactions", headers=h)).json()["items"][0]
        got = (await csms.api.get(f"/api/v1/reservations/{used['id']}", headers=h)).json()
        assert (got["status"], got["transaction_id"]) == ("Used", tx["id"])

    listed = (await csms.api.get("/api/v1/stations/CP2/reservations", headers=h)).json()
    assert [x["status"] for x in listed] == ["Used", "Removed", "Refused", "Cancelled"]
    active = (await csms.api.get("/api/v1/reservations", params={"status": "Active"}, headers=h)).json()
    assert active == []


@pytest.mark.ocpp("1.6", "TC_046", "Reservation")
@pytest.mark.ocpp("1.6", "TC_047", "Reservation")
@pytest.mark.ocpp("1.6", "TC_048_3", "Reservation")
@pytest.mark.ocpp("1.6", "TC_049", "Reservation")
@pytest.mark.ocpp("1.6", "TC_051", "Reservation")
@pytest.mark.ocpp("1.6", "TC_052", "Reservation")
async def test_v16_reserve_expire_cancel_and_use(csms: Csms, clock: Clock) -> None:
    h = csms.headers
    await csms.station("CP1")
    await csms.runtime.services.tokens.create("CARD")
    answers = {"ReserveNow": {"status": "Accepted"}, "CancelReservation": {"status": "Rejected"}}
    async with csms.connect("CP1", "ocpp1.6") as ws, duplex(ws, answers) as st:
        await st.call("BootNotification", BOOT16)
        # TC_049: any connector (0), with the group as parentIdTag
        anyc = await reserve(csms, "CP1", group_id_token="PARENT")
        assert st.sent("ReserveNow")[-1] == {
            "connectorId": 0, "expiryDate": "2026-11-24T08:30:00.000Z", "idTag": "CARD",
            "parentIdTag": "PARENT", "reservationId": anyc["id"],
        }  # fmt: skip

        # TC_052: the station rejects the cancel: 409, the reservation stays active
        r = await csms.api.post(f"/api/v1/reservations/{anyc['id']}/cancel", headers=h)
        assert r.status_code == 409
        assert (await csms.api.get(f"/api/v1/reservations/{anyc['id']}", headers=h)).json()[
            "status"
        ] == "Active"
        # TC_051
        st.answers["CancelReservation"] = {"status": "Accepted"}
        r = await csms.api.post(f"/api/v1/reservations/{anyc['id']}/cancel", headers=h)
        assert r.json()["status"] == "Cancelled"

        # TC_048: the station cannot reserve (Faulted, Occupied, Unavailable): stored refused, with its answer
        st.answers["ReserveNow"] = {"status": "Unavailable"}
        refused = await reserve(csms, "CP1", evse_id=2)
        assert (refused["status"], refused["station_answer"], refused["ended_at"]) == (
            "Refused",
            "Unavailable",
            None,
        )
        st.answers["ReserveNow"] = {"status": "Accepted"}

        # TC_047: not used in time: expired at its expiry date by the CSMS's clock
        late = await reserve(csms, "CP1", evse_id=2, expires_at=at(10))
        clock.now = T0 + timedelta(minutes=9)
        assert (await csms.api.get(f"/api/v1/reservations/{late['id']}", headers=h)).json()[
            "status"
        ] == "Active"
        clock.now = T0 + timedelta(minutes=11)
        got = (await csms.api.get(f"/api/v1/reservations/{late['id']}", headers=h)).json()
        assert (got["status"], got["ended_at"]) == ("Expired", "2026-11-24T08:10:00Z")
        assert (
            await csms.api.post(f"/api/v1/reservations/{late['id']}/cancel", headers=h)
        ).status_code == 409

        # TC_046: StartTransaction with the reservationId ends it as used, by that transaction
        used = await reserve(csms, "CP1", evse_id=1, expires_at=at(60))
        start = {"connectorId": 1, "idTag": "CARD", "meterStart": 0, "timestamp": at(12),
                 "reservationId": used["id"]}  # fmt: skip
        answer = await st.call("StartTransaction", start)
        got = (await csms.api.get(f"/api/v1/reservations/{used['id']}", headers=h)).json()
        assert (got["status"], got["transaction_id"]) == ("Used", answer[2]["transactionId"])


async def test_bad_reservations_are_refused_by_field_and_never_stored(csms: Csms) -> None:
    h = csms.headers
    await csms.station("CP1")
    post = lambda **b: csms.api.post("/api/v1/reservations", json=b, headers=h)  # noqa: E731
    r = await post(station_id="CP1", id_token="CARD", expires_at=at(-1))
    assert (r.status_code, r.json()["field"]) == (422, "expires_at")
    r = await post(station_id="CP1", expires_at=at(30))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "id_token"]
    r = await post(station_id="CP1", id_token="CARD", expires_at="2026-11-24T09:00:00")  # no offset
    assert r.status_code == 422
    assert (await post(station_id="NOPE", id_token="CARD", expires_at=at(30))).status_code == 404
    assert (await post(station_id="CP1", id_token="CARD", expires_at=at(30))).status_code == 409  # offline
    async with csms.connect("CP1", "ocpp1.6") as ws, duplex(ws, {"ReserveNow": {"status": "Accepted"}}) as st:
        await st.call("BootNotification", BOOT16)
        r = await post(station_id="CP1", id_token="CARD", expires_at=at(30), connector_type="cType2")
        assert (r.status_code, r.json()["field"]) == (422, "connector_type")
        assert st.sent("ReserveNow") == []
    assert (await csms.api.get("/api/v1/reservations", headers=h)).json() == []
    assert (await csms.api.get("/api/v1/reservations/5", headers=h)).status_code == 404
