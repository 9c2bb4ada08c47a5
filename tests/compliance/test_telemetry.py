"""Telemetry cross-check: never seen, silent for N days, strict mode counting only chargers seen online."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from cp_builders import make_car_park

from compliance.errors import ComplianceError
from compliance.evaluate import Status, evaluate_rule
from compliance.packs import get_pack
from compliance.telemetry import StationStatus, apply_strict, cross_check, cross_check_car_park

NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)


def test_never_seen_and_silent_stations_are_discrepancies():
    last_seen = {
        "ONLINE": NOW - timedelta(hours=3),
        "EDGE": NOW - timedelta(days=7),  # exactly N days: silent
        "JUST": NOW - timedelta(days=7) + timedelta(seconds=1),
        "NONE": None,
    }
    check = cross_check("P1", ["ONLINE", "EDGE", "JUST", "NONE", "MISSING", "ONLINE"], last_seen, NOW, 7)
    statuses = {f.station_id: f.status for f in check.findings}
    assert statuses == {
        "ONLINE": StationStatus.ONLINE,
        "EDGE": StationStatus.SILENT,
        "JUST": StationStatus.ONLINE,
        "NONE": StationStatus.NEVER_SEEN,
        "MISSING": StationStatus.NEVER_SEEN,
    }
    assert [f.station_id for f in check.discrepancies] == ["EDGE", "NONE", "MISSING"]
    assert check.online_station_ids == ("ONLINE", "JUST")
    assert check.has_discrepancy
    assert check.findings[1].silent_days == pytest.approx(7.0)
    assert check.message("zh") == "EDGE 已 7.0 天无通信；NONE 从未接入平台；MISSING 从未接入平台"


def test_silence_threshold_is_configurable_and_times_may_use_any_offset():
    beijing = timezone(timedelta(hours=8))
    seen = (NOW - timedelta(days=2)).astimezone(beijing)
    assert (
        cross_check("P", ["A"], {"A": seen}, NOW, silent_after_days=1).findings[0].status
        is StationStatus.SILENT
    )
    assert (
        cross_check("P", ["A"], {"A": seen}, NOW, silent_after_days=3).findings[0].status
        is StationStatus.ONLINE
    )


def test_naive_times_are_refused_naming_the_station():
    with pytest.raises(ComplianceError, match="now: expected a timezone-aware"):
        cross_check("P", ["A"], {}, datetime(2025, 1, 1))
    with pytest.raises(ComplianceError, match="last_seen\\['A'\\]"):
        cross_check("P", ["A"], {"A": datetime(2025, 1, 1)}, NOW)


def test_strict_mode_counts_only_chargers_seen_online_and_can_flip_the_verdict():
    cp = make_car_park(
        id="P9",
        is_public=True,
        total_spaces=10,
        spaces_with_chargers=3,
        spaces_reserved=0,
        station_ids=("S1", "S2", "S3"),
    )
    rule = get_pack("xiangjiang-2023").rule("XJ-PUBLIC-30")
    assert evaluate_rule(cp, rule).status is Status.COMPLIANT
    check = cross_check_car_park(cp, {"S1": NOW, "S2": NOW - timedelta(days=30)}, NOW, 7)
    strict = apply_strict(cp, check)
    assert strict.spaces_with_chargers == 1
    v = evaluate_rule(strict, rule)
    assert (v.status, v.required, v.provided, v.shortfall) == (Status.NON_COMPLIANT, 3, 1, 2)
    # A dual-gun station serving two spaces; never more than the register declares.
    assert apply_strict(cp, check, {"S1": 2}).spaces_with_chargers == 2
    assert apply_strict(cp, check, {"S1": 9}).spaces_with_chargers == 3


def test_car_park_without_station_ids_is_not_linked_and_unchanged():
    cp = make_car_park(spaces_with_chargers=4)
    check = cross_check_car_park(cp, {}, NOW)
    assert check.findings == () and not check.has_discrepancy
    assert apply_strict(cp, check) is cp
