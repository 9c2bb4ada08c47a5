"""A station's security over real sockets: password rotation (A01, 1.6 TC_073), the security profile
stored per station and enforced at the handshake, and moving a station up a profile (A05, 1.6 TC_083), on a
CSMS that serves plain ws:// and wss:// side by side (``ocpp_tls_port``)."""

from __future__ import annotations

import asyncio
import base64
import json
import ssl
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from csms.config import Settings
from tests.harness import Csms, Wire, make_settings
from tests.pki import issue, make_ca

BOOT_201 = {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V"}}
BOOT_16 = {"chargePointVendor": "V", "chargePointModel": "M"}
PASSWORD = "first-password-1234"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("pki-sec")
    ca = make_ca()
    return {
        "ca": ca.write(folder, "ca")[0],
        "server": issue(ca, "csms.test", server=True).write(folder, "server"),
        "S-1": issue(ca, "S-1").write(folder, "S-1"),
    }


@pytest.fixture
def csms_settings(database_url: str, pki: dict[str, Any]) -> Settings:
    cert, key = pki["server"]
    return make_settings(
        database_url,
        ocpp_tls_cert_file=str(cert),
        ocpp_tls_key_file=str(key),
        ocpp_tls_client_ca_file=str(pki["ca"]),
        ocpp_tls_port=0,
    )


def _open(
    csms: Csms,
    station_id: str,
    pki: dict[str, Any],
    *,
    tls: bool,
    password: str | None = PASSWORD,
    client: tuple[Path, Path] | None = None,
    protocol: str = "ocpp2.0.1",
) -> Any:
    headers = {}
    if password is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{station_id}:{password}".encode()).decode()
    ocpp = csms.runtime.ocpp
    if not tls:
        return connect(
            f"ws://127.0.0.1:{ocpp.port}/ocpp/{station_id}",
            subprotocols=[protocol],
            additional_headers=headers,
            open_timeout=5,
        )
    trust = ssl.create_default_context(cafile=str(pki["ca"]))
    if client is not None:
        trust.load_cert_chain(*client)
    return connect(
        f"wss://127.0.0.1:{ocpp.tls_port}/ocpp/{station_id}",
        subprotocols=[protocol],
        ssl=trust,
        additional_headers=headers,
        open_timeout=5,
    )


async def _boots(csms: Csms, pki: dict[str, Any], **kw: Any) -> str:
    protocol = kw.get("protocol", "ocpp2.0.1")
    async with _open(csms, "S-1", pki, **kw) as ws:
        answer = await Wire(ws).call("BootNotification", BOOT_201 if protocol == "ocpp2.0.1" else BOOT_16)
        return str(answer[2]["status"])


async def _refused(csms: Csms, pki: dict[str, Any], **kw: Any) -> int:
    with pytest.raises(InvalidStatus) as refused:
        async with _open(csms, "S-1", pki, **kw):
            pass
    return refused.value.response.status_code


async def _operator(
    csms: Csms, ws: Any, path: str, body: dict[str, Any] | None, replies: list[dict[str, Any]]
) -> tuple[list[list[Any]], Any]:
    """POST an operator request; answer the CALLs it makes with ``replies`` in turn; return them and the
    API's response."""
    sent = asyncio.create_task(
        csms.api.post(f"/api/v1/stations/S-1/security/{path}", headers=csms.headers, json=body)
    )
    calls = []
    for reply in replies:
        call = json.loads(await ws.recv())
        calls.append(call)
        await ws.send(json.dumps([3, call[1], reply]))
    return calls, await sent


# -- password rotation ------------------------------------------------------------------------------------
@pytest.mark.ocpp("2.0.1", "A01")
async def test_a_rotated_password_replaces_the_old_one_when_the_station_first_uses_it(
    csms: Csms, pki: dict[str, Any]
) -> None:
    await csms.station("S-1", password=PASSWORD)
    async with _open(csms, "S-1", pki, tls=True) as ws:
        await Wire(ws).call("BootNotification", BOOT_201)
        accepted = {
            "setVariableResult": [
                {
                    "attributeStatus": "Accepted",
                    "component": {"name": "SecurityCtrlr"},
                    "variable": {"name": "BasicAuthPassword"},
                }
            ]
        }
        calls, response = await _operator(csms, ws, "rotate-password", None, [accepted])
    (call,) = calls
    assert call[2] == "SetVariables"
    (data,) = call[3]["setVariableData"]
    assert (data["component"], data["variable"]) == ({"name": "SecurityCtrlr"}, {"name": "BasicAuthPassword"})
    new = data["attributeValue"]
    assert len(new) == 40 and int(new, 16) >= 0  # 20 random bytes, hex
    assert response.status_code == 200 and response.json()["accepted"] is True
    assert new not in response.text  # the password is never shown
    state = (await csms.api.get("/api/v1/stations/S-1/security", headers=csms.headers)).json()
    assert state["password_rotation_pending"] is True

    assert await _boots(csms, pki, tls=True) == "Accepted"  # the old password still works meanwhile
    assert await _boots(csms, pki, tls=True, password=new) == "Accepted"  # the station reconnects with it
    assert await _refused(csms, pki, tls=True) == 401  # from then on the old one is refused
    assert await _boots(csms, pki, tls=True, password=new) == "Accepted"
    state = (await csms.api.get("/api/v1/stations/S-1/security", headers=csms.headers)).json()
    assert state["password_rotation_pending"] is False and state["password_rotated_at"] is not None


@pytest.mark.ocpp("1.6", "TC_073", "Security")
async def test_a_16_station_gets_a_hex_authorization_key(csms: Csms, pki: dict[str, Any]) -> None:
    await csms.station("S-1", password=PASSWORD)
    async with _open(csms, "S-1", pki, tls=False, protocol="ocpp1.6") as ws:
        calls, response = await _operator(csms, ws, "rotate-password", None, [{"status": "Accepted"}])
    (call,) = calls
    assert call[2] == "ChangeConfiguration" and call[3]["key"] == "AuthorizationKey"
    new = call[3]["value"]
    assert len(new) == 40 and bytes.fromhex(new)
    assert response.json() == {
        "accepted": True,
        "calls": [{"action": "ChangeConfiguration", "response": {"status": "Accepted"}}],
    }
    assert await _boots(csms, pki, tls=False, password=new, protocol="ocpp1.6") == "Accepted"
    assert await _refused(csms, pki, tls=False, protocol="ocpp1.6") == 401


@pytest.mark.ocpp("1.6", "TC_073", "Security")
async def test_a_password_the_station_rejects_is_not_stored(csms: Csms, pki: dict[str, Any]) -> None:
    await csms.station("S-1", password=PASSWORD)
    async with _open(csms, "S-1", pki, tls=False, protocol="ocpp1.6") as ws:
        calls, response = await _operator(csms, ws, "rotate-password", None, [{"status": "Rejected"}])
    new = calls[0][3]["value"]
    assert response.json()["accepted"] is False
    assert await _refused(csms, pki, tls=False, password=new, protocol="ocpp1.6") == 401
    assert await _boots(csms, pki, tls=False, protocol="ocpp1.6") == "Accepted"


async def test_rotating_the_password_of_an_offline_station_is_a_conflict(csms: Csms) -> None:
    await csms.station("S-1", password=PASSWORD)
    response = await csms.api.post("/api/v1/stations/S-1/security/rotate-password", headers=csms.headers)
    assert response.status_code == 409
    response = await csms.api.post("/api/v1/stations/NOPE/security/rotate-password", headers=csms.headers)
    assert response.status_code == 404


# -- the profile per station ------------------------------------------------------------------------------
@pytest.mark.ocpp("2.0.1", "A00")
async def test_each_station_is_held_to_its_own_profile(csms: Csms, pki: dict[str, Any]) -> None:
    await csms.station("S-1", password=PASSWORD)
    assert await _boots(csms, pki, tls=False) == "Accepted"  # no profile stored: what the server offers

    put = await csms.api.put(
        "/api/v1/stations/S-1/security/profile", headers=csms.headers, json={"security_profile": 2}
    )
    assert put.status_code == 200 and put.json()["security_profile"] == 2
    assert await _refused(csms, pki, tls=False) == 401  # profile 2 on plain ws://
    assert await _boots(csms, pki, tls=True) == "Accepted"

    await csms.api.put(
        "/api/v1/stations/S-1/security/profile", headers=csms.headers, json={"security_profile": 3}
    )
    assert await _refused(csms, pki, tls=True) == 401  # TLS with a password is not profile 3
    assert await _boots(csms, pki, tls=True, password=None, client=pki["S-1"]) == "Accepted"
    bad = await csms.api.put(
        "/api/v1/stations/S-1/security/profile", headers=csms.headers, json={"security_profile": 4}
    )
    assert bad.status_code == 422


@pytest.mark.ocpp("1.6", "TC_083", "Security")
async def test_a_16_station_moves_up_to_profile_2(csms: Csms, pki: dict[str, Any]) -> None:
    await csms.station("S-1", password=PASSWORD)
    await csms.api.put(
        "/api/v1/stations/S-1/security/profile", headers=csms.headers, json={"security_profile": 1}
    )
    async with _open(csms, "S-1", pki, tls=False, protocol="ocpp1.6") as ws:
        calls, response = await _operator(
            csms, ws, "upgrade", {"security_profile": 2}, [{"status": "Accepted"}]
        )
    assert calls[0][2:] == ["ChangeConfiguration", {"key": "SecurityProfile", "value": "2"}]
    assert response.json()["accepted"] is True
    state = (await csms.api.get("/api/v1/stations/S-1/security", headers=csms.headers)).json()
    assert (state["security_profile"], state["target_profile"]) == (1, 2)
    # until it has connected with profile 2, profile 1 still works (a station falls back if the new one fails)
    assert await _boots(csms, pki, tls=False, protocol="ocpp1.6") == "Accepted"
    assert await _boots(csms, pki, tls=True, protocol="ocpp1.6") == "Accepted"
    state = (await csms.api.get("/api/v1/stations/S-1/security", headers=csms.headers)).json()
    assert (state["security_profile"], state["target_profile"]) == (2, None)
    assert await _refused(csms, pki, tls=False, protocol="ocpp1.6") == 401  # never back down
    down = await csms.api.post(
        "/api/v1/stations/S-1/security/upgrade", headers=csms.headers, json={"security_profile": 2}
    )
    assert down.status_code == 422 and down.json()["field"] == "profile"


@pytest.mark.ocpp("2.0.1", "A05")
async def test_a_201_station_gets_a_network_profile_then_priority_then_reset(
    csms: Csms, pki: dict[str, Any]
) -> None:
    await csms.station("S-1", password=PASSWORD)
    url = f"wss://127.0.0.1:{csms.runtime.ocpp.tls_port}/ocpp"
    async with _open(csms, "S-1", pki, tls=True) as ws:
        await Wire(ws).call("BootNotification", BOOT_201)
        replies = [
            {"status": "Accepted"},
            {
                "setVariableResult": [
                    {
                        "attributeStatus": "Accepted",
                        "component": {"name": "OCPPCommCtrlr"},
                        "variable": {"name": "NetworkConfigurationPriority"},
                    }
                ]
            },
            {"status": "Accepted"},
        ]
        calls, response = await _operator(
            csms, ws, "upgrade", {"security_profile": 3, "csms_url": url, "configuration_slot": 2}, replies
        )
    network, priority, reset = calls
    assert network[2:] == [
        "SetNetworkProfile",
        {
            "configurationSlot": 2,
            "connectionData": {
                "ocppVersion": "OCPP20",
                "ocppTransport": "JSON",
                "ocppCsmsUrl": url,
                "messageTimeout": 30,
                "securityProfile": 3,
                "ocppInterface": "Wired0",
            },
        },
    ]
    assert priority[2] == "SetVariables"
    assert priority[3]["setVariableData"][0]["variable"] == {"name": "NetworkConfigurationPriority"}
    assert priority[3]["setVariableData"][0]["attributeValue"] == "2"
    assert reset[2:] == ["Reset", {"type": "OnIdle"}]
    assert [c["action"] for c in response.json()["calls"]] == ["SetNetworkProfile", "SetVariables", "Reset"]
    assert await _boots(csms, pki, tls=True) == "Accepted"  # still profile 2 until it uses its certificate
    assert await _boots(csms, pki, tls=True, password=None, client=pki["S-1"]) == "Accepted"
    assert await _refused(csms, pki, tls=True) == 401
    state = (await csms.api.get("/api/v1/stations/S-1/security", headers=csms.headers)).json()
    assert state["security_profile"] == 3


async def test_a_rejected_network_profile_stores_nothing_and_sends_nothing_more(
    csms: Csms, pki: dict[str, Any]
) -> None:
    await csms.station("S-1", password=PASSWORD)
    async with _open(csms, "S-1", pki, tls=False) as ws:
        await Wire(ws).call("BootNotification", BOOT_201)
        calls, response = await _operator(
            csms,
            ws,
            "upgrade",
            {"security_profile": 2, "csms_url": "wss://csms.example/ocpp"},
            [{"status": "Rejected"}],
        )
    assert response.json()["accepted"] is False and len(response.json()["calls"]) == 1
    state = (await csms.api.get("/api/v1/stations/S-1/security", headers=csms.headers)).json()
    assert state["target_profile"] is None
    missing = await csms.api.post(
        "/api/v1/stations/S-1/security/upgrade",
        headers=csms.headers,
        json={"security_profile": 2, "csms_url": "ws://plain.example"},
    )
    assert missing.status_code == 422


async def test_an_operators_new_password_cancels_a_rotation_under_way(
    csms: Csms, pki: dict[str, Any]
) -> None:
    await csms.station("S-1", password=PASSWORD)
    async with _open(csms, "S-1", pki, tls=False, protocol="ocpp1.6") as ws:
        calls, _ = await _operator(csms, ws, "rotate-password", None, [{"status": "Accepted"}])
    rotated = calls[0][3]["value"]
    patched = await csms.api.patch(
        "/api/v1/stations/S-1", headers=csms.headers, json={"password": "operator-set-password"}
    )
    assert patched.status_code == 200
    assert await _refused(csms, pki, tls=False, password=rotated, protocol="ocpp1.6") == 401
    assert (
        await _boots(csms, pki, tls=False, password="operator-set-password", protocol="ocpp1.6") == "Accepted"
    )


@pytest.mark.ocpp("2.0.1", "A05")
async def test_a_rejected_priority_is_not_followed_by_a_reset(csms: Csms, pki: dict[str, Any]) -> None:
    await csms.station("S-1", password=PASSWORD)
    async with _open(csms, "S-1", pki, tls=False) as ws:
        await Wire(ws).call("BootNotification", BOOT_201)
        rejected = {
            "setVariableResult": [
                {
                    "attributeStatus": "Rejected",
                    "component": {"name": "OCPPCommCtrlr"},
                    "variable": {"name": "NetworkConfigurationPriority"},
                }
            ]
        }
        calls, response = await _operator(
            csms,
            ws,
            "upgrade",
            {"security_profile": 2, "csms_url": "wss://csms.example/ocpp"},
            [{"status": "Accepted"}, rejected],
        )
        # nothing more was sent: the next frame the station sees answers its own Heartbeat
        await ws.send(json.dumps([2, "hb", "Heartbeat", {}]))
        assert json.loads(await ws.recv())[:2] == [3, "hb"]
    assert [c[2] for c in calls] == ["SetNetworkProfile", "SetVariables"]
    assert response.json()["accepted"] is False and len(response.json()["calls"]) == 2
