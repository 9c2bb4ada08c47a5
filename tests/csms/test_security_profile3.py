"""Security profile 3 (TLS with client certificates) and certificate renewal (SignCertificate ->
CertificateSigned), over real TLS sockets, with a CA made for the test (tests/pki.py)."""

from __future__ import annotations

import asyncio
import base64
import json
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from sqlalchemy import select
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidMessage, InvalidStatus

from csms.config import Settings
from csms.db.models import StationMessage
from csms.main import create_app
from tests.harness import Csms, Wire, make_settings
from tests.pki import Issued, issue, make_ca, signing_request

BOOT_201 = {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V"}}
BOOT_16 = {"chargePointVendor": "V", "chargePointModel": "M"}
TLS_REFUSED = (ssl.SSLError, OSError, InvalidMessage)
"""Under TLS 1.3 the server checks the client's certificate after the client's side of the handshake is
done: the client sees a TLS alert or a connection closed before any HTTP response."""


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("pki")
    ca = make_ca()
    files: dict[str, Any] = {"ca": ca, "folder": folder}
    files["ca_files"] = ca.write(folder, "ca")
    files["server"] = issue(ca, "csms.test", server=True).write(folder, "server")
    for station in ("P3-1", "P3-2", "P3-9"):
        files[station] = issue(ca, station).write(folder, station)
    files["rogue"] = issue(make_ca("Rogue CA"), "P3-1").write(folder, "rogue")
    return files


def _settings(database_url: str, pki: dict[str, Any], **overrides: Any) -> Settings:
    (ca_cert, ca_key), (cert, key) = pki["ca_files"], pki["server"]
    return make_settings(
        database_url, ocpp_tls_cert_file=str(cert), ocpp_tls_key_file=str(key),
        ocpp_tls_client_ca_file=str(ca_cert), station_ca_cert_file=str(ca_cert),
        station_ca_key_file=str(ca_key), **overrides,
    )


@pytest.fixture
def csms_settings(database_url: str, pki: dict[str, Any]) -> Settings:
    return _settings(database_url, pki)


def _open(
    port: int, station_id: str, pki: dict[str, Any], *, client: tuple[Path, Path] | None = None,
    password: str | None = None, protocol: str = "ocpp2.0.1",
) -> Any:
    trust = ssl.create_default_context(cafile=str(pki["ca_files"][0]))
    if client is not None:
        trust.load_cert_chain(*client)
    headers = {}
    if password is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{station_id}:{password}".encode()).decode()
    return connect(f"wss://127.0.0.1:{port}/ocpp/{station_id}", subprotocols=[protocol], ssl=trust,
                   additional_headers=headers, open_timeout=5)


async def _boot(ws: ClientConnection, protocol: str = "ocpp2.0.1") -> str:
    answer = await Wire(ws).call("BootNotification", BOOT_201 if protocol == "ocpp2.0.1" else BOOT_16)
    return answer[2]["status"]


# -- profile 3: the certificate is the credential ------------------------------------------------------
@pytest.mark.ocpp("1.6", "TC_087", "Security")
async def test_a_station_with_its_certificate_connects_without_a_password(
    csms: Csms, pki: dict[str, Any]
) -> None:
    await csms.station("P3-1", password="profile-2-password")
    async with _open(csms.runtime.ocpp.port, "P3-1", pki, client=pki["P3-1"]) as ws:
        assert await _boot(ws) == "Accepted"
    async with _open(csms.runtime.ocpp.port, "P3-1", pki, client=pki["P3-1"], protocol="ocpp1.6") as ws:
        assert await _boot(ws, "ocpp1.6") == "Accepted"


async def test_a_certificate_names_one_station_only(csms: Csms, pki: dict[str, Any]) -> None:
    await csms.station("P3-1", password="profile-2-password")
    await csms.station("P3-2", password="another-password")
    with pytest.raises(InvalidStatus) as refused:  # P3-2's certificate, P3-1's URL (and password)
        async with _open(csms.runtime.ocpp.port, "P3-1", pki, client=pki["P3-2"],
                         password="profile-2-password"):
            pass
    assert refused.value.response.status_code == 401
    with pytest.raises(InvalidStatus) as unknown:  # a valid certificate of a station nobody registered
        async with _open(csms.runtime.ocpp.port, "P3-9", pki, client=pki["P3-9"]):
            pass
    assert unknown.value.response.status_code == 401


async def test_a_certificate_from_another_ca_fails_the_tls_handshake(csms: Csms, pki: dict[str, Any]) -> None:
    await csms.station("P3-1", password="profile-2-password")
    with pytest.raises(TLS_REFUSED):
        async with _open(csms.runtime.ocpp.port, "P3-1", pki, client=pki["rogue"]) as ws:
            await _boot(ws)
    async with _open(csms.runtime.ocpp.port, "P3-1", pki, client=pki["P3-1"]) as ws:  # the server goes on
        assert await _boot(ws) == "Accepted"


async def test_without_a_certificate_basic_auth_is_still_checked(csms: Csms, pki: dict[str, Any]) -> None:
    await csms.station("P3-1", password="profile-2-password")
    with pytest.raises(InvalidStatus) as refused:
        async with _open(csms.runtime.ocpp.port, "P3-1", pki, password="wrong-password"):
            pass
    assert refused.value.response.status_code == 401
    async with _open(csms.runtime.ocpp.port, "P3-1", pki, password="profile-2-password") as ws:
        assert await _boot(ws) == "Accepted"


@asynccontextmanager
async def _running(settings: Settings) -> AsyncIterator[Any]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app.state.runtime


async def test_when_certificates_are_required_a_password_is_not_enough(
    database_url: str, pki: dict[str, Any]
) -> None:
    async with _running(_settings(database_url, pki, ocpp_tls_require_client_cert=True)) as runtime:
        await runtime.services.stations.register("P3-1", "profile-2-password")
        with pytest.raises(TLS_REFUSED):
            async with _open(runtime.ocpp.port, "P3-1", pki, password="profile-2-password") as ws:
                await _boot(ws)
        async with _open(runtime.ocpp.port, "P3-1", pki, client=pki["P3-1"]) as ws:
            assert await _boot(ws) == "Accepted"


def test_a_certificate_without_its_key_is_a_configuration_error(database_url: str) -> None:
    with pytest.raises(ValueError, match="station_ca_cert_file and station_ca_key_file go together"):
        make_settings(database_url, station_ca_cert_file="ca.pem")


# -- certificate renewal: SignCertificate, then CertificateSigned ----------------------------------------
async def _sign(ws: ClientConnection, payload: dict[str, Any]) -> tuple[dict[str, Any], list[Any] | None]:
    """Send SignCertificate; return its answer and the CALL that follows it (``None`` if a Heartbeat's answer
    comes first, i.e. nothing followed)."""
    wire = Wire(ws)
    answer = await wire.call("SignCertificate", payload)
    await ws.send(json.dumps([2, "hb", "Heartbeat", {}]))
    frame = json.loads(await ws.recv())
    return answer[2], (frame if frame[0] == 2 else None)


@pytest.mark.ocpp("2.0.1", "A03")
async def test_a_station_renews_its_certificate_then_connects_with_it(
    csms: Csms, pki: dict[str, Any]
) -> None:
    await csms.station("P3-1", password="profile-2-password")
    csr, key = signing_request("P3-1")
    async with _open(csms.runtime.ocpp.port, "P3-1", pki, password="profile-2-password") as ws:
        assert await _boot(ws) == "Accepted"
        answer, call = await _sign(ws, {"csr": csr, "certificateType": "ChargingStationCertificate"})
        assert answer == {"status": "Accepted"}
        assert call is not None and call[2] == "CertificateSigned"
        assert call[3]["certificateType"] == "ChargingStationCertificate"
        await ws.send(json.dumps([3, call[1], {"status": "Accepted"}]))
        assert (await Wire(ws).reply("hb"))[0] == 3  # the Heartbeat sent behind the request is answered too
    leaf, ca = x509.load_pem_x509_certificates(call[3]["certificateChain"].encode())
    authority: Issued = pki["ca"]
    assert ca == authority.certificate
    leaf.verify_directly_issued_by(authority.certificate)
    assert leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "P3-1"
    assert leaf.public_key() == key.public_key()

    renewed = Issued(leaf, key).write(pki["folder"], "p3-1-renewed")
    async with _open(csms.runtime.ocpp.port, "P3-1", pki, client=renewed) as ws:  # profile 3, no password
        assert await _boot(ws) == "Accepted"
    for _ in range(100):  # the station's answer to CertificateSigned is kept for operators
        async with csms.runtime.services.uow.read() as session:
            kept = (await session.scalars(
                select(StationMessage.payload).where(StationMessage.action == "CertificateSigned")
            )).all()
        if kept:
            break
        await asyncio.sleep(0.02)
    assert kept == [{"status": "Accepted"}]


async def test_a_16_station_gets_its_chain_without_a_certificate_type(
    csms: Csms, pki: dict[str, Any]
) -> None:
    await csms.station("P3-1", password="profile-2-password")
    csr, _ = signing_request("P3-1")
    async with _open(csms.runtime.ocpp.port, "P3-1", pki, password="profile-2-password",
                     protocol="ocpp1.6") as ws:
        answer, call = await _sign(ws, {"csr": csr})
        assert answer == {"status": "Accepted"}
        assert call is not None and call[2] == "CertificateSigned" and list(call[3]) == ["certificateChain"]
        assert call[3]["certificateChain"].count("BEGIN CERTIFICATE") == 2


@pytest.mark.parametrize(
    ("name", "certificate_type", "why"),
    [
        ("P3-2", "ChargingStationCertificate", "in another station's name"),
        ("P3-1", "V2GCertificate", "ISO 15118 certificates need a V2G PKI"),
        (None, "ChargingStationCertificate", "not a CSR"),
    ],
)
@pytest.mark.ocpp("2.0.1", "A03")
async def test_a_request_the_csms_will_not_sign_is_rejected_and_nothing_follows(
    csms: Csms, pki: dict[str, Any], name: str | None, certificate_type: str, why: str
) -> None:
    await csms.station("P3-1", password="profile-2-password")
    csr = signing_request(name)[0] if name else "-----BEGIN CERTIFICATE REQUEST-----\nnonsense\n"
    async with _open(csms.runtime.ocpp.port, "P3-1", pki, password="profile-2-password") as ws:
        assert await _boot(ws) == "Accepted"
        answer, call = await _sign(ws, {"csr": csr, "certificateType": certificate_type})
    assert answer == {"status": "Rejected"}, why
    assert call is None, why


@pytest.mark.ocpp("2.0.1", "A03")
async def test_a_tampered_request_is_rejected(csms: Csms, pki: dict[str, Any]) -> None:
    await csms.station("P3-1", password="profile-2-password")
    request = x509.load_pem_x509_csr(signing_request("P3-1")[0].encode())
    donor = request
    while donor is request or len(donor.signature) != len(request.signature):  # same DER length
        donor = x509.load_pem_x509_csr(signing_request("P3-1")[0].encode())  # same name, another key
    der = request.public_bytes(serialization.Encoding.DER)
    tampered = der.replace(request.signature, donor.signature)  # the first request, the donor's signature
    assert tampered != der
    pem = "-----BEGIN CERTIFICATE REQUEST-----\n" + base64.encodebytes(tampered).decode() + \
        "-----END CERTIFICATE REQUEST-----\n"
    async with _open(csms.runtime.ocpp.port, "P3-1", pki, password="profile-2-password") as ws:
        assert await _boot(ws) == "Accepted"
        answer, call = await _sign(ws, {"csr": pem})
    assert answer == {"status": "Rejected"} and call is None


@pytest.mark.ocpp("2.0.1", "A02")
@pytest.mark.ocpp("2.0.1", "F06")
async def test_an_operator_asks_a_station_to_renew_its_certificate(csms: Csms, pki: dict[str, Any]) -> None:
    """A02: TriggerMessage(SignChargingStationCertificate) through the API, then the station's request."""
    await csms.station("P3-1", password="profile-2-password")
    async with _open(csms.runtime.ocpp.port, "P3-1", pki, password="profile-2-password") as ws:
        assert await _boot(ws) == "Accepted"
        asked = asyncio.create_task(csms.api.post(
            "/api/v1/stations/P3-1/calls/TriggerMessage", headers=csms.headers,
            json={"requestedMessage": "SignChargingStationCertificate"},
        ))
        trigger = json.loads(await ws.recv())
        assert trigger[2:] == ["TriggerMessage", {"requestedMessage": "SignChargingStationCertificate"}]
        await ws.send(json.dumps([3, trigger[1], {"status": "Accepted"}]))
        response = await asked
        assert (response.status_code, response.json()) == (200, {"status": "Accepted"})
        answer, call = await _sign(ws, {"csr": signing_request("P3-1")[0]})
        assert answer == {"status": "Accepted"}
        assert call is not None and call[2] == "CertificateSigned"
