"""Malformed or unknown CSMS requests get the proper CALLERROR, and the station keeps running."""

import pytest
from sim_mini_csms import MiniCsms

CASES_16 = [
    ("not json", ["-1", "FormationViolation"]),
    ('{"a": 1}', ["-1", "FormationViolation"]),
    ('[2, "m1", "FooBar", {}]', ["m1", "NotImplemented"]),
    ('[2, "m2", "CertificateSigned", {"certificateChain": "x"}]', ["m2", "NotSupported"]),
    ('[2, "m3", "Reset", {}]', ["m3", "ProtocolError"]),
    ('[2, "m4", "Reset", {"type": 5}]', ["m4", "TypeConstraintViolation"]),
    ('[2, "m5", "Reset", {"type": "Hard", "extra": 1}]', ["m5", "FormationViolation"]),
    ('[2, "m6", "Reset", "x"]', ["m6", "FormationViolation"]),
    ('[7, "m7", "Reset", {}]', ["m7", "ProtocolError"]),
]
CASES_201 = [
    ("not json", ["-1", "RpcFrameworkError"]),
    ("[2]", ["-1", "RpcFrameworkError"]),
    ('[2, "m1", "FooBar", {}]', ["m1", "NotImplemented"]),
    ('[2, "m2", "SetDisplayMessage", {}]', ["m2", "NotSupported"]),
    ('[2, "m3", "Reset", {}]', ["m3", "ProtocolError"]),
    ('[2, "m4", "Reset", {"type": 5}]', ["m4", "TypeConstraintViolation"]),
    ('[2, "m5", "Reset", {"type": "Immediate", "extra": 1}]', ["m5", "FormatViolation"]),
    ('[7, "m7", "Reset", {}]', ["m7", "MessageTypeNotSupported"]),
]


@pytest.mark.parametrize("protocol, cases", [("ocpp1.6", CASES_16), ("ocpp2.0.1", CASES_201)])
async def test_malformed_requests_get_callerrors_and_station_keeps_running(make_station, protocol, cases):
    async with MiniCsms() as csms:
        st = make_station(csms.url, protocol=protocol)
        await st.run_until_booted()
        await csms.wait_for(lambda: "CP-1" in csms.stations)
        for frame, (message_id, code) in cases:
            reply = await csms.raw("CP-1", frame)
            assert reply[0] == 4, frame
            assert reply[1:3] == [message_id, code], frame
            assert isinstance(reply[3], str) and isinstance(reply[4], dict)
        # Still the same connection, still answering and reporting.
        reply = await csms.raw("CP-1", '[2, "ok", "ClearCache", {}]')
        assert reply == [3, "ok", {"status": "Accepted"}]
        assert csms.connections == 1 and st.online
        await st.plug_in(1)
        await csms.wait_for(lambda: len(csms.of("StatusNotification")) >= 2)
