"""ISO 15118 certificate management over real sockets (OCPP 2.0.1 block M, C07): GetCertificateStatus and
Authorize asked of a local OCSP responder, Get15118EVCertificate forwarded to a local provider, and the
certificate commands (InstallCertificate, GetInstalledCertificateIds, DeleteCertificate, GetLog)."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID
from sqlalchemy import select

from csms.db.models import StationMessage
from csms.ocpp_handlers.validation import V201_CODES, validate
from tests.harness import Csms, Wire, make_settings, running_csms
from tests.local_http import closed_port_url, contract_provider, hash_data, ocsp_responder, serving
from tests.pki import Issued, issue, make_ca

BOOT = {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V"}}
GOOD, REVOKED = ocsp.OCSPCertStatus.GOOD, ocsp.OCSPCertStatus.REVOKED


@pytest.fixture(scope="module")
def v2g() -> dict[str, Issued]:
    """A contract (MO) sub-CA and three contract certificates: good, revoked, and one it never heard of."""
    ca = make_ca("Test MO Sub-CA")
    return {"ca": ca, **{name: issue(ca, f"EMAID-{name}") for name in ("good", "revoked", "unknown")}}


@pytest.fixture
async def responder(v2g: dict[str, Issued]) -> AsyncIterator[tuple[str, list[int]]]:
    statuses = {
        v2g["good"].certificate.serial_number: GOOD,
        v2g["revoked"].certificate.serial_number: REVOKED,
    }
    asked: list[int] = []
    async with serving(ocsp_responder(v2g["ca"], statuses, asked)) as url:
        yield url + "/ocsp", asked


async def _booted(csms: Csms, station_id: str = "M-1") -> Any:
    await csms.station(station_id)
    ws = await csms.connect(station_id, "ocpp2.0.1").__aenter__()
    assert (await Wire(ws).call("BootNotification", BOOT))[2]["status"] == "Accepted"
    return ws


def _valid(action: str, answer: dict[str, Any]) -> dict[str, Any]:
    """``answer``, after checking it against the action's response schema (the station would refuse it)."""
    validate("2.0.1", action, answer, V201_CODES, response=True)
    return answer


def _data(v2g: dict[str, Issued], name: str, url: str | None) -> dict[str, Any]:
    return hash_data(v2g[name].certificate, v2g["ca"].certificate, url)


@pytest.mark.ocpp("2.0.1", "M06")
@pytest.mark.parametrize(
    ("name", "expected"), [("good", GOOD), ("revoked", REVOKED), ("unknown", ocsp.OCSPCertStatus.UNKNOWN)]
)
async def test_get_certificate_status_relays_the_responders_answer(
    csms: Csms,
    v2g: dict[str, Issued],
    responder: tuple[str, list[int]],
    name: str,
    expected: ocsp.OCSPCertStatus,
) -> None:
    url, asked = responder
    ws = await _booted(csms)
    answer = _valid(
        "GetCertificateStatus",
        (await Wire(ws).call("GetCertificateStatus", {"ocspRequestData": _data(v2g, name, url)}))[2],
    )
    await ws.close()
    assert answer["status"] == "Accepted"
    relayed = ocsp.load_der_ocsp_response(base64.b64decode(answer["ocspResult"]))
    assert relayed.certificate_status is expected
    assert relayed.serial_number == v2g[name].certificate.serial_number == asked[0]


@pytest.mark.ocpp("2.0.1", "M06")
async def test_a_responder_that_is_down_gives_failed_with_a_reason(
    csms: Csms, v2g: dict[str, Issued]
) -> None:
    ws = await _booted(csms)
    answer = (
        await Wire(ws).call(
            "GetCertificateStatus", {"ocspRequestData": _data(v2g, "good", closed_port_url())}
        )
    )[2]
    assert _valid("GetCertificateStatus", answer)["status"] == "Failed" and "ocspResult" not in answer
    assert answer["statusInfo"]["reasonCode"] == "OCSPUnavailable"
    assert "not reachable" in answer["statusInfo"]["additionalInfo"]
    # an empty URL in the request (it is required) and none configured: Failed too
    data = _data(v2g, "good", "")
    answer = _valid(
        "GetCertificateStatus", (await Wire(ws).call("GetCertificateStatus", {"ocspRequestData": data}))[2]
    )
    await ws.close()
    assert answer["status"] == "Failed" and "no OCSP responder" in answer["statusInfo"]["additionalInfo"]


@pytest.mark.ocpp("2.0.1", "M06")
async def test_with_station_responders_off_only_the_configured_one_is_asked(
    database_url: str, v2g: dict[str, Issued], responder: tuple[str, list[int]]
) -> None:
    url, asked = responder
    settings = make_settings(database_url, ocsp_responder_url=url, ocsp_station_responders=False)
    async with running_csms(settings) as csms:
        ws = await _booted(csms)
        data = _data(v2g, "revoked", closed_port_url())  # a URL of the station's choosing: not asked
        answer = (await Wire(ws).call("GetCertificateStatus", {"ocspRequestData": data}))[2]
        await ws.close()
    assert answer["status"] == "Accepted" and asked == [v2g["revoked"].certificate.serial_number]


@pytest.mark.ocpp("2.0.1", "M06")
async def test_the_configured_responder_is_asked_when_the_request_names_none(
    database_url: str, v2g: dict[str, Issued], responder: tuple[str, list[int]]
) -> None:
    url, asked = responder
    async with running_csms(make_settings(database_url, ocsp_responder_url=url)) as csms:
        ws = await _booted(csms)
        data = _data(v2g, "good", "")  # the station knows no responder: the configured one is asked
        answer = _valid(
            "GetCertificateStatus",
            (await Wire(ws).call("GetCertificateStatus", {"ocspRequestData": data}))[2],
        )
        await ws.close()
    assert answer["status"] == "Accepted" and asked == [v2g["good"].certificate.serial_number]


async def test_hashes_that_cannot_be_sha256_digests_get_a_callerror(
    csms: Csms, v2g: dict[str, Issued]
) -> None:
    ws = await _booted(csms)
    data = {**_data(v2g, "good", ""), "issuerKeyHash": "abcd"}
    frame = await Wire(ws).call("GetCertificateStatus", {"ocspRequestData": data})
    await ws.close()
    assert frame[0] == 4 and frame[2] == "PropertyConstraintViolation"
    assert frame[4] == {"field": "issuerKeyHash"}


@pytest.mark.ocpp("2.0.1", "C07")
@pytest.mark.parametrize(
    ("chain", "certificate_status", "token_status"),
    [
        (["good"], "Accepted", "Accepted"),
        (["good", "revoked"], "CertificateRevoked", "Invalid"),  # C07.FR.16
        (["unknown"], "CertChainError", "Invalid"),
    ],
)
async def test_authorize_checks_each_contract_certificate(
    csms: Csms,
    v2g: dict[str, Issued],
    responder: tuple[str, list[int]],
    chain: list[str],
    certificate_status: str,
    token_status: str,
) -> None:
    url, asked = responder
    await csms.api.post(
        "/api/v1/id-tokens", headers=csms.headers, json={"id_token": "EMAID-1", "type": "eMAID"}
    )
    ws = await _booted(csms)
    answer = (
        await Wire(ws).call(
            "Authorize",
            {
                "idToken": {"idToken": "EMAID-1", "type": "eMAID"},
                "iso15118CertificateHashData": [_data(v2g, name, url) for name in chain],
            },
        )
    )[2]
    await ws.close()
    assert _valid("Authorize", answer)["certificateStatus"] == certificate_status
    assert answer["idTokenInfo"]["status"] == token_status
    assert sorted(asked) == sorted(v2g[name].certificate.serial_number for name in chain)


@pytest.mark.ocpp("2.0.1", "C07")
async def test_authorize_with_the_responder_down_is_not_accepted(csms: Csms, v2g: dict[str, Issued]) -> None:
    await csms.api.post(
        "/api/v1/id-tokens", headers=csms.headers, json={"id_token": "EMAID-1", "type": "eMAID"}
    )
    ws = await _booted(csms)
    answer = (
        await Wire(ws).call(
            "Authorize",
            {
                "idToken": {"idToken": "EMAID-1", "type": "eMAID"},
                "iso15118CertificateHashData": [_data(v2g, "good", closed_port_url())],
            },
        )
    )[2]
    await ws.close()
    assert answer == {"idTokenInfo": {"status": "Invalid"}, "certificateStatus": "NoCertificateAvailable"}


# -- Get15118EVCertificate ------------------------------------------------------------------------------
EV_REQUEST = {
    "iso15118SchemaVersion": "urn:iso:15118:2:2013:MsgDef",
    "action": "Install",
    "exiRequest": base64.b64encode(b"exi certificate installation request").decode(),
}


@pytest.mark.ocpp("2.0.1", "M01")
@pytest.mark.ocpp("2.0.1", "M02")
async def test_an_ev_certificate_request_is_forwarded_to_the_provider(database_url: str) -> None:
    seen: list[dict[str, Any]] = []
    exi = base64.b64encode(b"exi certificate installation response").decode()
    provider = contract_provider(lambda _: {"status": "Accepted", "exiResponse": exi}, seen)
    async with (
        serving(provider) as url,
        running_csms(
            make_settings(database_url, contract_certificate_provider_url=url + "/contract-certificates")
        ) as csms,
    ):
        ws = await _booted(csms)
        answer = _valid(
            "Get15118EVCertificate", (await Wire(ws).call("Get15118EVCertificate", EV_REQUEST))[2]
        )
        update = (await Wire(ws).call("Get15118EVCertificate", {**EV_REQUEST, "action": "Update"}))[2]
        await ws.close()
    assert answer == {"status": "Accepted", "exiResponse": exi} and update == answer
    assert seen[0] == {"stationId": "M-1", **EV_REQUEST} and seen[1]["action"] == "Update"


@pytest.mark.ocpp("2.0.1", "M01")
async def test_without_a_provider_the_request_fails_with_a_reason(csms: Csms) -> None:
    ws = await _booted(csms)
    answer = _valid("Get15118EVCertificate", (await Wire(ws).call("Get15118EVCertificate", EV_REQUEST))[2])
    await ws.close()
    assert answer["status"] == "Failed" and answer["exiResponse"] == ""
    assert answer["statusInfo"]["reasonCode"] == "NoProvider"
    async with csms.runtime.services.uow.read() as session:
        kept = (
            await session.scalars(
                select(StationMessage.payload).where(StationMessage.action == "Get15118EVCertificate")
            )
        ).all()
    assert kept == [
        {
            "iso15118SchemaVersion": EV_REQUEST["iso15118SchemaVersion"],
            "action": "Install",
            "csmsAnswer": "Failed",
        }
    ]


async def test_a_provider_answer_that_is_not_valid_is_not_relayed(database_url: str) -> None:
    provider = contract_provider(lambda _: {"status": "Maybe"}, [])
    async with (
        serving(provider) as url,
        running_csms(
            make_settings(database_url, contract_certificate_provider_url=url + "/contract-certificates")
        ) as csms,
    ):
        ws = await _booted(csms)
        answer = _valid(
            "Get15118EVCertificate", (await Wire(ws).call("Get15118EVCertificate", EV_REQUEST))[2]
        )
        await ws.close()
    assert answer["status"] == "Failed" and answer["statusInfo"]["reasonCode"] == "ProviderError"


# -- certificate commands through the typed API ----------------------------------------------------------
async def _command(
    csms: Csms, ws: Any, command: str, body: dict[str, Any], reply: dict[str, Any]
) -> tuple[list[Any], Any]:
    """Send an operator command; return the CALL the station received and the API's response."""
    sent = asyncio.create_task(
        csms.api.post(f"/api/v1/stations/M-1/commands/{command}", headers=csms.headers, json=body)
    )
    call = json.loads(await ws.recv())
    await ws.send(json.dumps([3, call[1], reply]))
    return call, await sent


@pytest.mark.ocpp("2.0.1", "M05")
@pytest.mark.ocpp("2.0.1", "M03")
@pytest.mark.ocpp("2.0.1", "M04")
async def test_install_list_and_delete_certificates(csms: Csms, v2g: dict[str, Issued]) -> None:
    ws = await _booted(csms)
    pem = v2g["ca"].certificate.public_bytes(serialization.Encoding.PEM).decode()
    call, response = await _command(
        csms,
        ws,
        "install-certificate",
        {"certificate_type": "V2GRootCertificate", "certificate": pem},
        {"status": "Accepted"},
    )
    assert call[2:] == ["InstallCertificate", {"certificateType": "V2GRootCertificate", "certificate": pem}]
    assert response.json() == {"action": "InstallCertificate", "response": {"status": "Accepted"}}

    ids = _data(v2g, "good", None)  # CertificateHashDataType: no responder URL
    listed = {
        "status": "Accepted",
        "certificateHashDataChain": [{"certificateType": "V2GRootCertificate", "certificateHashData": ids}],
    }
    call, response = await _command(
        csms, ws, "get-installed-certificate-ids", {"certificate_types": ["V2GRootCertificate"]}, listed
    )
    assert call[2:] == ["GetInstalledCertificateIds", {"certificateType": ["V2GRootCertificate"]}]
    assert response.json()["response"] == listed

    call, response = await _command(
        csms, ws, "delete-certificate", {"certificate_hash_data": ids}, {"status": "Accepted"}
    )
    assert call[2:] == ["DeleteCertificate", {"certificateHashData": ids}]
    assert response.status_code == 200
    await ws.close()


async def test_a_certificate_command_that_fails_its_schema_is_not_sent(csms: Csms) -> None:
    ws = await _booted(csms)
    response = await csms.api.post(
        "/api/v1/stations/M-1/commands/install-certificate",
        headers=csms.headers,
        json={"certificate_type": "NoSuchRoot", "certificate": "x"},
    )
    assert response.status_code == 422 and response.json()["path"] == "/certificateType"
    response = await csms.api.post(
        "/api/v1/stations/M-1/commands/delete-certificate", headers=csms.headers, json={}
    )
    assert response.status_code == 422 and response.json()["field"] == "certificate_hash_data"
    response = await csms.api.post(
        "/api/v1/stations/M-1/commands/extended-trigger-message",
        headers=csms.headers,
        json={"requested_message": "Heartbeat"},
    )
    assert response.status_code == 422 and "does not exist in OCPP 2.0.1" in response.json()["detail"]
    await ws.close()


@pytest.mark.ocpp("2.0.1", "N01")
async def test_get_log_carries_an_issued_request_id(csms: Csms) -> None:
    ws = await _booted(csms)
    call, response = await _command(
        csms,
        ws,
        "get-log",
        {
            "log_type": "SecurityLog",
            "location": "https://logs.example/upload",
            "oldest_timestamp": "2026-12-01T00:00:00Z",
        },
        {"status": "Accepted", "filename": "security.log"},
    )
    await ws.close()
    assert call[2] == "GetLog" and call[3]["logType"] == "SecurityLog"
    assert call[3]["log"] == {
        "remoteLocation": "https://logs.example/upload",
        "oldestTimestamp": "2026-12-01T00:00:00Z",
    }
    assert isinstance(call[3]["requestId"], int) and call[3]["requestId"] > 0
    assert response.json()["response"]["filename"] == "security.log"


# -- a trust list: only answers signed by a trusted CA, or a responder it delegated, count -----------------
@pytest.mark.ocpp("2.0.1", "M06")
@pytest.mark.ocpp("2.0.1", "C07")
@pytest.mark.parametrize(
    ("signer", "believed"),
    [("ca", True), ("delegate", True), ("rogue", False), ("unauthorised", False)],
)
async def test_with_a_trust_list_only_trusted_signatures_count(
    database_url: str, v2g: dict[str, Issued], tmp_path: Path, signer: str, believed: bool
) -> None:
    signers = {
        "ca": None,  # the issuing CA itself
        "delegate": issue(v2g["ca"], "OCSP responder", usage=ExtendedKeyUsageOID.OCSP_SIGNING),
        "rogue": make_ca("Rogue CA"),
        "unauthorised": issue(v2g["ca"], "not a responder"),  # issued by the CA, but not for OCSP signing
    }
    statuses = {v2g["revoked"].certificate.serial_number: REVOKED}
    trust = v2g["ca"].write(tmp_path, "trusted")[0]
    app = ocsp_responder(v2g["ca"], statuses, [], signer=signers[signer])
    async with (
        serving(app) as url,
        running_csms(make_settings(database_url, ocsp_trust_file=str(trust))) as csms,
    ):
        await csms.api.post(
            "/api/v1/id-tokens", headers=csms.headers, json={"id_token": "EMAID-1", "type": "eMAID"}
        )
        ws = await _booted(csms)
        data = _data(v2g, "revoked", url + "/ocsp")
        status = (await Wire(ws).call("GetCertificateStatus", {"ocspRequestData": data}))[2]
        authorize = (
            await Wire(ws).call(
                "Authorize",
                {"idToken": {"idToken": "EMAID-1", "type": "eMAID"}, "iso15118CertificateHashData": [data]},
            )
        )[2]
        await ws.close()
    if believed:
        assert status["status"] == "Accepted" and authorize["certificateStatus"] == "CertificateRevoked"
    else:
        assert status["status"] == "Failed" and "trusted" in status["statusInfo"]["additionalInfo"]
        assert authorize["certificateStatus"] == "NoCertificateAvailable"
    assert authorize["idTokenInfo"]["status"] == "Invalid"


def _pem(*certificates: Issued) -> str:
    return "".join(c.certificate.public_bytes(serialization.Encoding.PEM).decode() for c in certificates)


@pytest.mark.ocpp("2.0.1", "C07")
@pytest.mark.parametrize(
    ("chain", "certificate_status"),
    [
        (("good", "ca"), "Accepted"),
        (("revoked", "ca"), "CertificateRevoked"),
        (("good", "rogue"), "SignatureError"),  # the contract certificate is not the next one's
        (("good",), "CertChainError"),  # nothing to check a lone certificate against
    ],
)
async def test_authorize_with_the_chain_itself(
    database_url: str,
    v2g: dict[str, Issued],
    responder: tuple[str, list[int]],
    chain: tuple[str, ...],
    certificate_status: str,
) -> None:
    url, asked = responder
    named = {**v2g, "rogue": make_ca("Rogue MO CA")}
    async with running_csms(make_settings(database_url, ocsp_responder_url=url)) as csms:
        await csms.api.post(
            "/api/v1/id-tokens", headers=csms.headers, json={"id_token": "EMAID-1", "type": "eMAID"}
        )
        ws = await _booted(csms)
        answer = (
            await Wire(ws).call(
                "Authorize",
                {
                    "idToken": {"idToken": "EMAID-1", "type": "eMAID"},
                    "certificate": _pem(*(named[n] for n in chain)),
                },
            )
        )[2]
        await ws.close()
    assert _valid("Authorize", answer)["certificateStatus"] == certificate_status
    assert answer["idTokenInfo"]["status"] == ("Accepted" if certificate_status == "Accepted" else "Invalid")
    assert asked == (
        [named[chain[0]].certificate.serial_number] if len(chain) == 2 and chain[1] == "ca" else []
    )
