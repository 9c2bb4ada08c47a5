"""Customer information (OCPP 2.0.1 N09 report, N10 clear) over real sockets: the request with an issued id,
the NotifyCustomerInformation parts collected by seqNo, and a clear that erases the customer's id token
from the CSMS's own tables too (:class:`csms.services.customer_data.CustomerDataService`, tested directly
as well)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from csms.config import Settings
from csms.db.models import IdToken, Transaction
from csms.db.models_reservations import Reservation
from csms.services.customer_data import CustomerDataService
from tests.csms.duplex import duplex
from tests.harness import Csms, running_csms

T0 = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
BOOT = {"chargingStation": {"model": "AC22", "vendorName": "Star"}, "reason": "PowerUp"}
URL = "/api/v1/stations/CP-C/customer-information"


@pytest.fixture
async def csms(csms_settings: Settings) -> AsyncIterator[Csms]:
    async with running_csms(csms_settings, lambda: T0) as running:
        yield running


def part(request_id: int, seq: int, tbc: bool, data: str) -> dict[str, Any]:
    return {"requestId": request_id, "seqNo": seq, "tbc": tbc, "data": data,
            "generatedAt": "2026-12-03T08:00:00Z"}  # fmt: skip


def tx_event(kind: str, seq: int, uid: str, token: str | None = None, evse: int = 1) -> dict[str, Any]:
    p: dict[str, Any] = {
        "eventType": kind, "timestamp": "2026-12-03T07:00:00Z", "triggerReason": "Authorized", "seqNo": seq,
        "transactionInfo": {"transactionId": uid}, "evse": {"id": evse},
    }  # fmt: skip
    if token:
        p["idToken"] = {"idToken": token, "type": "ISO14443"}
    return p


@pytest.mark.ocpp("2.0.1", "N09")
async def test_a_report_is_collected_by_sequence_number(csms: Csms) -> None:
    await csms.station("CP-C")
    answers = {"CustomerInformation": {"status": "Accepted"}}
    async with csms.connect("CP-C", "ocpp2.0.1") as ws, duplex(ws, answers) as st:
        await st.call("BootNotification", BOOT)
        r = await csms.api.post(URL, headers=csms.headers, json={"customer_identifier": "cust-42"})
        assert r.status_code == 202, r.text
        request = r.json()
        rid = request["request_id"]
        assert (request["status"], request["report"], request["clear"], request["completed_at"]) == (
            "Accepted", True, False, None
        )
        assert st.sent("CustomerInformation") == [
            {"requestId": rid, "report": True, "clear": False, "customerIdentifier": "cust-42"}
        ]
        # out of order, and a repeat of part 0 (a retry after a lost answer) counts once
        for p in (part(rid, 1, True, "sessions: 3; "), part(rid, 0, True, "card CARD-9; "),
                  part(rid, 0, True, "card CARD-9; "), part(rid, 2, False, "cache: 1 entry")):
            assert (await st.call("NotifyCustomerInformation", p))[2] == {}
        got = (await csms.api.get(f"{URL}/{rid}", headers=csms.headers)).json()
        assert got["text"] == "card CARD-9; sessions: 3; cache: 1 entry"
        assert (got["complete"], got["missing"], [x["seq_no"] for x in got["parts"]]) == (True, [], [0, 1, 2])
        assert got["request"]["completed_at"] == "2026-12-03T08:00:00Z"

        # a part of a request the CSMS did not send is kept too, and shown without a request
        await st.call("NotifyCustomerInformation", part(777777, 1, False, "tail"))
        stray = (await csms.api.get(f"{URL}/777777", headers=csms.headers)).json()
        assert (stray["request"], stray["complete"], stray["missing"]) == (None, False, [0])

        by_cert = {"report": True, "customer_certificate": {
            "hash_algorithm": "SHA256", "issuer_name_hash": "aa", "issuer_key_hash": "bb",
            "serial_number": "01"}}  # fmt: skip
        r = await csms.api.post(URL, headers=csms.headers, json=by_cert)
        assert st.sent("CustomerInformation")[-1]["customerCertificate"] == {
            "hashAlgorithm": "SHA256", "issuerNameHash": "aa", "issuerKeyHash": "bb", "serialNumber": "01"
        }
        listed = (await csms.api.get(URL, headers=csms.headers)).json()
        assert [x["request_id"] for x in listed] == [r.json()["request_id"], rid]

    # refused: no customer, two customers, neither report nor clear; personal data is for operators only
    for body in ({}, {"customer_identifier": "a", "id_token": {"id_token": "B"}},
                 {"customer_identifier": "a", "report": False}):
        assert (await csms.api.post(URL, headers=csms.headers, json=body)).status_code == 422, body
    viewer = await csms.token("viewer")
    assert (await csms.api.get(f"{URL}/{rid}", headers=viewer)).status_code == 403
    assert (await csms.api.get("/api/v1/stations/CP-C/monitors", headers=viewer)).status_code == 200
    assert (await csms.api.get(f"{URL}/123456", headers=csms.headers)).status_code == 404


@pytest.mark.ocpp("2.0.1", "N10")
async def test_clearing_a_customer_erases_their_id_token_in_the_csms_too(csms: Csms) -> None:
    h = csms.headers
    await csms.station("CP-C")
    tokens = csms.runtime.services.tokens
    await tokens.create("CARD-9")
    await tokens.create("CARD-OTHER")
    answers = {"CustomerInformation": lambda p: {"status": "Rejected" if p["report"] else "Accepted"},
               "ReserveNow": {"status": "Accepted"}}
    async with csms.connect("CP-C", "ocpp2.0.1") as ws, duplex(ws, answers) as st:
        await st.call("BootNotification", BOOT)
        await st.call("TransactionEvent", tx_event("Started", 0, "TX-1", "CARD-9"))
        await st.call("TransactionEvent", tx_event("Ended", 1, "TX-1"))
        await st.call("TransactionEvent", tx_event("Started", 0, "TX-2", "CARD-OTHER", evse=2))
        r = await csms.api.post("/api/v1/reservations", headers=h, json={
            "station_id": "CP-C", "id_token": "CARD-9", "expires_at": (T0 + timedelta(hours=1)).isoformat()})
        assert r.status_code == 201, r.text
        # an earlier report about the customer, with its parts
        earlier = await csms.runtime.services.customer_information.request(
            "CP-C", report=True, clear=False, customer_identifier="x"
        )
        await st.call("NotifyCustomerInformation", part(earlier.request_id, 0, False, "someone"))

        # the station refuses: nothing is erased
        token = {"id_token": "CARD-9", "type": "ISO14443"}
        refused = await csms.api.post(URL, headers=h, json={"report": True, "clear": True, "id_token": token})
        assert (refused.json()["status"], refused.json()["local_erasure"]) == ("Rejected", None)
        assert (await csms.api.get("/api/v1/id-tokens/CARD-9", headers=h)).status_code == 200
        seen = await csms.runtime.services.customer_information.request(
            "CP-C", report=True, clear=False, id_token={"idToken": "CARD-9", "type": "ISO14443"}
        )  # answered Rejected too, but its row names the token
        await st.call("NotifyCustomerInformation", part(seen.request_id, 0, False, "CARD-9: 1 session"))

        r = await csms.api.post(URL, headers=h, json={"report": False, "clear": True, "id_token": token})
        assert r.status_code == 202, r.text
        cleared = r.json()
        assert st.sent("CustomerInformation")[-1] == {
            "requestId": cleared["request_id"], "report": False, "clear": True,
            "idToken": {"idToken": "CARD-9", "type": "ISO14443"},
        }  # fmt: skip
        erased = cleared["local_erasure"]
        pseudonym = erased.pop("pseudonym")
        assert pseudonym.startswith("erased-") and "CARD-9" not in pseudonym
        assert erased == {
            "id_tokens": 1, "id_tokens.group_id_token": 0, "transactions.id_token": 1,
            "reservations.id_token": 1, "reservations.group_id_token": 0, "customer_information_requests": 3,
        }
        assert cleared["subject"] == {"idToken": {"idToken": pseudonym, "type": "ISO14443"}}

    assert (await csms.api.get("/api/v1/id-tokens/CARD-9", headers=h)).status_code == 404
    txs = (await csms.api.get("/api/v1/transactions", headers=h)).json()["items"]
    assert sorted(t["id_token"] for t in txs) == sorted(["CARD-OTHER", pseudonym])
    listed = (await csms.api.get(URL, headers=h)).json()
    assert "CARD-9" not in str(listed)
    assert (await csms.api.get(f"{URL}/{seen.request_id}", headers=h)).json()["parts"] == []  # its report
    assert (await csms.api.get(f"{URL}/{earlier.request_id}", headers=h)).json()["text"] == "someone"


async def test_erase_rewrites_every_table_that_names_the_token(csms: Csms) -> None:
    services = csms.runtime.services
    await csms.station("CP-X")
    await services.tokens.create("GROUP-1")
    await services.tokens.create("CARD-1", group_id_token="GROUP-1")
    async with services.uow() as session:
        session.add(Transaction(station_id="CP-X", uid="U1", evse_id=1, id_token="GROUP-1", started_at=T0))
        session.add(Reservation(
            id=5, station_id="CP-X", ocpp_version="2.0.1", id_token="CARD-1", group_id_token="GROUP-1",
            expires_at=T0, status="Active", created_at=T0, updated_at=T0,
        ))  # fmt: skip
    done = await CustomerDataService(services.uow, pseudonyms=lambda: "erased-test").erase("GROUP-1")
    assert done == {
        "pseudonym": "erased-test", "id_tokens": 1, "id_tokens.group_id_token": 1, "transactions.id_token": 1,
        "reservations.id_token": 0, "reservations.group_id_token": 1, "customer_information_requests": 0,
    }
    async with services.uow.read() as session:
        assert (await session.get_one(IdToken, "CARD-1")).group_id_token is None
        assert await session.get(IdToken, "GROUP-1") is None
        assert (await session.scalars(select(Transaction.id_token))).all() == ["erased-test"]
        row = await session.get_one(Reservation, 5)
        assert (row.id_token, row.group_id_token) == ("CARD-1", "erased-test")
    # an unknown token: nothing to erase, every count zero
    again = await CustomerDataService(services.uow, pseudonyms=lambda: "erased-2").erase("NOBODY")
    assert {k: v for k, v in again.items() if k != "pseudonym"} == dict.fromkeys(
        ["id_tokens", "id_tokens.group_id_token", "transactions.id_token", "reservations.id_token",
         "reservations.group_id_token", "customer_information_requests"], 0)  # fmt: skip
