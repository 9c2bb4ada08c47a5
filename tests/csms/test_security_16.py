"""The OCPP 1.6 security extension (whitepaper edition 2) over a real socket: the station's security
messages are checked against their schemas and kept; the CSMS-side commands go out as typed API commands."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from tests.harness import Csms, Wire

BOOT = {"chargePointVendor": "V", "chargePointModel": "M"}
HASH = {
    "hashAlgorithm": "SHA256",
    "issuerNameHash": "ab" * 32,
    "issuerKeyHash": "cd" * 32,
    "serialNumber": "1f",
}


async def _station(csms: Csms) -> Any:
    await csms.station("SEC-16")
    ws = await csms.connect("SEC-16", "ocpp1.6").__aenter__()
    await Wire(ws).call("BootNotification", BOOT)
    return ws


async def _kept(csms: Csms, action: str) -> list[dict[str, Any]]:
    response = await csms.api.get(
        "/api/v1/stations/SEC-16/messages", headers=csms.headers, params={"action": action}
    )
    return [m["payload"] for m in response.json()]


def _case(name: str) -> Any:
    """1.6 security cases are named by message here: the OCTT test case numbers are to be mapped."""
    return pytest.mark.ocpp("1.6", name, "Security")


@pytest.mark.parametrize(
    ("action", "payload"),
    [
        pytest.param(
            "SecurityEventNotification",
            {
                "type": "InvalidCentralSystemCertificate",
                "timestamp": "2026-12-02T10:00:00Z",
                "techInfo": "chain does not verify",
            },
            marks=_case("SecurityEventNotification"),
        ),
        pytest.param(
            "LogStatusNotification",
            {"status": "Uploaded", "requestId": 7},
            marks=_case("LogStatusNotification"),
        ),
        pytest.param(
            "SignedFirmwareStatusNotification",
            {"status": "SignatureVerified", "requestId": 8},
            marks=_case("SignedFirmwareStatusNotification"),
        ),
    ],
)
async def test_security_messages_are_answered_and_kept(
    csms: Csms, action: str, payload: dict[str, Any]
) -> None:
    ws = await _station(csms)
    frame = await Wire(ws).call(action, payload)
    await ws.close()
    assert frame[0] == 3 and frame[2] == {}
    assert await _kept(csms, action) == [payload]


@pytest.mark.parametrize(
    ("action", "payload", "code"),
    [
        ("SecurityEventNotification", {"type": "X"}, "OccurenceConstraintViolation"),  # no timestamp
        ("LogStatusNotification", {"status": "Sleeping"}, "PropertyConstraintViolation"),
        (
            "SignedFirmwareStatusNotification",
            {"status": "Installed", "requestId": "8"},
            "TypeConstraintViolation",
        ),
    ],
)
async def test_a_malformed_security_message_gets_its_callerror_and_is_not_kept(
    csms: Csms, action: str, payload: dict[str, Any], code: str
) -> None:
    ws = await _station(csms)
    frame = await Wire(ws).call(action, payload)
    await ws.close()
    assert frame[0] == 4 and frame[2] == code
    assert await _kept(csms, action) == []


async def _command(
    csms: Csms, ws: Any, command: str, body: dict[str, Any], reply: dict[str, Any]
) -> tuple[list[Any], Any]:
    sent = asyncio.create_task(
        csms.api.post(f"/api/v1/stations/SEC-16/commands/{command}", headers=csms.headers, json=body)
    )
    call = json.loads(await ws.recv())
    await ws.send(json.dumps([3, call[1], reply]))
    return call, await sent


@_case("InstallCertificate")
@_case("GetInstalledCertificateIds")
@_case("DeleteCertificate")
async def test_install_list_and_delete_certificates(csms: Csms) -> None:
    ws = await _station(csms)
    pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    call, response = await _command(
        csms,
        ws,
        "install-certificate",
        {"certificate_type": "CSMSRootCertificate", "certificate": pem},
        {"status": "Accepted"},
    )
    # the neutral name is spelled the 1.6 way on the wire
    assert call[2:] == [
        "InstallCertificate",
        {"certificateType": "CentralSystemRootCertificate", "certificate": pem},
    ]
    assert response.json()["response"] == {"status": "Accepted"}
    call, response = await _command(
        csms,
        ws,
        "get-installed-certificate-ids",
        {"certificate_type": "CentralSystemRootCertificate"},
        {"status": "Accepted", "certificateHashData": [HASH]},
    )
    assert call[2:] == ["GetInstalledCertificateIds", {"certificateType": "CentralSystemRootCertificate"}]
    assert response.json()["response"]["certificateHashData"] == [HASH]
    call, response = await _command(
        csms, ws, "delete-certificate", {"certificate_hash_data": HASH}, {"status": "Accepted"}
    )
    assert call[2:] == ["DeleteCertificate", {"certificateHashData": HASH}]
    await ws.close()


@_case("GetLog")
async def test_get_security_log(csms: Csms) -> None:
    ws = await _station(csms)
    call, response = await _command(
        csms,
        ws,
        "get-log",
        {"log_type": "SecurityLog", "location": "ftp://logs.example/up", "retries": 2},
        {"status": "Accepted", "filename": "sec.log"},
    )
    await ws.close()
    assert call[2] == "GetLog"
    assert {k: call[3][k] for k in ("logType", "log", "retries")} == {
        "logType": "SecurityLog",
        "log": {"remoteLocation": "ftp://logs.example/up"},
        "retries": 2,
    }
    assert isinstance(call[3]["requestId"], int)


@_case("SignedUpdateFirmware")
async def test_signed_update_firmware(csms: Csms) -> None:
    ws = await _station(csms)
    body = {
        "location": "https://fw.example/fw-2.bin",
        "retrieve_date_time": "2026-12-03T02:00:00Z",
        "signing_certificate": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        "signature": "c2lnbmF0dXJl",
    }
    call, response = await _command(csms, ws, "signed-update-firmware", body, {"status": "Accepted"})
    await ws.close()
    assert call[2] == "SignedUpdateFirmware"
    assert call[3]["firmware"] == {
        "location": body["location"],
        "retrieveDateTime": "2026-12-03T02:00:00Z",
        "signingCertificate": body["signing_certificate"],
        "signature": "c2lnbmF0dXJl",
    }
    assert response.json()["response"] == {"status": "Accepted"}


@_case("ExtendedTriggerMessage")
async def test_extended_trigger_message(csms: Csms) -> None:
    ws = await _station(csms)
    call, response = await _command(
        csms,
        ws,
        "extended-trigger-message",
        {"requested_message": "SignChargePointCertificate"},
        {"status": "Accepted"},
    )
    await ws.close()
    assert call[2:] == ["ExtendedTriggerMessage", {"requestedMessage": "SignChargePointCertificate"}]
    assert response.json()["response"] == {"status": "Accepted"}


async def test_a_16_command_with_a_wrong_value_is_refused_before_sending(csms: Csms) -> None:
    ws = await _station(csms)
    response = await csms.api.post(
        "/api/v1/stations/SEC-16/commands/extended-trigger-message",
        headers=csms.headers,
        json={"requested_message": "Coffee"},
    )
    # refused by the TriggerMessage rules (F06) before the schema: 422 naming the value either way
    assert response.status_code == 422 and "Coffee" in response.text, response.text
    response = await csms.api.post(
        "/api/v1/stations/SEC-16/commands/install-certificate",
        headers=csms.headers,
        json={"certificate_type": "V2GRootCertificate", "certificate": "x"},
    )
    assert response.status_code == 422  # no V2G roots in 1.6
    await ws.close()
