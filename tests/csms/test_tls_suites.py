"""TLS with both an RSA and an ECDSA server certificate (OCPP 2.0.1 A00.FR.318/319, the 1.6 security
whitepaper): a station limited to the ECDHE-ECDSA suites and one limited to AES128-GCM-SHA256 (RSA key
exchange) both connect; with the ECDSA certificate alone, the RSA-only station cannot."""

from __future__ import annotations

import base64
import ssl
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import connect

from tests.harness import Wire, make_settings, running_csms
from tests.pki import issue, make_ca

ECDSA_ONLY = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384"
RSA_ONLY = "AES128-GCM-SHA256"


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("tls-suites")
    ca = make_ca()
    return {
        "ca": ca.write(folder, "ca")[0],
        "ecdsa": issue(ca, "csms.test", server=True).write(folder, "ecdsa"),
        "rsa": issue(ca, "csms.test", server=True, rsa_key=True).write(folder, "rsa"),
    }


async def _negotiated(port: int, ca: Path, ciphers: str) -> tuple[str, str]:
    """Connect as a TLS 1.2 station offering only ``ciphers``; the suite agreed and the boot's status."""
    trust = ssl.create_default_context(cafile=str(ca))
    trust.maximum_version = ssl.TLSVersion.TLSv1_2  # TLS 1.3 suites cannot be limited this way
    trust.set_ciphers(ciphers)
    auth = {"Authorization": "Basic " + base64.b64encode(b"TLS-S:tls-suites-pass").decode()}
    async with connect(
        f"wss://127.0.0.1:{port}/ocpp/TLS-S",
        subprotocols=["ocpp1.6"],
        ssl=trust,
        additional_headers=auth,
        open_timeout=5,
    ) as ws:
        suite = ws.transport.get_extra_info("ssl_object").cipher()[0]
        boot = await Wire(ws).call("BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"})
        return suite, boot[2]["status"]


@pytest.mark.ocpp("2.0.1", "A00")
@pytest.mark.ocpp("1.6", "TLS", "Security")
async def test_rsa_and_ecdsa_stations_both_connect(database_url: str, certificates: dict[str, Any]) -> None:
    (ecdsa_cert, ecdsa_key), (rsa_cert, rsa_key) = certificates["ecdsa"], certificates["rsa"]
    settings = make_settings(
        database_url,
        ocpp_tls_cert_file=str(ecdsa_cert),
        ocpp_tls_key_file=str(ecdsa_key),
        ocpp_tls_second_cert_file=str(rsa_cert),
        ocpp_tls_second_key_file=str(rsa_key),
    )
    async with running_csms(settings) as csms:
        await csms.station("TLS-S", password="tls-suites-pass")
        port = csms.runtime.ocpp.port
        assert await _negotiated(port, certificates["ca"], ECDSA_ONLY) == (
            "ECDHE-ECDSA-AES128-GCM-SHA256",
            "Accepted",
        )
        assert await _negotiated(port, certificates["ca"], RSA_ONLY) == ("AES128-GCM-SHA256", "Accepted")


async def test_with_the_ecdsa_certificate_alone_an_rsa_only_station_fails(
    database_url: str, certificates: dict[str, Any]
) -> None:
    cert, key = certificates["ecdsa"]
    settings = make_settings(database_url, ocpp_tls_cert_file=str(cert), ocpp_tls_key_file=str(key))
    async with running_csms(settings) as csms:
        await csms.station("TLS-S", password="tls-suites-pass")
        with pytest.raises(OSError):  # a TLS alert (SSLError) or the server hanging up
            await _negotiated(csms.runtime.ocpp.port, certificates["ca"], RSA_ONLY)
        assert (await _negotiated(csms.runtime.ocpp.port, certificates["ca"], ECDSA_ONLY))[1] == "Accepted"


def test_a_second_certificate_without_its_key_is_a_configuration_error(database_url: str) -> None:
    with pytest.raises(
        ValueError, match="ocpp_tls_second_cert_file and ocpp_tls_second_key_file go together"
    ):
        make_settings(
            database_url,
            ocpp_tls_cert_file="a.pem",
            ocpp_tls_key_file="a.key",
            ocpp_tls_second_cert_file="b.pem",
        )
