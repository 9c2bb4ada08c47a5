"""The version-neutral charging profile on each OCPP version's wire (the ``set-charging-profile`` translators
of ``csms.ocpp_handlers.v16`` / ``v201``), exact and validated against the ocpp library's JSON schemas."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from ocpp.messages import MessageType, get_validator

from csms.domain.energy import (
    AllocationInputError,
    ProfilePurpose,
    TransactionRef,
    charging_profile,
    with_fallback,
)
from csms.domain.energy.charging_profile import ChargingProfile, SchedulePeriod
from csms.errors import InvalidInput
from csms.ocpp_handlers import v16, v21, v201

START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
TX, DEFAULT, MAX = ProfilePurpose.TX, ProfilePurpose.TX_DEFAULT, ProfilePurpose.STATION_MAX


def _validate(payload: dict, version: str) -> None:
    # Round-trip through JSON with Decimal floats, as the ocpp library does for these schemas
    # (multipleOf 0.1 is checked exactly).
    wire = json.loads(json.dumps(payload), parse_float=Decimal)
    get_validator(MessageType.Call, "SetChargingProfile", version, parse_float=Decimal).validate(wire)


def _v16(profile: ChargingProfile) -> dict[str, Any]:
    action, payload = v16.set_charging_profile({"profile": profile})
    assert action == "SetChargingProfile"
    _validate(payload, "1.6")
    return payload


def _v201(profile: ChargingProfile) -> dict[str, Any]:
    action, payload = v201.set_charging_profile({"profile": profile})
    assert action == "SetChargingProfile"
    _validate(payload, "2.0.1")
    return payload


def test_v16_tx_profile_exact_payload_and_schema() -> None:
    p = charging_profile(
        TX, 16.25, "A", evse_id=2, transaction=TransactionRef(42, "uid-42"), profile_id=7, start=START,
        number_phases=3,
    )  # fmt: skip
    assert _v16(p) == {
        "connectorId": 2,
        "csChargingProfiles": {
            "chargingProfileId": 7,
            "stackLevel": 1,
            "chargingProfilePurpose": "TxProfile",
            "chargingProfileKind": "Absolute",
            "chargingSchedule": {
                "startSchedule": "2026-03-02T02:00:00Z",
                "chargingRateUnit": "A",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.2, "numberPhases": 3}],
            },
            "transactionId": 42,
        },
    }


def test_v16_default_and_max_profiles_validate() -> None:
    d = _v16(charging_profile(DEFAULT, 6000.0, "W", profile_id=1, start=START))
    assert d["connectorId"] == 0 and d["csChargingProfiles"]["stackLevel"] == 0
    p = _v16(charging_profile(MAX, 31999.97, "W", profile_id=2, start=START))
    assert p["connectorId"] == 0
    assert p["csChargingProfiles"]["chargingProfilePurpose"] == "ChargePointMaxProfile"  # 1.6's name
    assert p["csChargingProfiles"]["chargingSchedule"]["chargingSchedulePeriod"][0]["limit"] == 31999.9


def test_the_domain_refuses_profiles_no_version_could_send() -> None:
    with pytest.raises(AllocationInputError, match="a TxProfile needs a transaction and an EVSE > 0"):
        charging_profile(TX, 10, "A", evse_id=0, transaction=TransactionRef(1), profile_id=1, start=START)
    with pytest.raises(AllocationInputError, match="a TxProfile needs a transaction"):
        charging_profile(TX, 10, "A", evse_id=1, profile_id=1, start=START)
    with pytest.raises(AllocationInputError, match="ChargingStationMaxProfile is set on EVSE 0"):
        charging_profile(MAX, 10, "A", evse_id=1, profile_id=1, start=START)
    with pytest.raises(AllocationInputError, match="chargingRateUnit must be 'A' or 'W'"):
        charging_profile(DEFAULT, 10, "kW", profile_id=1, start=START)
    with pytest.raises(AllocationInputError, match="timezone-aware"):
        charging_profile(DEFAULT, 10, "A", profile_id=1, start=datetime(2026, 3, 2))
    # an AllocationInputError is an InvalidInput: the REST edge answers 422
    assert issubclass(AllocationInputError, InvalidInput)


def test_v201_profiles_exact_payload_and_schema() -> None:
    p = charging_profile(
        TX, 22_080.0, "W", evse_id=1, transaction=TransactionRef(5, "tx-9"), profile_id=11, start=START
    )
    assert _v201(p) == {
        "evseId": 1,
        "chargingProfile": {
            "id": 11,
            "stackLevel": 1,
            "chargingProfilePurpose": "TxProfile",
            "chargingProfileKind": "Absolute",
            "chargingSchedule": [
                {
                    "id": 11,
                    "startSchedule": "2026-03-02T02:00:00Z",
                    "chargingRateUnit": "W",
                    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 22080.0}],
                }
            ],
            "transactionId": "tx-9",
        },
    }
    m = _v201(charging_profile(MAX, 63.0, "A", profile_id=3, start=START, number_phases=3))
    assert m["evseId"] == 0 and m["chargingProfile"]["chargingProfilePurpose"] == "ChargingStationMaxProfile"
    _v201(charging_profile(DEFAULT, 16.0, "A", profile_id=4, start=START))
    # A 2.0.1 station knows its transactions by its own id, which a 1.6-only record lacks.
    no_uid = charging_profile(
        TX, 10, "A", evse_id=1, transaction=TransactionRef(5), profile_id=1, start=START
    )
    with pytest.raises(InvalidInput, match="2.0.1 TxProfile needs the transaction's station id"):
        v201.set_charging_profile({"profile": no_uid})


def test_a_fallback_period_goes_out_on_both_wires() -> None:
    p = charging_profile(
        TX, 32.0, "A", evse_id=1, transaction=TransactionRef(3, "u-3"), profile_id=101, start=START,
        number_phases=3,
    )  # fmt: skip
    p = with_fallback(p, 900, 30.36, 3)
    assert p.periods == (SchedulePeriod(0, 32.0, 3), SchedulePeriod(900, 30.3, 3))
    periods = [
        {"startPeriod": 0, "limit": 32.0, "numberPhases": 3},
        {"startPeriod": 900, "limit": 30.3, "numberPhases": 3},
    ]
    assert _v16(p)["csChargingProfiles"]["chargingSchedule"]["chargingSchedulePeriod"] == periods
    assert _v201(p)["chargingProfile"]["chargingSchedule"][0]["chargingSchedulePeriod"] == periods


def test_every_version_registers_the_translator_and_operators_cannot_call_it() -> None:
    from csms.domain.commands import COMMANDS

    assert v16.V16Connection.commands["set-charging-profile"] is v16.set_charging_profile
    assert v201.V201Connection.commands["set-charging-profile"] is v201.set_charging_profile
    assert v21.V21Connection.commands["set-charging-profile"] is v201.set_charging_profile
    assert "set-charging-profile" not in COMMANDS  # internal: the energy manager's, not a REST command
