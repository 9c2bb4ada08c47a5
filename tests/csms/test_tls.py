"""Security profile 2: TLS on the OCPP port, Basic auth inside it."""

from __future__ import annotations

import base64
import shutil
import ssl
import subprocess
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from csms.config import Settings
from tests.harness import Csms, Wire, make_settings

pytestmark = pytest.mark.skipif(
    shutil.which("openssl") is None, reason="openssl is needed to make a test certificate"
)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


@pytest.fixture
def csms_settings(database_url: str, certificate: tuple[Path, Path]) -> Settings:
    cert, key = certificate
    return make_settings(database_url, ocpp_tls_cert_file=str(cert), ocpp_tls_key_file=str(key))


async def test_a_station_boots_over_wss_and_plain_ws_is_refused(
    csms: Csms, certificate: tuple[Path, Path]
) -> None:
    await csms.station("TLS-1", password="tls-password-1")
    trust = ssl.create_default_context(cafile=str(certificate[0]))
    auth = {"Authorization": "Basic " + base64.b64encode(b"TLS-1:tls-password-1").decode()}
    url = f"wss://127.0.0.1:{csms.runtime.ocpp.port}/ocpp/TLS-1"
    async with connect(url, subprotocols=["ocpp1.6"], additional_headers=auth, ssl=trust) as ws:
        boot = await Wire(ws).call("BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"})
        assert boot[2]["status"] == "Accepted"
    with pytest.raises(Exception):  # noqa: B017  (a plain handshake on a TLS port fails one way or another)
        async with connect(url.replace("wss://", "ws://"), subprotocols=["ocpp1.6"], additional_headers=auth,
                           open_timeout=3):
            pass
