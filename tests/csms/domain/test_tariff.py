"""Time-of-use tariff: periods in Changsha local time (UTC+8), segments, costs, bad definitions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from csms.domain.tariff import EnergyInterval, TariffError, cost, hunan_default_tariff, tariff_from_dict

T = hunan_default_tariff()
CST = timezone(timedelta(hours=8))


def local(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=CST)


@pytest.mark.parametrize(
    ("when", "period"),
    [
        (local(2026, 3, 2, 0, 0), "valley"),
        (local(2026, 3, 2, 5, 59), "valley"),
        (local(2026, 3, 2, 6, 0), "flat"),
        (local(2026, 3, 2, 11, 59), "flat"),
        (local(2026, 3, 2, 12, 0), "valley"),
        (local(2026, 3, 2, 14, 0), "flat"),
        (local(2026, 3, 2, 16, 0), "peak"),
        (local(2026, 3, 2, 23, 59), "peak"),
        (local(2026, 1, 15, 18, 0), "sharp"),  # winter sharp 18-22
        (local(2026, 1, 15, 22, 0), "peak"),
        (local(2026, 12, 1, 21, 59), "sharp"),
        (local(2026, 7, 10, 19, 59), "peak"),  # summer sharp 20-24
        (local(2026, 8, 10, 20, 0), "sharp"),
        (local(2026, 9, 10, 20, 0), "peak"),
    ],
)
def test_hunan_default_periods(when: datetime, period: str) -> None:
    assert T.period_at(when) == period
    # the same instant given in UTC reads the same
    assert T.period_at(when.astimezone(UTC)) == period


def test_month_is_read_in_local_time() -> None:
    # 2026-06-30 16:30 UTC is 2026-07-01 00:30 in Changsha: July, valley
    assert T.period_at(datetime(2026, 6, 30, 16, 30, tzinfo=UTC)) == "valley"
    # 2026-07-31 12:30 UTC is 20:30 on 31 July: sharp
    assert T.period_at(datetime(2026, 7, 31, 12, 30, tzinfo=UTC)) == "sharp"


def test_prices_and_metadata() -> None:
    assert T.price_at(local(2026, 3, 2, 13)) == pytest.approx(0.2588)
    assert T.price_at(local(2026, 3, 2, 17)) == pytest.approx(0.9310)
    assert T.is_peak(local(2026, 1, 2, 19))
    assert not T.is_peak(local(2026, 1, 2, 13))
    assert T.verified is False
    assert "NOT checked" in T.source["periods"]


def test_hours_by_period_over_a_day_in_july() -> None:
    hours = T.hours_by_period(local(2026, 7, 1, 0), local(2026, 7, 2, 0))
    # valley 0-6 and 12-14 = 8 h; flat 6-12 and 14-16 = 8 h; peak 16-20 = 4 h; sharp 20-24 = 4 h
    assert hours == pytest.approx({"valley": 8, "flat": 8, "peak": 4, "sharp": 4})
    assert T.off_peak_hours(local(2026, 7, 1, 17), local(2026, 7, 2, 8)) == pytest.approx(8)


def test_segments_merge_and_cross_midnight() -> None:
    segs = T.segments(local(2026, 3, 2, 22), local(2026, 3, 3, 7))
    assert [(a.astimezone(CST).hour, b.astimezone(CST).hour, p) for a, b, p in segs] == [
        (22, 0, "peak"),
        (0, 6, "valley"),
        (6, 7, "flat"),
    ]


def test_cost_splits_an_interval_across_periods() -> None:
    # 15:00-17:00 local, 30 kWh at constant power: 15 kWh flat (0.5949) + 15 kWh peak (0.9310)
    c = cost(T, [EnergyInterval(local(2026, 3, 2, 15), local(2026, 3, 2, 17), 30_000)])
    assert c.energy_wh_by_period == pytest.approx({"flat": 15_000, "peak": 15_000})
    assert c.cost_cny_by_period["flat"] == pytest.approx(15 * 0.5949)
    assert c.total_cny == pytest.approx(15 * 0.5949 + 15 * 0.9310)  # 22.8885 CNY


def test_cost_of_several_intervals() -> None:
    ivs = [
        EnergyInterval(local(2026, 3, 2, 2), local(2026, 3, 2, 3), 7_000),  # valley
        EnergyInterval(local(2026, 3, 2, 18), local(2026, 3, 2, 19), 5_000),  # peak
    ]
    assert cost(T, ivs).total_cny == pytest.approx(7 * 0.2588 + 5 * 0.9310)


def test_custom_tariff_is_configurable() -> None:
    t = tariff_from_dict(
        {
            "name": "two-rate",
            "prices_cny_per_kwh": {"peak": 1.0, "valley": 0.3},
            "rules": [
                {"period": "valley", "start": "23:00", "end": "24:00"},
                {"period": "valley", "start": "00:00", "end": "07:00"},
                {"period": "peak", "start": "07:00", "end": "23:00"},
            ],
        }
    )
    assert t.period_at(local(2026, 5, 5, 23, 30)) == "valley"
    assert t.period_at(local(2026, 5, 5, 8)) == "peak"
    assert t.peak_periods == frozenset({"sharp", "peak"})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"rules": []}, "missing key 'prices_cny_per_kwh'"),
        (
            {"prices_cny_per_kwh": {"p": 1}, "rules": [{"period": "p", "start": "00:00", "end": "23:00"}]},
            "month 1 23:00-24:00 is not covered",
        ),
        (
            {"prices_cny_per_kwh": {"p": 1}, "rules": [{"period": "p", "start": "0:00", "end": "24:xx"}]},
            "rules\\[0\\].end: expected 'HH:MM'",
        ),
        (
            {"prices_cny_per_kwh": {"p": 1}, "rules": [{"period": "q", "start": "00:00", "end": "24:00"}]},
            "rules\\[0\\] period 'q' has no price",
        ),
        (
            {"prices_cny_per_kwh": {"p": -1}, "rules": [{"period": "p", "start": "00:00", "end": "24:00"}]},
            "prices_cny_per_kwh\\['p'\\] must be >= 0",
        ),
        (
            {"prices_cny_per_kwh": {"p": 1}, "rules": [{"period": "p", "start": "23:00", "end": "07:00"}]},
            "need 0 <= start < end",
        ),
    ],
)
def test_bad_tariff_names_the_key(data: dict, message: str) -> None:
    with pytest.raises(TariffError, match=message):
        tariff_from_dict(data)


def test_naive_times_and_bad_intervals_are_rejected() -> None:
    with pytest.raises(TariffError, match="timezone-aware"):
        T.period_at(datetime(2026, 3, 2, 12))
    with pytest.raises(TariffError, match=r"intervals\[1\]: energy_wh must be >= 0"):
        cost(
            T,
            [
                EnergyInterval(local(2026, 3, 2, 1), local(2026, 3, 2, 2), 1),
                EnergyInterval(local(2026, 3, 2, 2), local(2026, 3, 2, 3), -1),
            ],
        )


def test_next_change_is_the_next_rule_boundary() -> None:
    assert T.next_change(local(2026, 3, 2, 10, 30)) == local(2026, 3, 2, 12)
    assert T.next_change(local(2026, 3, 2, 12)) == local(2026, 3, 2, 14)
    assert T.next_change(local(2026, 3, 2, 23)) == local(2026, 3, 3, 0)
    # boundaries of seasonal rules count in every month (the period may not change there)
    assert T.next_change(local(2026, 3, 2, 17)) == local(2026, 3, 2, 18)
