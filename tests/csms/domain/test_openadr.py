"""OpenADR 2.0b events read as the CSMS's demand-response requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from csms.domain.openadr import OpenAdrEventError, read_event, site_targets

T0 = datetime(2026, 12, 2, 18, tzinfo=UTC)


def _event(signal_name: str, signal_type: str, payload: object, **extra: object) -> dict:
    return {
        "event_descriptor": {"event_id": "E", "modification_number": 2, "event_status": "far"},
        "event_signals": [{"signal_name": signal_name, "signal_type": signal_type, **extra, "intervals": [
            {"dtstart": T0, "duration": timedelta(minutes=30), "signal_payload": payload, "uid": 1}]}],
    }


def test_a_capacity_in_w_or_mw_is_read_in_kw() -> None:
    ev = read_event(_event("LOAD_CONTROL", "x-loadControlCapacity", 30_000.0, measurement={"scale": "none"}))
    assert ev.intervals[0].target_kw == 30.0 and ev.intervals[0].dr_event_id == "OADR-E-m2-i1"
    ev = read_event(_event("LOAD_CONTROL", "x-loadControlCapacity", 0.5, measurement={"scale": "M"}))
    assert ev.intervals[0].target_kw == 500.0


def test_simple_levels_hold_a_share_of_each_sites_limit_and_level_0_asks_nothing() -> None:
    assert read_event(_event("SIMPLE", "level", 2)).intervals[0].share == 0.5
    assert read_event(_event("SIMPLE", "level", 0)).intervals == ()


@pytest.mark.parametrize("payload", [float("nan"), float("inf"), -5.0, "30", True])
def test_a_capacity_that_is_no_power_is_refused(payload: object) -> None:
    with pytest.raises(OpenAdrEventError):
        read_event(_event("LOAD_CONTROL", "x-loadControlCapacity", payload))


def test_unknown_signals_and_levels_are_refused() -> None:
    with pytest.raises(OpenAdrEventError, match="not followed"):
        read_event(_event("ELECTRICITY_PRICE", "price", 1.2))
    with pytest.raises(OpenAdrEventError, match="level"):
        read_event(_event("SIMPLE", "level", 4))


def test_a_cancelled_event_has_no_intervals_and_targets_fall_back_to_every_resource() -> None:
    raw = _event("SIMPLE", "level", 1)
    raw["event_descriptor"]["event_status"] = "cancelled"
    ev = read_event(raw)
    assert ev.cancelled and ev.intervals == ()
    assert site_targets(ev, ["S1", "S2"]) == ("S1", "S2")
    raw["targets"] = [{"resource_id": "S2"}, {"resource_id": "OTHER"}]
    assert site_targets(read_event(raw), ["S1", "S2"]) == ("S2",)
