"""Security profile 2: TLS on the OCPP port, Basic auth inside it."""

from __future__ import annotations

import base64
import ssl
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from csms.config import Settings
from tests.harness import Csms, Wire, make_settings
from tests.pki import issue, make_ca


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple[Path, Path]]:
    """The CA's certificate (what stations trust) and the server's certificate and key."""
    folder = tmp_path_factory.mktemp("tls")
    authority = make_ca()
    server = issue(authority, "csms.test", server=True)
    return authority.write(folder, "ca")[0], server.write(folder, "server")


@pytest.fixture
def certificate(ca: tuple[Path, tuple[Path, Path]]) -> tuple[Path, Path]:
    return ca[1]


@pytest.fixture
def csms_settings(database_url: str, certificate: tuple[Path, Path]) -> Settings:
    cert, key = certificate
    return make_settings(database_url, ocpp_tls_cert_file=str(cert), ocpp_tls_key_file=str(key))


@pytest.mark.ocpp("1.6", "TC_086", "Security")
async def test_a_station_boots_over_wss_and_plain_ws_is_refused(
    csms: Csms, ca: tuple[Path, tuple[Path, Path]]
) -> None:
    await csms.station("TLS-1", password="tls-password-1")
    trust = ssl.create_default_context(cafile=str(ca[0]))
    auth = {"Authorization": "Basic " + base64.b64encode(b"TLS-1:tls-password-1").decode()}
    url = f"wss://127.0.0.1:{csms.runtime.ocpp.port}/ocpp/TLS-1"
    async with connect(url, subprotocols=["ocpp1.6"], additional_headers=auth, ssl=trust) as ws:
        boot = await Wire(ws).call("BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"})
        assert boot[2]["status"] == "Accepted"
    with pytest.raises(Exception):  # noqa: B017  (a plain handshake on a TLS port fails one way or another)
        async with connect(url.replace("wss://", "ws://"), subprotocols=["ocpp1.6"], additional_headers=auth,
                           open_timeout=3):
            pass
