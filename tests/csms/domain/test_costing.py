"""Session cost (block I): readings priced by period under a tariff, glitches never billed, rounding."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csms.domain.costing import billable_series, cost_update_due, round_money, session_cost
from csms.domain.session import RegisterReading
from csms.domain.tariff import TariffError, hunan_default_tariff, tariff_from_dict

CST = timezone(timedelta(hours=8))
T = hunan_default_tariff()


def at(h: int, mi: int = 0, day: int = 2, month: int = 3) -> datetime:
    return datetime(2026, month, day, h, mi, tzinfo=CST)


def test_energy_is_priced_in_the_period_it_was_drawn() -> None:
    # 11:00-12:00 flat (0.5949), 12:00-14:00 valley (0.2588): 10 kWh, then 20 kWh
    readings = [RegisterReading(at(11), 0.0), RegisterReading(at(12), 10_000.0),
                RegisterReading(at(14), 30_000.0)]
    c = session_cost(T, readings)
    assert c.energy_wh_by_period == pytest.approx({"flat": 10_000.0, "valley": 20_000.0})
    assert c.total == 11.13  # 5.949 + 5.176, half up
    assert (c.currency, c.until) == ("CNY", at(14))


def test_a_stretch_across_a_boundary_is_split_in_proportion_to_time() -> None:
    c = session_cost(T, [RegisterReading(at(15), 0.0), RegisterReading(at(17), 20_000.0)])  # flat, then peak
    assert c.energy_wh_by_period == pytest.approx({"flat": 10_000.0, "peak": 10_000.0})


def test_the_service_fee_is_added_per_kwh() -> None:
    flat = tariff_from_dict({"prices_cny_per_kwh": {"x": 1.0}, "service_fee_cny_per_kwh": 0.8,
                             "rules": [{"period": "x", "start": "00:00", "end": "24:00"}]})
    c = session_cost(flat, [RegisterReading(at(1), 0.0), RegisterReading(at(2), 2_500.0)])
    assert (c.total, c.service_fee) == (4.5, pytest.approx(2.0))


def test_a_glitch_is_never_billed_and_the_window_bounds_the_readings() -> None:
    readings = [RegisterReading(at(11), 1_000.0), RegisterReading(at(11, 20), 900_000.0),  # spike
                RegisterReading(at(11, 40), 0.0),  # drop
                RegisterReading(at(12), 6_000.0), RegisterReading(at(13), 9_000.0)]
    window = (RegisterReading(at(11), 1_000.0), RegisterReading(at(12), 6_000.0))
    c = session_cost(T, readings, window=window)
    assert c.energy_wh == pytest.approx(5_000.0)  # the window's energy, nothing after it


def test_no_energy_costs_nothing() -> None:
    assert session_cost(T, []).total == 0.0
    assert session_cost(T, [RegisterReading(at(1), 5.0)]).until is None


@pytest.mark.parametrize(("amount", "rounded"), [(8.535, 8.54), (8.534999, 8.53), (0.005, 0.01), (0.0, 0.0)])
def test_money_is_rounded_half_up_to_the_fen(amount: float, rounded: float) -> None:
    assert round_money(amount) == rounded


@pytest.mark.parametrize("fee", [-1, float("nan"), float("inf"), "x"])
def test_a_bad_service_fee_is_refused(fee: object) -> None:
    with pytest.raises(TariffError, match="service_fee"):
        tariff_from_dict({"prices_cny_per_kwh": {"x": 1.0}, "service_fee_cny_per_kwh": fee,
                          "rules": [{"period": "x", "start": "00:00", "end": "24:00"}]})


def test_cost_updates_are_due_each_interval_and_never_when_off() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    assert not cost_update_due(t0, t0 + timedelta(seconds=599), 600)
    assert cost_update_due(t0, t0 + timedelta(seconds=600), 600)
    assert not cost_update_due(t0, t0 + timedelta(days=9), 0)


readings_strategy = st.lists(
    st.tuples(st.integers(0, 24 * 60), st.floats(0, 1e6, allow_nan=False)), min_size=2, max_size=30
)


@given(readings_strategy)
def test_the_billed_series_never_runs_backwards_and_adds_up(raw: list[tuple[int, float]]) -> None:
    readings = [RegisterReading(at(0) + timedelta(minutes=m), v) for m, v in raw]
    series = billable_series(readings)
    assert [r.at for r in series] == sorted({r.at for r in readings})
    assert all(b.value_wh >= a.value_wh for a, b in zip(series, series[1:], strict=False))
    c = session_cost(T, readings)
    assert c.energy_wh == pytest.approx(series[-1].value_wh - series[0].value_wh, abs=1e-6)
    assert c.total >= 0


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"utc_offset_hours": 1e300}, "utc_offset_hours"),
        ({"utc_offset_hours": "east"}, "utc_offset_hours"),
        ({"currency": "yuan"}, "currency"),
        ({"rules": [{"period": "x", "start": "00:00", "end": "24:00"}] * 201}, "at most 200"),
    ],
)
def test_tariffs_that_would_break_pricing_are_refused(change: dict[str, object], words: str) -> None:
    with pytest.raises(TariffError, match=words):
        tariff_from_dict({"prices_cny_per_kwh": {"x": 1.0},
                          "rules": [{"period": "x", "start": "00:00", "end": "24:00"}], **change})
