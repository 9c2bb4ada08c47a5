"""The cost of a charging session under a time-of-use tariff (OCPP 2.0.1 block I, and 1.6 sessions alike).

Pure. A session's energy is metered by its energy-register readings; the cost of each stretch between two
readings is priced by :func:`csms.domain.tariff.cost` (energy spread uniformly in time, split at period
boundaries), plus the tariff's flat service fee per kWh (服务费).

Which readings are billed (:func:`billable_series`): those inside the session's register window (the same
window :mod:`csms.domain.session` bills), made monotonic so that the stretches add up to exactly the window's
energy: each reading is held between the one before it (a register never goes backwards) and the lowest
reading after it (a spike that later readings undo is not energy drawn then).

Examples
--------
>>> from datetime import datetime, UTC
>>> from csms.domain.session import RegisterReading
>>> from csms.domain.tariff import hunan_default_tariff
>>> t = hunan_default_tariff()
>>> at = lambda h: datetime(2026, 3, 2, h, tzinfo=UTC)  # 11:00 and 13:00 in Changsha
>>> c = session_cost(t, [RegisterReading(at(3), 1_000.0), RegisterReading(at(5), 21_000.0)])
>>> (c.total, c.energy_wh)
(8.54, 20000.0)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from csms.domain.session import RegisterReading
from csms.domain.tariff import EnergyInterval, TouTariff, cost

__all__ = [
    "SessionCost", "billable_series", "session_cost", "round_money", "cost_update_due", "period_price_text",
    "price_changed", "tariff_text",
]


def round_money(amount: float) -> float:
    """Round to the fen (0.01), half up, as a bill does; first to 1e-6, so that the noise of summing binary
    floats (11.124999999999998 for 11.125) does not decide a half fen.

    >>> round_money(8.535), round_money(0.004999), round_money(5.949 + 5.176)
    (8.54, 0.0, 11.13)
    """
    return float(Decimal(repr(round(amount, 6))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class SessionCost:
    """``total`` [currency, rounded to 0.01]; energy [Wh] and cost per period (unrounded) and the fee."""

    total: float
    energy_wh: float
    currency: str
    energy_wh_by_period: Mapping[str, float]
    cost_by_period: Mapping[str, float]
    service_fee: float
    until: datetime | None
    """Time of the last reading priced (``None``: no energy metered yet)."""


def billable_series(
    readings: Iterable[RegisterReading], *, low: float | None = None, high: float | None = None
) -> list[RegisterReading]:
    """``readings`` in time order (one per instant, the lowest), each first held within ``[low, high]`` (the
    window's first and last values, when given), then between the reading before it and the lowest reading
    after it, so that consecutive differences are never negative and add up to the last minus the first."""
    by_time: dict[datetime, float] = {}
    for r in readings:
        value = r.value_wh if low is None else max(low, r.value_wh)
        value = value if high is None else min(high, value)
        by_time[r.at] = min(value, by_time.get(r.at, value))
    times = sorted(by_time)
    if not times:
        return []
    values = [by_time[t] for t in times]
    suffix_min = values[:]
    for i in range(len(values) - 2, -1, -1):
        suffix_min[i] = min(values[i], suffix_min[i + 1])
    out: list[RegisterReading] = []
    level = suffix_min[0]
    for t, low in zip(times, suffix_min, strict=True):
        level = max(level, low)
        out.append(RegisterReading(t, level))
    return out


def session_cost(
    tariff: TouTariff,
    readings: Iterable[RegisterReading],
    *,
    window: tuple[RegisterReading | None, RegisterReading | None] = (None, None),
) -> SessionCost:
    """The cost of the energy between the session's readings.

    ``window``: the session's register window (first, last reading billed); readings outside it in time are
    left out, and the window's own readings are always in. Without a window every reading counts.
    """
    first, last = window
    chosen = [
        r for r in readings
        if (first is None or r.at >= first.at) and (last is None or r.at <= last.at)
    ]
    chosen += [r for r in (first, last) if r is not None]
    series = billable_series(
        chosen, low=first.value_wh if first else None, high=last.value_wh if last else None
    )
    intervals = [
        EnergyInterval(a.at, b.at, b.value_wh - a.value_wh)
        for a, b in zip(series, series[1:], strict=False)
        if b.value_wh > a.value_wh and b.at > a.at
    ]
    breakdown = cost(tariff, intervals) if intervals else None
    energy = dict(breakdown.energy_wh_by_period) if breakdown else {}
    money = dict(breakdown.cost_cny_by_period) if breakdown else {}
    total_wh = sum(energy.values())
    fee = total_wh / 1000 * tariff.service_fee_per_kwh
    total = (breakdown.total_cny if breakdown else 0.0) + fee
    return SessionCost(
        total=round_money(total),
        energy_wh=total_wh,
        currency=tariff.currency,
        energy_wh_by_period=energy,
        cost_by_period=money,
        service_fee=fee,
        until=series[-1].at if len(series) > 1 else None,
    )


def cost_update_due(since: datetime, now: datetime, interval_s: float) -> bool:
    """Whether a running-cost update (2.0.1 CostUpdated, I02) is due: ``interval_s`` has passed ``since``
    the session started or its last update; ``interval_s <= 0`` turns updates off.

    >>> from datetime import UTC
    >>> t0 = datetime(2026, 1, 1, tzinfo=UTC)
    >>> [cost_update_due(t0, t0 + timedelta(seconds=s), 900) for s in (899, 900)]
    [False, True]
    """
    return interval_s > 0 and now - since >= timedelta(seconds=interval_s)


def tariff_text(tariff: TouTariff) -> str:
    """The tariff as the driver reads it: its name, its range of energy prices and the service fee (2.0.1 I01
    ``personalMessage``, I04 ``TariffFallbackMessage``).

    >>> from csms.domain.tariff import hunan_default_tariff
    >>> tariff_text(hunan_default_tariff())
    'hunan_commercial_tou: 0.2588-1.1102 CNY/kWh'
    """
    prices = sorted(tariff.prices_cny_per_kwh.values())
    text = f"{tariff.name}: {prices[0]:.4f}-{prices[-1]:.4f} {tariff.currency}/kWh"
    if tariff.service_fee_per_kwh:
        text += f" + {tariff.service_fee_per_kwh:.4f} {tariff.currency}/kWh service"
    return text[:512]


def period_price_text(tariff: TouTariff, period: str) -> str:
    """What the driver reads about the price of ``period`` (2.0.1 I06 ``updatedPersonalMessage``).

    >>> from csms.domain.tariff import hunan_default_tariff
    >>> period_price_text(hunan_default_tariff(), "valley")
    'hunan_commercial_tou: now valley 0.2588 CNY/kWh'
    """
    text = f"{tariff.name}: now {period} {tariff.prices_cny_per_kwh[period]:.4f} {tariff.currency}/kWh"
    if tariff.service_fee_per_kwh:
        text += f" + {tariff.service_fee_per_kwh:.4f} {tariff.currency}/kWh service"
    return text[:512]


def price_changed(tariff: TouTariff, told: str | None, at: datetime) -> str | None:
    """The period in force at ``at`` when its price differs from that of ``told``, the period whose price the
    driver was last told (2.0.1 I06); ``None`` when the price is the same or nothing was told yet.

    >>> from datetime import UTC
    >>> from csms.domain.tariff import hunan_default_tariff
    >>> t = hunan_default_tariff()
    >>> at = lambda h: datetime(2026, 3, 2, h, tzinfo=UTC)  # 11:00 and 13:00 in Changsha
    >>> t.period_at(at(3)), t.period_at(at(5))
    ('flat', 'valley')
    >>> price_changed(t, "flat", at(5)), price_changed(t, "valley", at(5))
    ('valley', None)
    >>> price_changed(t, None, at(5)) is None
    True
    """
    if told is None:
        return None
    now = tariff.period_at(at)
    prices = tariff.prices_cny_per_kwh
    return None if told in prices and prices[told] == prices[now] else now
