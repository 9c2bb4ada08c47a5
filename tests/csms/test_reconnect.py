"""A half-open old socket (issue 14, finding 9): the station reconnects and is answered at once, not after
the old socket's close handshake times out (10 s before)."""

from __future__ import annotations

import time

from tests.harness import Csms, Wire

BOOT16 = {"chargePointVendor": "V", "chargePointModel": "M"}


async def test_a_reconnect_after_a_half_open_socket_is_answered_at_once(csms: Csms) -> None:
    await csms.station("CP-HALF")
    async with csms.connect("CP-HALF") as old:
        await Wire(old).call("BootNotification", BOOT16)
        # The old socket goes half-open: the station's end no longer reads, so it never answers a close.
        old.transport.pause_reading()
        started = time.monotonic()
        async with csms.connect("CP-HALF") as new:
            assert (await Wire(new).call("Heartbeat", {}))[0] == 3
            answered_s = time.monotonic() - started
            assert csms.runtime.registry.online_ids() == {"CP-HALF"}
        old.transport.resume_reading()
    assert answered_s < 2.0, answered_s
