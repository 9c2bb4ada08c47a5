"""Property-based fuzzing of the OCPP edge (issue 14): random frames, and valid payloads with random values
put in, go through a real session (real services and database, an in-memory transport). Whatever comes in, the
answer is one well-formed CALLRESULT or CALLERROR with a code the spec defines (never InternalError), no
traceback is logged, and each frame is answered within the example's deadline. Bounded for CI."""

from __future__ import annotations

import copy
import json
import logging
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csms.ocpp_handlers import validation
from csms.ocpp_handlers.rpc import StationConnection
from csms.ocpp_handlers.v16 import V16Connection
from csms.ocpp_handlers.v21 import V21Connection
from csms.ocpp_handlers.v201 import V201Connection
from tests.harness import Csms

AT = "2026-11-24T00:00:00Z"
SPEC_CODES = {
    "1.6": {"NotImplemented", "NotSupported", "ProtocolError", "SecurityError", "FormationViolation",
            "PropertyConstraintViolation", "OccurenceConstraintViolation", "TypeConstraintViolation",
            "GenericError"},
    "2.0.1": {"FormatViolation", "GenericError", "MessageTypeNotSupported", "NotImplemented", "NotSupported",
              "OccurrenceConstraintViolation", "PropertyConstraintViolation", "ProtocolError",
              "RpcFrameworkError", "SecurityError", "TypeConstraintViolation"},
}
SPEC_CODES["2.1"] = SPEC_CODES["2.0.1"]
SAMPLED16 = {"value": "1200", "unit": "Wh", "measurand": "Energy.Active.Import.Register"}
VALID16: dict[str, dict[str, Any]] = {
    "BootNotification": {"chargePointVendor": "V", "chargePointModel": "M"},
    "Heartbeat": {},
    "StatusNotification": {"connectorId": 1, "errorCode": "NoError", "status": "Available", "timestamp": AT},
    "Authorize": {"idTag": "CARD"},
    "StartTransaction": {"connectorId": 1, "idTag": "CARD", "meterStart": 10, "timestamp": AT},
    "StopTransaction": {"transactionId": 1, "meterStop": 20, "timestamp": AT,
                        "transactionData": [{"timestamp": AT, "sampledValue": [SAMPLED16]}]},
    "MeterValues": {"connectorId": 1, "transactionId": 1,
                    "meterValue": [{"timestamp": AT, "sampledValue": [SAMPLED16]}]},
    "DataTransfer": {"vendorId": "X", "messageId": "m", "data": "d"},
    "FirmwareStatusNotification": {"status": "Installed"},
}
SAMPLED201 = {"value": 1.2, "measurand": "Energy.Active.Import.Register",
              "unitOfMeasure": {"unit": "kWh", "multiplier": 0}}
VALID201: dict[str, dict[str, Any]] = {
    "BootNotification": {"chargingStation": {"model": "M", "vendorName": "V"}, "reason": "PowerUp"},
    "Heartbeat": {},
    "StatusNotification": {"timestamp": AT, "connectorStatus": "Available", "evseId": 1, "connectorId": 1},
    "Authorize": {"idToken": {"idToken": "CARD", "type": "ISO14443"}},
    "TransactionEvent": {
        "eventType": "Started", "timestamp": AT, "triggerReason": "Authorized", "seqNo": 0,
        "transactionInfo": {"transactionId": "T-1"}, "evse": {"id": 1, "connectorId": 1},
        "idToken": {"idToken": "CARD", "type": "ISO14443"},
        "meterValue": [{"timestamp": AT, "sampledValue": [SAMPLED201]}],
    },
    "MeterValues": {"evseId": 1, "meterValue": [{"timestamp": AT, "sampledValue": [SAMPLED201]}]},
    "NotifyEvent": {"generatedAt": AT, "seqNo": 0, "eventData": [{
        "eventId": 1, "timestamp": AT, "trigger": "Alerting", "actualValue": "1", "eventNotificationType":
        "HardWiredNotification", "component": {"name": "C"}, "variable": {"name": "V"}}]},
    "SecurityEventNotification": {"type": "FirmwareUpdated", "timestamp": AT},
    "DataTransfer": {"vendorId": "X", "messageId": "m", "data": {"k": [1, 2]}},
    "FirmwareStatusNotification": {"status": "Installed"},
}

scalars = (
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["NaN", "Infinity", "-1", "1e400", "", AT, "x" * 300, "A\r\nB", "\u2028"])
    | st.text(max_size=12)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=12,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a payload a value could be replaced (dict keys and list indexes)."""
    out = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        out.append((*prefix, key))
        out.extend(_paths(child, (*prefix, key)))
    return out


@st.composite
def mutated_calls(draw: st.DrawFn, valid: dict[str, dict[str, Any]]) -> str:
    """A CALL of a known action whose valid payload had a few values replaced, removed or added."""
    action = draw(st.sampled_from(sorted(valid)))
    payload = copy.deepcopy(valid[action])
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(payload)
        how = draw(st.sampled_from(["replace", "delete", "add"]))
        if not paths or how == "add":
            payload[draw(st.text(max_size=8))] = draw(json_values)
            continue
        *parent_path, key = draw(st.sampled_from(paths))
        parent = payload
        for step in parent_path:
            parent = parent[step]
        if how == "delete":
            del parent[key]
        else:
            parent[key] = draw(json_values)
    unique_id = draw(st.text(min_size=1, max_size=36) | st.text(max_size=40))
    return json.dumps([2, unique_id, action, payload])


def raw_frames() -> st.SearchStrategy[str | bytes]:
    return (
        st.binary(max_size=40)
        | st.text(max_size=40)
        | json_values.map(json.dumps)
        | st.tuples(st.integers(-1, 6), st.text(max_size=40), json_values, json_values).map(
            lambda t: json.dumps(list(t)))
        | st.builds(lambda depth: "[2, \"d\", \"DataTransfer\", {\"vendorId\": \"X\", \"data\": "
                    + "[" * depth + "]" * depth + "}]", st.integers(1, 1000))
    )


class Outbox:
    """The in-memory transport: frames sent by the CSMS are collected."""

    def __init__(self) -> None:
        self.sent: list[Any] = []

    async def recv(self) -> str:
        raise AssertionError("the test feeds frames with route_message")

    async def send(self, frame: bytes) -> None:
        self.sent.append(json.loads(frame))

    async def close(self, code: int = 1000, reason: str = "") -> None:
        pass


def _check_answer(conn: StationConnection, raw: str | bytes, sent: list[Any]) -> None:
    try:
        frame = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        frame = None
    unanswered = (3, 4, 5, 6) if conn.ocpp_version == "2.1" else (3, 4)  # 2.1: CALLRESULTERROR, SEND
    if isinstance(frame, list) and len(frame) >= 3 and frame[0] in unanswered and isinstance(frame[1], str):
        assert sent == []  # an answer to a CALL of ours (none pending), or a 2.1 SEND: never answered back
        return
    assert len(sent) == 1, sent
    [answer] = sent
    assert answer[0] in (3, 4) and isinstance(answer[1], str)
    if answer[0] == 3:
        assert len(answer) == 3 and isinstance(answer[2], dict)
        assert isinstance(frame, list) and answer[1] == frame[1] and 0 < len(frame[1]) <= 36
        return
    assert len(answer) == 5, answer
    _, unique_id, code, description, details = answer
    assert code in SPEC_CODES[conn.ocpp_version], answer
    assert isinstance(description, str) and len(description) <= 255 and isinstance(details, dict)
    if unique_id != "-1":  # an id is echoed only when the frame had a valid one
        assert isinstance(frame, list) and unique_id == frame[1] and 0 < len(unique_id) <= 36


async def _session(
    csms: Csms, cls: type[StationConnection], station_id: str
) -> tuple[StationConnection, Outbox]:
    if station_id not in {s.id for s in await csms.runtime.services.stations.list()}:
        await csms.station(station_id)
        await csms.runtime.services.tokens.create("CARD")
    outbox = Outbox()
    conn = cls(station_id, outbox, csms.runtime.services)
    conn.boot_accepted = True  # past the 2.0.1 boot gate, so that the handlers themselves are reached
    return conn, outbox


FUZZ = settings(max_examples=120, deadline=5000, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.mark.parametrize(
    ("cls", "valid"),
    [(V16Connection, VALID16), (V201Connection, VALID201), (V21Connection, VALID201)],
    ids=["1.6", "2.0.1", "2.1"],
)
@FUZZ
@given(data=st.data())
async def test_any_frame_gets_one_well_formed_answer_and_no_traceback(
    csms: Csms, cls: type[StationConnection], valid: dict[str, dict[str, Any]], data: st.DataObject,
    caplog: pytest.LogCaptureFixture,
) -> None:
    conn, outbox = await _session(csms, cls, f"FUZZ-{cls.ocpp_version}")
    raw = data.draw(mutated_calls(valid) | raw_frames())
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="csms"):
        await conn.route_message(raw)
    _check_answer(conn, raw, outbox.sent)
    assert [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize("cls", [V16Connection, V201Connection], ids=["1.6", "2.0.1"])
async def test_an_action_of_any_shape_a_station_makes_up_is_not_implemented(
    csms: Csms, cls: type[StationConnection]
) -> None:
    """Found by the property above: an action name of 300 characters reached the file system (the schema's
    file name, "File name too long") and was answered InternalError. A made-up name is answered
    NotImplemented, whatever its length or characters, and leaves no trace in the schema caches."""
    conn, outbox = await _session(csms, cls, f"ODD-{cls.ocpp_version}")
    before = (validation._schema.cache_info().currsize, validation._compiled.cache_info().currsize)
    made_up = ["x" * 300, "../v16/schemas/BootNotification", "Boot.Notification", "", "Heartbeat\u0000"]
    for i, action in enumerate(made_up):
        await conn.route_message(json.dumps([2, f"m{i}", action, {}]))
    assert [(a[0], a[1], a[2]) for a in outbox.sent] == [(4, f"m{i}", "NotImplemented") for i in range(5)]
    assert (validation._schema.cache_info().currsize, validation._compiled.cache_info().currsize) == before
