"""Storage quotas per station for free-form messages (issue 14, finding 9: 1,000 x 60 KB DataTransfers filled
60 MiB in 6 s): per station and action, bounded count and bytes; the oldest of that action are pruned."""

from __future__ import annotations

import pytest

from csms.config import Settings
from tests.harness import Csms, Wire, make_settings

BOOT201 = {"chargingStation": {"model": "M", "vendorName": "V"}, "reason": "PowerUp"}
SECURITY = {"type": "FirmwareUpdated", "timestamp": "2026-11-24T00:00:00Z"}


@pytest.fixture
def csms_settings(database_url: str) -> Settings:
    return make_settings(database_url, station_messages_max_count=3, station_messages_max_bytes=64 * 1024)


async def test_a_flood_of_data_transfers_keeps_the_newest_and_spares_other_messages(csms: Csms) -> None:
    await csms.station("CP-Q")
    await csms.station("CP-OTHER")
    stations = csms.runtime.services.stations
    async with csms.connect("CP-Q", "ocpp2.0.1") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT201)
        assert (await wire.call("SecurityEventNotification", SECURITY))[0] == 3
        for i in range(6):
            answer = await wire.call("DataTransfer", {"vendorId": "X", "messageId": str(i)})
            assert answer[2] == {"status": "UnknownVendorId"}  # still answered: the message is kept
    async with csms.connect("CP-OTHER", "ocpp2.0.1") as ws:
        wire = Wire(ws)
        await wire.call("BootNotification", BOOT201)
        await wire.call("DataTransfer", {"vendorId": "X", "messageId": "other"})
    kept = await stations.messages("CP-Q", "DataTransfer")
    assert [m.payload["messageId"] for m in kept] == ["3", "4", "5"]
    assert [m.action for m in await stations.messages("CP-Q", "SecurityEventNotification")] == [
        "SecurityEventNotification"
    ]
    assert [m.payload["messageId"] for m in await stations.messages("CP-OTHER")] == ["other"]


async def test_the_bytes_kept_per_station_and_action_are_bounded(csms: Csms) -> None:
    await csms.station("CP-B")
    blob = "x" * 30_000
    async with csms.connect("CP-B") as ws:
        wire = Wire(ws)
        for i in range(4):
            payload = {"vendorId": "X", "messageId": str(i), "data": blob}
            assert (await wire.call("DataTransfer", payload))[0] == 3
    kept = await csms.runtime.services.stations.messages("CP-B", "DataTransfer")
    assert [m.payload["messageId"] for m in kept] == ["2", "3"]  # a third 30 KB would pass 64 KiB
    assert all(m.payload_bytes > 30_000 for m in kept)
