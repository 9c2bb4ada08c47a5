"""OpenADR 2.0b end to end: the load-management centre's VTN (openleadr's server, on loopback) sends an event,
the CSMS's VEN turns it into a demand-response event, the energy manager lowers the station's profile, and
the site's metered import goes back to the VTN as a report."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime, timedelta
from functools import partial

from openleadr import OpenADRServer

from tests.csms.duplex import duplex
from tests.harness import OPEN_LOOP, make_settings, running_csms

BOOT16 = {"chargePointVendor": "V", "chargePointModel": "M"}
SITE = "OADR-SITE"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _until(condition, what: str, timeout_s: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    """Wait for ``condition``: it usually holds within a poll or two (openleadr's VEN polls its VTN every
    second, on real time: the library's scheduler takes no clock). The deadline is generous because a loaded
    CI machine has stretched one of these waits past 20 s; a miss names the step that did not come."""

    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.05)

    try:
        await asyncio.wait_for(poll(), timeout_s)
    except TimeoutError:
        raise AssertionError(f"not within {timeout_s:.0f} s: {what}") from None


class Vtn:
    """The centre's VTN: one VEN, every report it receives kept."""

    def __init__(self, port: int) -> None:
        self.reports: list[tuple[str, datetime, float]] = []
        self.responses: list[str] = []
        self.server = OpenADRServer(vtn_id="XJ-LMC", http_host="127.0.0.1", http_port=port,
                                    requested_poll_freq=timedelta(seconds=1), show_server_cert_domain=False)
        self.server.add_handler("on_create_party_registration", self._register)
        self.server.add_handler("on_register_report", self._register_report)

    async def _register(self, info):  # type: ignore[no-untyped-def]
        return "ven-csms", "reg-1"

    # openleadr calls it with these parameter names (it reads the signature)
    async def _register_report(  # type: ignore[no-untyped-def]
        self, ven_id, resource_id, measurement, unit, scale, min_sampling_interval, max_sampling_interval
    ):
        return partial(self._report, resource_id=resource_id), min_sampling_interval

    async def _report(self, data, resource_id):  # type: ignore[no-untyped-def]
        self.reports += [(resource_id, t, v) for t, v in data]

    async def _responded(self, ven_id, event_id, opt_type):  # type: ignore[no-untyped-def]
        self.responses.append(opt_type)

    def curtail(self, kw: float, minutes: int = 10) -> None:
        self.server.add_event(
            ven_id="ven-csms", signal_name="LOAD_CONTROL", signal_type="x-loadControlCapacity",
            intervals=[{"dtstart": datetime.now(UTC), "duration": timedelta(minutes=minutes),
                        "signal_payload": kw}],
            callback=self._responded, target={"resource_id": SITE},
        )


async def test_a_vtn_event_lowers_the_site_and_the_metered_load_goes_back(database_url: str) -> None:
    port = _free_port()
    vtn = Vtn(port)
    await vtn.server.run_async()
    settings = make_settings(
        database_url, energy_period_s=30.0, **OPEN_LOOP,
        openadr_vtn_url=f"http://127.0.0.1:{port}/OpenADR2/Simple/2.0b", openadr_resources=[SITE],
        openadr_report_sampling_s=1.0,
    )
    try:
        async with running_csms(settings) as csms:
            await csms.station("CP-OADR")
            member = {"station_id": "CP-OADR", "current_type": "DC", "max_power_w": 60_000}
            site = {"id": SITE, "grid_limit_kw": 50, "base_load_kw": 10, "stations": [member]}
            assert (await csms.api.post("/api/v1/sites", json=site, headers=csms.headers)).status_code == 201
            accepted = {"SetChargingProfile": {"status": "Accepted"}}
            async with csms.connect("CP-OADR") as ws, duplex(ws, accepted) as station:
                assert (await station.call("BootNotification", BOOT16))[2]["status"] == "Accepted"

                def defaults() -> list[float]:
                    return [p["csChargingProfiles"]["chargingSchedule"]["chargingSchedulePeriod"][0]["limit"]
                            for p in station.sent("SetChargingProfile")
                            if p["csChargingProfiles"]["chargingProfilePurpose"] == "TxDefaultProfile"]

                await _until(lambda: bool(defaults()), "the site's first default profile")
                assert defaults()[-1] == 40_000.0  # 50 kW less the 10 kW declared base load

                vtn.curtail(20.0)  # the centre: this site's import at most 20 kW
                await _until(lambda: defaults()[-1] < 40_000.0, "the VTN's event lowering the site's profile")
                assert defaults()[-1] == 10_000.0  # 20 kW less the base load
                assert vtn.responses == ["optIn"]
                events = [e for _, e in await csms.runtime.services.demand_response.list()]
                assert [(e.site_ids, e.target_import_kw) for e in events] == [(frozenset({SITE}), 20.0)]
                assert events[0].event_id.startswith("OADR-")

                now = datetime.now(UTC).isoformat()
                sample = [{"timestamp": now, "pv_power_w": 0, "base_load_w": 9000, "grid_import_w": 18_765}]
                r = await csms.api.post(f"/api/v1/sites/{SITE}/telemetry", json=sample, headers=csms.headers)
                assert r.status_code < 300, r.text
                await _until(lambda: any(v == 18_765 for _, _, v in vtn.reports),
                             "the metered import reported to the VTN")
                assert {resource for resource, _, _ in vtn.reports} == {SITE}
    finally:
        await vtn.server.stop()
