"""Pure CSMS domain rules: units, timestamps, authorisation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from csms.domain.authorization import TokenRecord, TokenStatus, authorize
from csms.domain.metering import normalise, session_energy_wh
from csms.domain.timeutil import format_timestamp, parse_timestamp
from csms.errors import InvalidInput


@pytest.mark.parametrize(
    ("value", "unit", "measurand", "multiplier", "expected"),
    [
        ("12.5", "kWh", "Energy.Active.Import.Register", 0, (12500.0, "Wh")),
        (125, "Wh", "Energy.Active.Import.Register", 2, (12500.0, "Wh")),
        (7, "kW", "Power.Active.Import", 0, (7000.0, "W")),
        (3, "kvarh", "Energy.Reactive.Import.Register", 0, (3000.0, "varh")),
        (1600, "A", "Current.Import", -2, (16.0, "A")),
        ("98.6", "Fahrenheit", "Temperature", 0, (37.0, "Celsius")),
        (300, "K", "Temperature", 0, (26.85, "Celsius")),
        ("21", "Celcius", "Temperature", 0, (21.0, "Celsius")),
        ("64", None, "SoC", 0, (64.0, "%")),
        ("2000", None, "Energy.Active.Import.Register", 0, (2000.0, "Wh")),
        ("230", None, "Voltage", 0, (230.0, "V")),
    ],
)
def test_sampled_values_are_normalised_to_base_units(value, unit, measurand, multiplier, expected) -> None:
    got = normalise(value, unit, measurand, multiplier)
    assert got[1] == expected[1] and got[0] == pytest.approx(expected[0])


@pytest.mark.parametrize(("value", "unit"), [("abc", "Wh"), ("1", "furlongs")])
def test_bad_sampled_values_are_refused_naming_the_problem(value: str, unit: str) -> None:
    with pytest.raises(InvalidInput) as err:
        normalise(value, unit, "Energy.Active.Import.Register")
    assert value in str(err.value) or unit in str(err.value)


def test_a_register_that_went_backwards_gives_no_energy() -> None:
    assert session_energy_wh(500.0, 400.0) is None
    assert session_energy_wh(None, 400.0) is None
    assert session_energy_wh(400.0, 400.0) == 0.0


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2026-11-24T08:00:00Z", "2026-11-24T08:00:00+00:00"),
        ("2026-11-24T16:00:00+08:00", "2026-11-24T08:00:00+00:00"),
        ("2026-11-24T08:00:00.123456789Z", "2026-11-24T08:00:00.123456+00:00"),
        ("2026-11-24t08:00:00.5z", "2026-11-24T08:00:00.500000+00:00"),
    ],
)
def test_timestamps_are_parsed_strictly_to_utc(text: str, iso: str) -> None:
    assert parse_timestamp(text).isoformat() == iso


@pytest.mark.parametrize(
    "text", ["2026-11-24 08:00:00Z", "2026-11-24T08:00:00", "24/11/2026", "", "2026-13-01T00:00:00Z"]
)
def test_ambiguous_or_malformed_timestamps_are_refused(text: str) -> None:
    with pytest.raises((InvalidInput, ValueError)):
        parse_timestamp(text)


def test_format_timestamp_is_utc_with_milliseconds() -> None:
    moment = datetime(2026, 11, 24, 16, 0, 0, 123456, tzinfo=UTC) + timedelta(hours=0)
    assert format_timestamp(moment) == "2026-11-24T16:00:00.123Z"


def test_group_blocks_members_and_expiry_is_exclusive() -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    fleet = TokenRecord("FLEET", TokenStatus.expired, None, None)
    member = TokenRecord("M1", TokenStatus.accepted, None, "FLEET")
    assert authorize(member, now, group=fleet).status is TokenStatus.expired
    at_expiry = TokenRecord("T", TokenStatus.accepted, now, None)
    assert authorize(at_expiry, now).status is TokenStatus.expired
    assert authorize(at_expiry, now - timedelta(seconds=1)).status is TokenStatus.accepted
    blocked = TokenRecord("B", TokenStatus.blocked, None, None)
    assert authorize(blocked, now).status is TokenStatus.blocked
